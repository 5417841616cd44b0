//! ## What it does
//! Reports each mutant that survived (or that no test covers) on its file
//! and line, with the mutation: one annotation per mutant in SARIF and in
//! GitHub's annotations. With `--diff BASE`, only the mutants on lines the
//! change touched. A note (low), never a denial by itself: the score
//! thresholds decide.
//!
//! ## Why is this bad?
//! Each surviving mutant is a concrete missing assertion: the line and the
//! change that went unnoticed say exactly which test to write.
//!
//! ## Example
//! `src/lib.rs:42: replace add -> i32 with 0 (MissedMutant)`
//!
//! ## Fix
//! Write a test that fails when the line is changed that way; for an
//! equivalent mutant (one that cannot change behaviour), exclude it in the
//! mutation tool's configuration.

use ci_intel_core::{Finding, Location, Severity};

use super::Rule;
use crate::mutation::{Mutant, MutantStatus};

pub const RULE: Rule = Rule {
    id: "surviving-mutant",
    title: "A mutant survived the tests",
    default_severity: Severity::Low,
};

/// The finding for an undetected mutant.
pub fn check(mutant: &Mutant) -> Option<Finding> {
    if !mutant.status.is_undetected() {
        return None;
    }
    let how = if mutant.status == MutantStatus::NoCoverage {
        "no test covers it"
    } else {
        "every test passed"
    };
    let location = if mutant.line > 0 {
        Location::at(mutant.file.clone(), mutant.line, mutant.column)
    } else {
        Location::file(mutant.file.clone())
    };
    Some(
        Finding::new(
            RULE.id,
            Severity::Low,
            format!(
                "mutant survived ({how}): {} [{}]",
                mutant.description, mutant.tool_status
            ),
            Some(location),
            &mutant.id,
        )
        .with_fix("add an assertion that fails under this mutation"),
    )
}
