//! ## What it does
//! Reports a test that was flaky in the current runs (the pull request's:
//! `--current`, or the newest commit of the history) and never before in
//! the history, unless it is quarantined.
//!
//! ## Why is this bad?
//! A test that starts flaking on a pull request was most often made flaky
//! by it (a race, an order dependency, a timeout too tight). Caught there,
//! it is one revert away; merged, it becomes everyone's re-run.
//!
//! ## Example
//! A pull request run where nextest retried
//! `ci-intel-core::cache::tests::evicts` once and it passed, while the 30
//! runs of main before never needed a retry for it.
//!
//! ## Fix
//! Make the test deterministic before merging. If the flakiness is known
//! and owned elsewhere, add it to `.ci-intel/quarantine.yml` with an
//! owner, a reason and an expiry date.

use ci_intel_core::{Finding, Location, Severity};

use super::Rule;

pub const RULE: Rule = Rule {
    id: "new-flaky-test",
    title: "A test became flaky",
    default_severity: Severity::High,
};

/// The finding for a newly flaky test.
pub fn check(test: &str, failed_attempts: u32, file: &str) -> Finding {
    Finding::new(
        RULE.id,
        Severity::High,
        format!(
            "new flaky test `{test}`: it failed {failed_attempts} attempt(s) and passed on a retry, and was never flaky in the history"
        ),
        Some(Location::file(file)),
        test,
    )
    .with_fix("make the test deterministic, or quarantine it in .ci-intel/quarantine.yml with an owner and an expiry")
}
