//! ## What it does
//! Reports a quarantine entry (`.ci-intel/quarantine.yml`) whose `expires`
//! date has passed (an entry is valid through its expiry day, UTC).
//!
//! ## Why is this bad?
//! Quarantine hides a test's failures from the gate. Without an end date,
//! a quarantined test is a deleted test that nobody decided to delete.
//!
//! ## Example
//! ```yaml
//! version: 1
//! quarantine:
//!   - test: "tests.test_api::test_timeout"
//!     owner: "@api-team"
//!     reason: "races the mock server, #412"
//!     expires: 2025-01-31
//! ```
//!
//! ## Fix
//! Fix the test and remove the entry, or extend `expires` in a reviewed
//! change that says why.

use ci_intel_core::{Finding, Location, Severity};

use super::Rule;

pub const RULE: Rule = Rule {
    id: "quarantine-expired",
    title: "Quarantine entry past its expiry date",
    default_severity: Severity::High,
};

/// The finding for an expired entry.
pub fn check(test: &str, expires: &str, owner: &str, file: &str, line: u32) -> Finding {
    let owner = if owner.is_empty() { "nobody" } else { owner };
    Finding::new(
        RULE.id,
        Severity::High,
        format!("quarantine of `{test}` (owner {owner}) expired on {expires}"),
        Some(Location::at(file, line, None)),
        test,
    )
    .with_fix("fix the test and remove the entry, or extend `expires` with a reason")
}
