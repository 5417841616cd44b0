//! The two configuration sections this crate owns: `evidence:` (what a
//! release bundle must prove) and `sarif:` (suppressions and merge
//! settings; its `enabled`/`allow_empty` belong to the `sarif` gate).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use ci_intel_core::config::SectionSpec;

/// Where the evidence section lives.
pub const EVIDENCE_SECTION: &str = "evidence";
/// Where the SARIF section lives.
pub const SARIF_SECTION: &str = "sarif";

/// The `evidence:` section, for tools that load the configuration themselves.
pub fn evidence_section() -> SectionSpec {
    SectionSpec::of::<EvidenceConfig>(EVIDENCE_SECTION)
}

/// The `sarif:` section.
pub fn sarif_section() -> SectionSpec {
    SectionSpec::of::<SarifConfig>(SARIF_SECTION)
}

/// What `ci-intel-evidence verify` requires of a release's evidence bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EvidenceConfig {
    /// Gate ids (as `ci-intel check --list` shows them) whose statement must
    /// be in the bundle, `allow`, about the release's commit and subject,
    /// fresh and validly signed. A repository may add gates to a locked
    /// list, never remove one.
    #[schemars(extend("x-ci-intel-tighten" = "superset"))]
    pub required: Vec<String>,
    /// The oldest a gate statement may be, in hours, when the bundle is
    /// verified (counted from the end of the gate's run). Lower is tighter.
    #[schemars(range(min = 1, max = 87600))]
    #[schemars(extend("x-ci-intel-tighten" = "lower"))]
    pub max_age_hours: u64,
    /// The rollback plan the Go/No-Go memo shows.
    pub rollback: RollbackConfig,
    /// The URI the Verification Summary Attestation names as its policy
    /// (default: the repository's `.ci-intel/config.yml` at the release
    /// commit). The policy digest is always the effective configuration's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_uri: Option<String>,
}

/// How to undo a release, and who decides.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RollbackConfig {
    /// The plan, in one or a few sentences (a runbook link is fine).
    pub plan: String,
    /// Who owns the rollback decision (a person or a team handle).
    pub owner: String,
}

/// The default `evidence.max_age_hours`: one week.
pub const DEFAULT_MAX_AGE_HOURS: u64 = 168;

impl Default for EvidenceConfig {
    fn default() -> Self {
        EvidenceConfig {
            // The gates that have something to check in every repository
            // that uses GitHub Actions.
            required: vec!["policy".to_owned(), "secrets".to_owned()],
            max_age_hours: DEFAULT_MAX_AGE_HOURS,
            rollback: RollbackConfig::default(),
            policy_uri: None,
        }
    }
}

/// SARIF hygiene: suppressions (the `sarif` gate of `ci-intel check`) and
/// `ci-intel sarif merge`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SarifConfig {
    /// Run the `sarif` gate (the suppressions file) in `ci-intel check`.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Pass (as a skip) when the repository has no suppressions file. When
    /// false, a missing file is a denial.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
    /// The suppressions file, relative to the repository root.
    pub suppressions: String,
    /// The longest a suppression may last: its `expires` at most this many
    /// days after its `created`. Lower is tighter.
    #[schemars(range(min = 1, max = 3650))]
    #[schemars(extend("x-ci-intel-tighten" = "lower"))]
    pub max_suppression_days: u32,
    /// Extra rule alias groups for `sarif merge`: each key names a group,
    /// its list the rule ids (of any tool) that report the same problem.
    /// Results of different tools at the same place whose rules share a
    /// group are merged. Adds to the built-in table (docs/evidence.md).
    pub aliases: BTreeMap<String, Vec<String>>,
}

/// The default `sarif.suppressions`.
pub const DEFAULT_SUPPRESSIONS_PATH: &str = ".ci-intel/suppressions.yml";
/// The default `sarif.max_suppression_days`.
pub const DEFAULT_MAX_SUPPRESSION_DAYS: u32 = 30;

impl Default for SarifConfig {
    fn default() -> Self {
        SarifConfig {
            enabled: true,
            allow_empty: true,
            suppressions: DEFAULT_SUPPRESSIONS_PATH.to_owned(),
            max_suppression_days: DEFAULT_MAX_SUPPRESSION_DAYS,
            aliases: BTreeMap::new(),
        }
    }
}
