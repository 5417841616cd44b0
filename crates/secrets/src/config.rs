//! The `secrets:` section of `.ci-intel/config.yml`, owned by this crate
//! and registered with the gate contract (see [`crate::gate`]).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `secrets` gate (`ci-intel-secrets scan`, and `ci-intel check`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsConfig {
    /// Run this gate in `ci-intel check`.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Pass when no file was scanned at all (an empty tree, a diff that only
    /// deletes). When false, scanning nothing is a denial.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
    /// Files larger than this many bytes are not scanned; they are counted
    /// in the summary as skipped. Higher is tighter (fewer files skipped).
    #[schemars(range(min = 1))]
    #[schemars(extend("x-ci-intel-tighten" = "higher"))]
    pub max_file_size: u64,
    /// The baseline file, relative to the repository root: fingerprints of
    /// known secrets, each with an owner, a reason and an expiry date. A
    /// baselined secret does not fail the gate until its entry expires.
    pub baseline: String,
    /// Rule ids that do not run (`jwt`, `generic-secret-assignment`...).
    /// Tighter means disabling only some of the locked rules.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub disabled_rules: Vec<String>,
    /// What is not a finding.
    pub allowlist: SecretsAllowlist,
    /// `ci-intel-secrets sweep`: the job environment check.
    pub sweep: SweepConfig,
}

/// Values and paths that are not findings. Each list, when locked, may only
/// be narrowed by a repository (a subset of the locked entries).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsAllowlist {
    /// Glob patterns of paths (relative to the scanned root, `/`-separated,
    /// `**` for any depth) that are not scanned at all.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub paths: Vec<String>,
    /// Regular expressions (Rust `regex` syntax); a secret value that one of
    /// them matches (anywhere in the value) is not a finding.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub regexes: Vec<String>,
    /// Words; a secret value that contains one of them (case-insensitively)
    /// is not a finding.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub stopwords: Vec<String>,
}

/// Settings of `ci-intel-secrets sweep`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SweepConfig {
    /// Environment variable names the sweep accepts even when their value
    /// looks like a long-lived credential. Tighter means accepting only some
    /// of the locked names.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub allowed_names: Vec<String>,
}

/// The default `secrets.max_file_size`: 4 MiB. Source files are far
/// smaller; larger files are data, bundles or build output, and reading
/// them whole would dominate the scan's memory.
pub const DEFAULT_SECRETS_MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// The default `secrets.baseline`.
pub const DEFAULT_SECRETS_BASELINE: &str = ".ci-intel/secrets-baseline.json";

impl Default for SecretsConfig {
    fn default() -> Self {
        SecretsConfig {
            enabled: true,
            allow_empty: false,
            max_file_size: DEFAULT_SECRETS_MAX_FILE_SIZE,
            baseline: DEFAULT_SECRETS_BASELINE.to_owned(),
            disabled_rules: Vec::new(),
            allowlist: SecretsAllowlist::default(),
            sweep: SweepConfig::default(),
        }
    }
}
