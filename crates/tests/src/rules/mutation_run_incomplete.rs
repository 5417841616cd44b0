//! ## What it does
//! Reports a mutation report that cannot vouch for a score: a run that
//! stopped before testing every mutant it listed (cargo-mutants'
//! `mutants.json` lists more mutants than `outcomes.json` has), or a run
//! that tested no mutant at all (`cargo mutants --check`, every mutant
//! pending or unviable, or a `--diff` whose changed lines carry no mutant
//! of the report while the thresholds are set).
//!
//! ## Why is this bad?
//! A partial run's score is the score of the mutants that happened to run
//! first; a run that tested nothing has no score. Reading either as 0 %
//! or as a pass would be wrong; the gate says which it is instead.
//!
//! ## Example
//! `mutants.out/` of a run stopped after 48 of 380 mutants.
//!
//! ## Fix
//! Let the mutation run finish (raise the CI job's timeout, or shard it
//! with `cargo mutants --shard k/n` and pass every shard's report).

use ci_intel_core::{Finding, Location, Severity};

use super::Rule;

pub const RULE: Rule = Rule {
    id: "mutation-run-incomplete",
    title: "Mutation run incomplete or without a tested mutant",
    default_severity: Severity::High,
};

/// A run that stopped early.
pub fn partial(listed: usize, tested: usize, report: &str) -> Finding {
    Finding::new(
        RULE.id,
        Severity::High,
        format!(
            "partial run: {tested} of {listed} listed mutants have an outcome; the score of a partial run is not the project's"
        ),
        Some(Location::file(report)),
        "partial",
    )
    .with_fix("let the mutation run finish, or pass the reports of every shard")
}

/// A run (or a diff) with no tested mutant.
pub fn nothing_tested(scope: &str, total: u64, report: &str) -> Finding {
    Finding::new(
        RULE.id,
        Severity::High,
        format!(
            "no tested mutant in {scope} ({total} mutant(s), none killed, survived or uncovered): the score is unknown, not 0 %"
        ),
        Some(Location::file(report)),
        &format!("nothing:{scope}"),
    )
    .with_fix("run the mutation tests (not only `--check`), or pass a report that covers the change")
}
