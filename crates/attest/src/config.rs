//! The `attest:` section of `.ci-intel/config.yml`, owned by this crate
//! and registered with the gate contract (see [`crate::gate`]).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `attest` gate (`ci-intel-attest`, and `ci-intel check`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AttestConfig {
    /// Run this gate in `ci-intel check`.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Pass when `artifacts` is empty. When false, a repository that
    /// configures no artifact is denied. A configured artifact whose files
    /// are missing is always a denial.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
    /// The Sigstore instance whose embedded trusted root verifies bundles:
    /// `public-good` (sigstore.dev) or `github` (GitHub's instance, used by
    /// `actions/attest` for private repositories).
    pub instance: SigstoreInstance,
    /// A `trusted_root.json` (relative to the repository root) used instead
    /// of the embedded root of `instance`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_root: Option<String>,
    /// Artifacts and what must be proven about them. Tighter means keeping
    /// every locked entry (a repository may add more).
    #[schemars(extend("x-ci-intel-tighten" = "superset"))]
    pub artifacts: Vec<AttestArtifact>,
}

impl Default for AttestConfig {
    fn default() -> Self {
        AttestConfig {
            enabled: true,
            allow_empty: true,
            instance: SigstoreInstance::PublicGood,
            trusted_root: None,
            artifacts: Vec::new(),
        }
    }
}

/// A Sigstore instance with an embedded trusted root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SigstoreInstance {
    /// The public-good instance (Fulcio and Rekor at sigstore.dev).
    #[default]
    PublicGood,
    /// GitHub's Sigstore instance.
    Github,
}

impl SigstoreInstance {
    pub fn as_str(self) -> &'static str {
        match self {
            SigstoreInstance::PublicGood => "public-good",
            SigstoreInstance::Github => "github",
        }
    }
}

/// One set of artifacts and the evidence that must verify for each of them.
/// Give `bundle` (with `cert_identity`, `cert_identity_regexp` or `key`),
/// `provenance` (with `source_uri`), or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttestArtifact {
    /// Artifact files: glob patterns relative to the repository root, or
    /// `sha256:<hex>` digests. A pattern that matches no file denies.
    #[schemars(length(min = 1))]
    pub paths: Vec<String>,
    /// A Sigstore bundle (`*.sigstore.json`) over the artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// SLSA provenance: a bundle or `.intoto.jsonl` whose in-toto statement
    /// names the artifact among its subjects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<String>,
    /// The signing certificate's SAN must equal this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_identity: Option<String>,
    /// The signing certificate's SAN must match this regular expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_identity_regexp: Option<String>,
    /// The OIDC issuer recorded in the signing certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_oidc_issuer: Option<String>,
    /// A PEM public key (relative to the repository root) for managed-key
    /// bundles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// `github.com/ORG/REPO` the provenance must name as its source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_uri: Option<String>,
    /// The tag the provenance must name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_tag: Option<String>,
    /// The branch the provenance must name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_branch: Option<String>,
    /// A release the provenance must name, semver-compatible with this one
    /// (`v1` takes any `v1.x.y` tag, `v1.2` any `v1.2.y`, `v1.2.3` only
    /// `v1.2.3`). At most one of `source_tag`, `source_branch` and
    /// `source_versioned_tag` may be set (more is a configuration error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_versioned_tag: Option<String>,
    /// The builder id the provenance must name (long form, or the short
    /// `...@vX.Y.Z` form). It is bound to the certificate's signer: the
    /// signer is that workflow at that release, or, for slsa-github-generator's
    /// trusted reusable workflows, its delegator workflow at a release tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builder_id: Option<String>,
    /// `OWNER/REPO/PATH` of the workflow that must have signed the provenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer_workflow: Option<String>,
}
