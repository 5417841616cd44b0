//! The `oci:` section of `.ci-intel/config.yml`, owned by this crate and
//! registered with the gate contract (see [`crate::gate`]). The command
//! line reads the same section for its defaults.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `oci` gate (`ci-intel-oci`, and `ci-intel check`, which checks the
/// OCI image layouts listed under `layouts` offline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OciConfig {
    /// Run this gate in `ci-intel check`.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Pass (as a skip) when `layouts` is empty: a repository that builds no
    /// image has nothing here to check. A listed layout that is missing is
    /// always an error.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
    /// Kinds of evidence that must hang on the image digest, each as at
    /// least one referrer: `sbom`, `provenance`, `vex`, `signature`, or a
    /// kind added under `types`. Tighter means requiring more.
    #[schemars(extend("x-ci-intel-tighten" = "superset"))]
    pub require: Vec<String>,
    /// For a multi-arch index, require the evidence on every platform image
    /// (attestation entries, `unknown/unknown` or
    /// `vnd.docker.reference.type`, are skipped).
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub per_platform: bool,
    /// With `per_platform`, require it on the index as well.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub include_index: bool,
    /// Refuse the referrers tag schema fallback: only the OCI 1.1 referrers
    /// API counts.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub require_api: bool,
    /// Kind → artifact types (or in-toto predicate types) that name it;
    /// globs. Replaces the built-in list of a kind it names.
    pub types: BTreeMap<String, Vec<String>>,
    /// Check the content of required referrers (`--verify`).
    pub verify: VerifyConfig,
    /// What `parity` lets differ between platform images.
    pub parity: ParityConfig,
    /// Registry access for the `ci-intel-oci` command line.
    pub network: NetworkConfig,
    /// OCI image layouts in the checkout that `ci-intel check` verifies
    /// offline (what a build wrote with `--output type=oci` or `skopeo copy
    /// ... oci:DIR`). Tighter means keeping every locked entry.
    #[schemars(extend("x-ci-intel-tighten" = "superset"))]
    pub layouts: Vec<LayoutEntry>,
}

impl Default for OciConfig {
    fn default() -> Self {
        OciConfig {
            enabled: true,
            allow_empty: true,
            require: vec!["sbom".to_owned(), "provenance".to_owned()],
            per_platform: false,
            include_index: false,
            require_api: false,
            types: crate::kinds::default_types(),
            verify: VerifyConfig::default(),
            parity: ParityConfig::default(),
            network: NetworkConfig::default(),
            layouts: Vec::new(),
        }
    }
}

/// `--verify` and the identity provenance must prove.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct VerifyConfig {
    /// Verify by default (the command line's `--verify`).
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// `github.com/ORG/REPO` the provenance must name as its source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_uri: Option<String>,
    /// The tag the provenance must name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_tag: Option<String>,
    /// The branch the provenance must name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_branch: Option<String>,
    /// The builder id the provenance must name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub builder_id: Option<String>,
    /// `OWNER/REPO/PATH` of the workflow that must have signed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer_workflow: Option<String>,
    /// Sigstore instance whose embedded root verifies: `public-good` or
    /// `github`.
    pub instance: ci_intel_attest::config::SigstoreInstance,
    /// A `trusted_root.json` used instead of the embedded root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_root: Option<String>,
}

/// What may differ between the platform images of one index.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ParityConfig {
    /// Components allowed to differ per architecture: globs over the
    /// package URL without version (`pkg:deb/debian/libc6*`) or the name.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub allow: Vec<String>,
}

/// Timeouts and retries of registry calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkConfig {
    /// Seconds one request may take, connection included.
    #[schemars(range(min = 1, max = 600))]
    pub timeout_secs: u64,
    /// Retries of a request that failed to connect, timed out, or got a
    /// 429 or 5xx (each logged), before the run is an infrastructure error
    /// (exit 3).
    #[schemars(range(max = 10))]
    pub retries: u32,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            timeout_secs: 30,
            retries: 2,
        }
    }
}

/// One OCI image layout and what to check in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LayoutEntry {
    /// The layout directory, relative to the repository root.
    pub path: String,
    /// The image: a tag in the layout's `index.json`
    /// (`org.opencontainers.image.ref.name`) or `sha256:<hex>`.
    pub image: String,
    /// Kinds required of this image in addition to `oci.require` (an entry
    /// can only add to the requirement, never drop from it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require: Option<Vec<String>>,
    /// Check every platform image of this index even when
    /// `oci.per_platform` is false (an entry can only turn it on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_platform: Option<bool>,
    /// Also compare the platform SBOMs (`parity`).
    #[serde(default)]
    pub parity: bool,
}
