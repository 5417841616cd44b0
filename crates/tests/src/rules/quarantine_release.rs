//! ## What it does
//! Reports a quarantined test that passed, without a retry, in each of its
//! last `tests.flake.release_after` runs: a candidate for release from
//! quarantine. A note (info), never a denial.
//!
//! ## Why is this bad?
//! A test that no longer flakes but stays quarantined protects nothing:
//! its failures are still ignored.
//!
//! ## Example
//! `tests.test_api::test_timeout` quarantined, and clean in its last 20 runs.
//!
//! ## Fix
//! Remove its entry from `.ci-intel/quarantine.yml`.

use ci_intel_core::{Finding, Location, Severity};

use super::Rule;

pub const RULE: Rule = Rule {
    id: "quarantine-release",
    title: "Quarantined test passes consistently",
    default_severity: Severity::Info,
};

/// The finding for a test ready to leave quarantine.
pub fn check(test: &str, clean_runs: usize, file: &str, line: u32) -> Finding {
    Finding::new(
        RULE.id,
        Severity::Info,
        format!(
            "quarantined test `{test}` passed without a retry in its last {clean_runs} run(s): release it"
        ),
        Some(Location::at(file, line, None)),
        test,
    )
    .with_fix("remove the entry from the quarantine file")
}
