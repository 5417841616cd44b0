//! ## What it does
//! Reports a suppression without an `owner`.
//!
//! ## Why is this bad?
//! Nobody is accountable for a finding hidden without a name: nobody is
//! reminded when it expires, and nobody can be asked why it was accepted.
//! An ownerless suppression does not apply.
//!
//! ## Example
//! ```yaml
//! suppressions:
//!   - fingerprint: 5f0c2a9e
//!     justification: false positive
//!     created: 2025-01-02
//!     expires: 2025-01-30
//! ```
//!
//! ## Fix
//! Add `owner:` with a person or team handle (`"@acme/platform"`).

use ci_intel_core::{Finding, RuleMeta, Severity};

use crate::suppressions::{Context, Entry, finding};

pub const RULE: RuleMeta = RuleMeta {
    id: "suppression-ownerless",
    title: "A suppression has no owner",
    default_severity: Severity::High,
    help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/evidence.md#suppressions"),
};

pub fn check(entry: &Entry, line: u32, ctx: &Context<'_>) -> Option<Finding> {
    let owned = entry.owner.as_deref().is_some_and(|o| !o.trim().is_empty());
    (!owned).then(|| {
        finding(
            &RULE,
            format!(
                "suppression of {} has no owner; it does not apply",
                crate::suppressions::describe(entry)
            ),
            entry,
            ctx,
            line,
            "add `owner:` with the person or team accountable for it",
        )
    })
}
