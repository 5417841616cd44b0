//! ## What it does
//! Reports a suppression without a `justification`.
//!
//! ## Why is this bad?
//! The reason a finding was accepted is what a reviewer, an auditor and the
//! owner at expiry need; without it the suppression cannot be judged. An
//! unjustified suppression does not apply.
//!
//! ## Example
//! ```yaml
//! suppressions:
//!   - fingerprint: 5f0c2a9e
//!     owner: alice
//!     created: 2025-01-02
//!     expires: 2025-01-30
//! ```
//!
//! ## Fix
//! Add `justification:` saying why the finding is accepted until `expires`.

use ci_intel_core::{Finding, RuleMeta, Severity};

use crate::suppressions::{Context, Entry, finding};

pub const RULE: RuleMeta = RuleMeta {
    id: "suppression-unjustified",
    title: "A suppression has no justification",
    default_severity: Severity::Medium,
    help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/evidence.md#suppressions"),
};

pub fn check(entry: &Entry, line: u32, ctx: &Context<'_>) -> Option<Finding> {
    let justified = entry
        .justification
        .as_deref()
        .is_some_and(|j| !j.trim().is_empty());
    (!justified).then(|| {
        finding(
            &RULE,
            format!(
                "suppression of {} has no justification; it does not apply",
                crate::suppressions::describe(entry)
            ),
            entry,
            ctx,
            line,
            "add `justification:` saying why the finding is accepted",
        )
    })
}
