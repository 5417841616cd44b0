//! The `vuln:` section of `.ci-intel/config.yml`, owned by this crate and
//! registered with the gate contract (see [`crate::gate`]). The doc
//! comments are the reference (docs/config.md is generated from them).

use ci_intel_attest::config::SigstoreInstance;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `vuln` gate (`ci-intel-vuln check`, and `ci-intel check`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct VulnConfig {
    /// Run this gate in `ci-intel check`.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Pass (as a skip) when neither `sboms` nor `findings` is configured.
    /// When false, a repository that configures nothing to judge is
    /// denied. A configured path that matches no file is always a denial.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
    /// SBOMs (CycloneDX 1.2–1.7 or SPDX 2.2/2.3 JSON): glob patterns
    /// relative to the repository root.
    pub sboms: Vec<String>,
    /// Scanner reports (grype, trivy or osv-scanner JSON, CycloneDX with
    /// `vulnerabilities`, SARIF from grype or trivy): glob patterns.
    pub findings: Vec<String>,
    /// CISA's KEV catalog (JSON). Without it no finding is known to be
    /// exploited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kev: Option<String>,
    /// FIRST's EPSS scores (CSV).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss: Option<String>,
    /// VEX documents (OpenVEX, CycloneDX VEX, CSAF; bare with a Sigstore
    /// bundle beside them, or DSSE envelopes): glob patterns.
    pub vex: Vec<String>,
    /// The product the SBOM describes, as a purl, when the SBOM does not
    /// name it (`metadata.component`, SPDX's described package). VEX
    /// statements must be about this product to waive anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// A finding whose risk is at or above this denies unless a VEX
    /// statement waives it. Risk is 0–10 (docs/vuln.md). Lower is tighter.
    #[schemars(extend("x-ci-intel-tighten" = "lower"), range(min = 0.0, max = 10.0))]
    pub block_at: f64,
    /// The risk of a finding with neither a CVSS score nor an EPSS score.
    /// Higher is tighter.
    #[schemars(extend("x-ci-intel-tighten" = "higher"), range(min = 0.0, max = 10.0))]
    pub unscored_risk: f64,
    /// A VEX statement waives for this many days after its timestamp (its
    /// `last_updated` if later); an explicit `ci-intel:expires` can only
    /// shorten that. Lower is tighter.
    #[schemars(extend("x-ci-intel-tighten" = "lower"), range(min = 1))]
    pub vex_ttl_days: u32,
    /// A KEV or EPSS file older than this many days is an infrastructure
    /// error (exit 3), never a pass. Lower is tighter.
    #[schemars(extend("x-ci-intel-tighten" = "lower"), range(min = 1))]
    pub max_feed_age_days: u32,
    /// With a base (`--base-sbom`, `--base-findings`: a pull request), a
    /// risky finding the base already had is reported; true makes it deny
    /// as well. True is tighter.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub deny_existing: bool,
    /// Only signed VEX documents, by a configured signer, waive findings.
    /// False accepts unsigned documents (each is still reported). True is
    /// tighter.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub require_signed_vex: bool,
    /// Who may sign VEX documents. Tighter means keeping only some of the
    /// locked signers.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub vex_signers: Vec<VexSigner>,
    /// The Sigstore instance whose embedded trusted root verifies VEX
    /// bundles: `public-good` or `github`.
    pub vex_instance: SigstoreInstance,
    /// A `trusted_root.json` (relative to the repository root) used instead
    /// of the embedded root of `vex_instance`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vex_trusted_root: Option<String>,
    /// Licence policy for the components of the SBOMs.
    pub licenses: LicensePolicy,
    /// Where `--refresh` keeps the downloaded feeds (relative to the
    /// repository root).
    pub feed_cache: String,
}

impl Default for VulnConfig {
    fn default() -> Self {
        VulnConfig {
            enabled: true,
            allow_empty: true,
            sboms: Vec::new(),
            findings: Vec::new(),
            kev: None,
            epss: None,
            vex: Vec::new(),
            product: None,
            block_at: 7.0,
            unscored_risk: 10.0,
            vex_ttl_days: 90,
            max_feed_age_days: 7,
            deny_existing: false,
            require_signed_vex: true,
            vex_signers: Vec::new(),
            vex_instance: SigstoreInstance::PublicGood,
            vex_trusted_root: None,
            licenses: LicensePolicy::default(),
            feed_cache: ".ci-intel/cache/vuln".to_owned(),
        }
    }
}

/// A trusted VEX signer: a `key`, or an `identity` (or
/// `identity_regexp`) with its `issuer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VexSigner {
    /// A PEM public key file (relative to the repository root): verifies
    /// DSSE envelopes and managed-key Sigstore bundles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The Fulcio certificate's identity (SAN) must equal this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The Fulcio certificate's identity must match this regular expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_regexp: Option<String>,
    /// The OIDC issuer of the certificate (GitHub Actions:
    /// `https://token.actions.githubusercontent.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

/// Which licences components may carry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LicensePolicy {
    /// SPDX licence ids (optionally `ID WITH exception`) allowed. Unset:
    /// every licence not in `deny` is allowed. An expression passes when
    /// some choice of its `OR` branches uses allowed licences only. Tighter
    /// means keeping only some of the locked ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub allow: Option<Vec<String>>,
    /// SPDX licence ids (or `ID WITH exception`) never allowed. Tighter
    /// means keeping every locked id.
    #[schemars(extend("x-ci-intel-tighten" = "superset"))]
    pub deny: Vec<String>,
}
