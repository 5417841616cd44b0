//! ## What it does
//! Reported by `sarif merge` only: a valid suppression that matched no
//! result of the merged SARIF.
//!
//! ## Why is this bad?
//! The finding it accepted is gone (fixed, or the rule changed) or the
//! entry never matched (a typo in the rule or path). Either way it is dead
//! weight that may hide a future finding it was never meant for.
//!
//! ## Example
//! ```yaml
//! suppressions:
//!   - rule: zizmor/unpinned-uses
//!     path: .github/workflows/deleted.yml   # the file is gone
//!     owner: alice
//!     justification: legacy
//!     created: 2025-01-02
//!     expires: 2025-01-30
//! ```
//!
//! ## Fix
//! Delete the entry, or correct its rule, path or fingerprint.

use ci_intel_core::{Finding, RuleMeta, Severity};

use crate::suppressions::{Loaded, finding};

pub const RULE: RuleMeta = RuleMeta {
    id: "suppression-unused",
    title: "A suppression matched no result",
    default_severity: Severity::Low,
    help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/evidence.md#suppressions"),
};

pub fn check(
    loaded: &Loaded,
    used: bool,
    ctx: &crate::suppressions::Context<'_>,
) -> Option<Finding> {
    (loaded.valid && !used).then(|| {
        finding(
            &RULE,
            format!("suppression of {} matched no result", loaded.describe()),
            &loaded.entry,
            ctx,
            loaded.line,
            "delete the entry, or correct its rule, path or fingerprint",
        )
    })
}
