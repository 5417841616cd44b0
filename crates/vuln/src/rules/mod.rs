//! Every rule `ci-intel-vuln check` reports: one file per rule, whose doc
//! comment (What it does / Why is this bad? / Example / Fix) is its
//! documentation in docs/vuln.md, with fixtures in
//! `tests/fixtures/<rule>/{fires,quiet}`.
//!
//! How a rule's findings decide: `vuln-risk` always denies (the risk
//! threshold `vuln.block_at` already judged it); `vuln-existing` and
//! `vex-waiver` never deny (they report what the base had, and what a VEX
//! statement waived); every other rule denies when its severity reaches
//! `fail_on`.

use ci_intel_core::{RuleMeta, Severity};

pub mod input_missing;
pub mod license_denied;
pub mod license_not_allowed;
pub mod license_unknown;
pub mod sbom_empty;
pub mod sbom_incomplete;
pub mod sbom_invalid;
pub mod sbom_no_dependencies;
pub mod vex_expired;
pub mod vex_unjustified;
pub mod vex_unmatched;
pub mod vex_unsigned;
pub mod vex_waiver;
pub mod vuln_existing;
pub mod vuln_risk;

/// How a rule's findings weigh in the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Always denies.
    Blocks,
    /// Never denies (reported for the record).
    Reports,
    /// Denies when its severity reaches `fail_on`.
    FailOn,
}

/// A rule: its id, title, default severity and weight.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub title: &'static str,
    pub default_severity: Severity,
    pub weight: Weight,
}

/// Every rule, in the order of docs/vuln.md.
pub const RULES: [Rule; 15] = [
    input_missing::RULE,
    vuln_risk::RULE,
    vuln_existing::RULE,
    vex_waiver::RULE,
    vex_unsigned::RULE,
    vex_expired::RULE,
    vex_unmatched::RULE,
    vex_unjustified::RULE,
    sbom_invalid::RULE,
    sbom_empty::RULE,
    sbom_incomplete::RULE,
    sbom_no_dependencies::RULE,
    license_denied::RULE,
    license_not_allowed::RULE,
    license_unknown::RULE,
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// SARIF rule metadata.
pub fn rule_metas() -> Vec<RuleMeta> {
    RULES
        .iter()
        .map(|r| RuleMeta {
            id: r.id,
            title: r.title,
            default_severity: r.default_severity,
            help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/vuln.md#rules"),
        })
        .collect()
}
