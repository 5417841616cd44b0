//! ## What it does
//! Lists each test that was flaky in the window and is neither new (see
//! `new-flaky-test`) nor quarantined, with its flake rate: the share of
//! its runs in which it failed and passed on a retry. A note (low): the
//! flake index decides.
//!
//! ## Why is this bad?
//! Known flaky tests are the cause of the flake index; ranked by rate,
//! they say which fix pays most.
//!
//! ## Example
//! `flaky test tests.test_api::test_timeout: flaky in 4 of 30 runs (13.3 %)`
//!
//! ## Fix
//! Fix the test, or quarantine it with an owner and an expiry date.

use ci_intel_core::{Finding, Location, Severity};

use super::Rule;

pub const RULE: Rule = Rule {
    id: "flaky-test",
    title: "A known flaky test",
    default_severity: Severity::Low,
};

/// The finding for a known flaky test.
pub fn check(test: &str, flaky_runs: usize, runs: usize, file: &str) -> Finding {
    let rate = if runs == 0 {
        0.0
    } else {
        100.0 * flaky_runs as f64 / runs as f64
    };
    Finding::new(
        RULE.id,
        Severity::Low,
        format!("flaky test `{test}`: flaky in {flaky_runs} of {runs} run(s) ({rate:.1} %)"),
        Some(Location::file(file)),
        test,
    )
    .with_fix("fix the test, or quarantine it with an owner and an expiry")
}
