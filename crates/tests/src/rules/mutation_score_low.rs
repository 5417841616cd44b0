//! ## What it does
//! Reports a mutation score below `tests.mutation.fail_below` (high: the
//! gate denies) or below `tests.mutation.warn_below` (medium: a warning).
//! With `--diff BASE` the score is that of the mutants on the lines the
//! change touched, which is how a pull request is judged; otherwise it is
//! the whole report's.
//!
//! ## Why is this bad?
//! A surviving mutant is a change to the code that no test noticed. A low
//! score means the tests run the code without checking what it does, so a
//! real bug of the same shape would pass CI too.
//!
//! ## Example
//! ```yaml
//! tests:
//!   mutation:
//!     fail_below: 80
//! ```
//! and a pull request whose changed lines carry 10 mutants, 6 of them
//! killed: a score of 60 % is below 80 %.
//!
//! ## Fix
//! Add assertions that kill the surviving mutants the report lists (each
//! with its file, line and mutation), or lower the threshold in a reviewed
//! change where the organisation has not locked it.

use ci_intel_core::{Finding, Location, Severity};

use super::{Rule, pct};

pub const RULE: Rule = Rule {
    id: "mutation-score-low",
    title: "Mutation score below the configured threshold",
    default_severity: Severity::High,
};

/// The finding for `score` (percent) against the thresholds, if any.
pub fn check(
    score: f64,
    fail_below: f64,
    warn_below: f64,
    scope: &str,
    report: &str,
) -> Option<Finding> {
    let (severity, key, threshold) = if score < fail_below {
        (Severity::High, "fail_below", fail_below)
    } else if score < warn_below {
        (Severity::Medium, "warn_below", warn_below)
    } else {
        return None;
    };
    Some(
        Finding::new(
            RULE.id,
            severity,
            format!(
                "mutation score {} of {scope} is below tests.mutation.{key} ({})",
                pct(score),
                pct(threshold)
            ),
            Some(Location::file(report)),
            &format!("{scope}:{key}"),
        )
        .with_fix("kill the surviving mutants listed in the report with new assertions"),
    )
}
