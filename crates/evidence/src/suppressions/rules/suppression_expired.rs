//! ## What it does
//! Reports a suppression whose `expires` date has passed.
//!
//! ## Why is this bad?
//! A suppression is a promise to look again by a date. Past it, the
//! finding it hid is back in force: the suppression no longer applies, and
//! a stale entry in the file suggests the promise was forgotten.
//!
//! ## Example
//! ```yaml
//! suppressions:
//!   - rule: zizmor/unpinned-uses
//!     path: .github/workflows/legacy.yml
//!     owner: "@acme/platform"
//!     justification: removed with the 2.0 migration
//!     created: 2025-01-02
//!     expires: 2025-01-30   # today is later
//! ```
//!
//! ## Fix
//! Fix the finding and delete the entry, or renew it with a new `created`
//! and `expires` (at most `sarif.max_suppression_days` apart) after the
//! owner has looked again.

use ci_intel_core::{Finding, RuleMeta, Severity};

use crate::suppressions::{Context, Entry, finding};

pub const RULE: RuleMeta = RuleMeta {
    id: "suppression-expired",
    title: "A suppression is past its expiry date",
    default_severity: Severity::High,
    help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/evidence.md#suppressions"),
};

pub fn check(entry: &Entry, line: u32, ctx: &Context<'_>) -> Option<Finding> {
    let expires = entry.expires?;
    (expires < ctx.today).then(|| {
        finding(
            &RULE,
            format!(
                "suppression of {} expired on {expires} ({} day(s) ago); it no longer applies",
                crate::suppressions::describe(entry),
                (ctx.today - expires).num_days()
            ),
            entry,
            ctx,
            line,
            "fix the finding and delete the entry, or renew it with new created/expires dates",
        )
    })
}
