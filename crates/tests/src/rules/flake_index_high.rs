//! ## What it does
//! Reports a suite flake index above `tests.flake.max_index`. The index is
//! the share of runs in the window (`tests.flake.window_days`, 30 days
//! before the newest run) in which at least one test that is not
//! quarantined was flaky: it failed and then passed on a retry in the same
//! run (nextest's `flakyFailure`, pytest-rerunfailures' repeated test
//! cases), or failed in one attempt of a commit and passed in a re-run of
//! the same commit.
//!
//! ## Why is this bad?
//! Every flaky run costs a re-run and teaches people to ignore red builds.
//! An index of 0.2 means one run in five needed luck to pass.
//!
//! ## Example
//! ```yaml
//! tests:
//!   flake:
//!     max_index: 0.05
//! ```
//! with 3 flaky runs out of 20: an index of 0.15.
//!
//! ## Fix
//! Fix the flakiest tests the report ranks first, or quarantine them (with
//! an owner and an expiry date) while they are fixed.

use ci_intel_core::{Finding, Location, Severity};

use super::Rule;

pub const RULE: Rule = Rule {
    id: "flake-index-high",
    title: "Suite flake index above the configured maximum",
    default_severity: Severity::High,
};

/// The finding for `index` over `runs` runs, if above `max_index`.
pub fn check(
    index: f64,
    flaky_runs: usize,
    runs: usize,
    max_index: f64,
    history: &str,
) -> Option<Finding> {
    (index > max_index).then(|| {
        Finding::new(
            RULE.id,
            Severity::High,
            format!(
                "flake index {index:.3} ({flaky_runs} flaky run(s) of {runs}) is above tests.flake.max_index ({max_index})"
            ),
            Some(Location::file(history)),
            "index",
        )
        .with_fix("fix or quarantine the flakiest tests (the report ranks them)")
    })
}
