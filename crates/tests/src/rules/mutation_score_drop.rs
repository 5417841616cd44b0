//! ## What it does
//! Reports a mutation score that dropped by more than
//! `tests.mutation.max_drop` percentage points against the baseline
//! report (`--baseline`, or `tests.mutation.baseline`: the report of the
//! main branch).
//!
//! ## Why is this bad?
//! A threshold catches a low score; a drop catches a change that makes the
//! tests weaker than they were, even when the score stays above the
//! threshold: new code without tests, or assertions removed.
//!
//! ## Example
//! ```yaml
//! tests:
//!   mutation:
//!     max_drop: 2
//! ```
//! with main at 81.5 % and the pull request at 78.0 %: a drop of 3.5 points.
//!
//! ## Fix
//! Test the new or changed code until its mutants are killed, or refresh
//! the baseline from main when main itself moved.

use ci_intel_core::{Finding, Location, Severity};

use super::{Rule, pct};

pub const RULE: Rule = Rule {
    id: "mutation-score-drop",
    title: "Mutation score dropped against the baseline",
    default_severity: Severity::High,
};

/// The finding for `score` against `baseline` (both percent), if it dropped
/// by more than `max_drop` points.
pub fn check(score: f64, baseline: f64, max_drop: f64, report: &str) -> Option<Finding> {
    let drop = baseline - score;
    (drop > max_drop).then(|| {
        Finding::new(
            RULE.id,
            Severity::High,
            format!(
                "mutation score dropped by {drop:.2} points ({} on the baseline, {} now), more than tests.mutation.max_drop ({max_drop})",
                pct(baseline),
                pct(score)
            ),
            Some(Location::file(report)),
            "drop",
        )
        .with_fix("test the changed code until its mutants are killed")
    })
}
