//! The keys core owns in `.ci-intel/config.yml` (`version`, `fail_on`,
//! `hub`, `lock`) and their defaults (the hub layer). Every other section
//! belongs to a tool and is declared by that tool's crate (see
//! [`super::SectionSpec`]); `schemas/config.schema.json` is composed from
//! this type and every section.
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
/// an org overlay (`--org-policy FILE`), then the repository's file. Besides
/// these keys, each gate owns a section (`policy:`, `secrets:`, ...).
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

impl Default for Config {
    fn default() -> Self {
        Config {
            version: CONFIG_VERSION,
            fail_on: Severity::High,
            hub: HubConfig::default(),
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

/// The keys of `.ci-intel/config.yml` that core owns; every other top-level
/// key is a section of a tool.
pub const CORE_KEYS: [&str; 4] = ["version", "fail_on", "hub", "lock"];
