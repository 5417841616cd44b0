//! ## What it does
//! Reports a quarantine entry without an `owner` (missing or blank).
//!
//! ## Why is this bad?
//! A quarantined test nobody answers for is never fixed: the entry gets
//! extended, the test stays hidden.
//!
//! ## Example
//! ```yaml
//! version: 1
//! quarantine:
//!   - test: "ci-intel-core::cache::tests::evicts"
//!     reason: "flaky on 2-core runners"
//!     expires: 2026-12-31
//! ```
//!
//! ## Fix
//! Add `owner:` (a person or a team handle).

use ci_intel_core::{Finding, Location, Severity};

use super::Rule;

pub const RULE: Rule = Rule {
    id: "quarantine-ownerless",
    title: "Quarantine entry without an owner",
    default_severity: Severity::High,
};

/// The finding for an entry without an owner.
pub fn check(test: &str, file: &str, line: u32) -> Finding {
    Finding::new(
        RULE.id,
        Severity::High,
        format!("quarantine of `{test}` has no owner"),
        Some(Location::at(file, line, None)),
        test,
    )
    .with_fix("add `owner:` with the person or team that fixes the test")
}
