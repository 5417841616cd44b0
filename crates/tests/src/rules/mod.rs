//! The rules, one file each. A rule file's `//!` comment is its
//! documentation (docs/tests.md carries them between markers; a test keeps
//! the two identical) and its fixtures live in `tests/fixtures/<rule-id>/`.

use ci_intel_core::{RuleMeta, Severity};

pub mod flake_index_high;
pub mod flaky_test;
pub mod mutation_run_incomplete;
pub mod mutation_score_drop;
pub mod mutation_score_low;
pub mod new_flaky_test;
pub mod quarantine_expired;
pub mod quarantine_ownerless;
pub mod quarantine_release;
pub mod surviving_mutant;

/// A rule: its identity. Each rule file has the `check` that reports it.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    /// One line, for listings and SARIF.
    pub title: &'static str,
    /// The severity of its usual finding.
    pub default_severity: Severity,
}

impl Rule {
    pub fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: self.id,
            title: self.title,
            default_severity: self.default_severity,
            help_uri: None,
        }
    }
}

/// Every rule, in documentation order.
pub const RULES: &[Rule] = &[
    mutation_score_low::RULE,
    mutation_score_drop::RULE,
    mutation_run_incomplete::RULE,
    surviving_mutant::RULE,
    flake_index_high::RULE,
    new_flaky_test::RULE,
    flaky_test::RULE,
    quarantine_expired::RULE,
    quarantine_ownerless::RULE,
    quarantine_release::RULE,
];

/// Every rule's metadata, for SARIF and `ci-intel check --list`.
pub fn metas() -> Vec<RuleMeta> {
    RULES.iter().map(Rule::meta).collect()
}

/// A percentage as the findings print it.
pub fn pct(value: f64) -> String {
    format!("{value:.2} %")
}
