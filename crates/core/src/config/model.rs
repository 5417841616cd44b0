//! The configuration model: `.ci-intel/config.yml`, its defaults (the hub
//! layer) and the JSON Schema generated from it (`schemas/config.schema.json`).
//!
//! Every field's doc comment is its documentation in the schema. A field that
//! an org may lock declares which direction is tighter with the
//! `x-ci-intel-tighten` schema keyword; the lock check reads it from the
//! generated schema, so the rule and its documentation are one thing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::findings::Severity;

/// The only configuration format version this release reads.
pub const CONFIG_VERSION: u32 = 1;

/// ci-intel configuration (`.ci-intel/config.yml`). Layers: hub defaults, then
/// an org overlay (`--org-policy FILE`), then the repository's file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(title = "ci-intel configuration")]
pub struct Config {
    /// Configuration format version. This release reads version 1.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// A finding at or above this severity makes a gate deny. Lower is
    /// tighter: an org that locks `high` lets a repository choose `medium`.
    #[schemars(extend("x-ci-intel-tighten" = "lower-severity"))]
    pub fail_on: Severity,
    /// The hub repository this repository consumes.
    pub hub: HubConfig,
    /// Per-gate settings.
    pub gates: Gates,
    /// Org overlay only: dotted keys (`gates.telemetry.allow_empty`) that a
    /// repository may only tighten. A repository file that sets `lock` is a
    /// configuration error.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lock: Vec<String>,
}

/// How this repository consumes the hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct HubConfig {
    /// `OWNER/REPO` of the ci-intel hub. `ci-intel init` writes it; when unset,
    /// any repository named `ci-intel` counts as the hub.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"))]
    pub repository: Option<String>,
    /// Every hub reference must carry Renovate's `# vX.Y.Z` comment next to
    /// its SHA, so humans and Renovate can read the version.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub require_version_comment: bool,
}

/// Per-gate settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Gates {
    /// Hub references in workflows must be pinned to a full commit SHA.
    pub hub_pins: HubPinsGate,
    /// pipeline_run records kept in the repository must validate.
    pub telemetry: TelemetryGate,
}

/// The `hub_pins` gate (`ci-intel doctor`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct HubPinsGate {
    /// Run this gate.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Pass when the repository has no workflow that references the hub. When
    /// false, finding no hub reference is a denial.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
}

/// The `telemetry` gate: validates pipeline_run NDJSON kept in the repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TelemetryGate {
    /// Run this gate.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Glob patterns (relative to the repository root) of pipeline_run NDJSON
    /// files to validate.
    pub records: Vec<String>,
    /// Pass when no file matches `records`. When false, no records is a denial.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            version: CONFIG_VERSION,
            fail_on: Severity::High,
            hub: HubConfig::default(),
            gates: Gates::default(),
            lock: Vec::new(),
        }
    }
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            repository: None,
            require_version_comment: true,
        }
    }
}

impl Default for HubPinsGate {
    fn default() -> Self {
        HubPinsGate {
            enabled: true,
            allow_empty: true,
        }
    }
}

impl Default for TelemetryGate {
    fn default() -> Self {
        TelemetryGate {
            enabled: true,
            records: vec![
                ".ci-intel/telemetry/**/*.ndjson".to_owned(),
                "**/*.pipeline_run.ndjson".to_owned(),
            ],
            allow_empty: true,
        }
    }
}

/// The JSON Schema of the configuration, as committed in
/// `schemas/config.schema.json` (a test keeps the two identical).
pub fn config_schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Config)).unwrap_or_default();
    if let Some(object) = schema.as_object_mut() {
        object.insert(
            "$id".to_owned(),
            serde_json::Value::String(
                "https://github.com/ci-intel/ci-intel/schemas/config.schema.json".to_owned(),
            ),
        );
    }
    schema
}
