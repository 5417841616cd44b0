//! The `repro:` section of `.ci-intel/config.yml`, owned by this crate and
//! registered with the gate contract (see [`crate::gate`]).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `repro` gate (`ci-intel-repro`, and `ci-intel check`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReproConfig {
    /// Run this gate in `ci-intel check`.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Pass (as a skip) when `pairs` is empty. A plain repository has no
    /// second build to compare in its checkout, so the hub default is true.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
    /// Compare permission bits too.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub modes: bool,
    /// Outputs of two builds that must be identical: directories, manifests
    /// or files, relative to the repository root (written by
    /// `ci-intel-repro run --keep-outputs`, or by two jobs). Tighter means
    /// keeping every locked pair.
    #[schemars(extend("x-ci-intel-tighten" = "superset"))]
    pub pairs: Vec<ReproPair>,
}

impl Default for ReproConfig {
    fn default() -> Self {
        ReproConfig {
            enabled: true,
            allow_empty: true,
            modes: false,
            pairs: Vec::new(),
        }
    }
}

/// Two outputs that must be byte-identical.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReproPair {
    pub a: String,
    pub b: String,
}
