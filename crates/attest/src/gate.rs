//! The `attest` gate of `ci-intel check`: every artifact listed under
//! `attest.artifacts` must verify, offline, against its Sigstore bundle or
//! SLSA provenance (this crate's library, linked into the umbrella, so the
//! hub needs no second binary).
//!
//! The gate fails closed: a configured pattern that matches no file denies,
//! a bundle, provenance file or key that is present but malformed denies
//! (a `bundle-format` or `public-key` finding, as the command line), one
//! that cannot be read is an error (exit 3), and the verdict comes
//! from the verifier itself, never from `fail_on`: a failed signature check
//! must not read as a warning because an org set `fail_on: critical`.

use ci_intel_core::checkout::Checkout;
use ci_intel_core::config::SectionSpec;
use ci_intel_core::gate::{Gate, GateConfig, GateContext, GateRun, Input};
use ci_intel_core::{Failure, Finding, Location, RuleMeta, Severity, Verdict};

use crate::config::{AttestArtifact, AttestConfig, SigstoreInstance};
use crate::{ArtifactInput, IdentityPolicy, Instance, ProvenancePolicy, SourceRef, TrustSelection};

/// Where the section lives in `.ci-intel/config.yml`.
pub const SECTION: &str = "attest";

/// The config keys of an entry's ref policy, as errors name them.
const SOURCE_REF_KEYS: [&str; 3] = ["source_tag", "source_branch", "source_versioned_tag"];

/// The section, for tools that load the configuration themselves.
pub fn section() -> SectionSpec {
    SectionSpec::of::<AttestConfig>(SECTION)
}

/// The gate, as registered in the umbrella's list.
#[derive(Debug, Clone, Copy)]
pub struct AttestGate;

impl GateConfig for AttestConfig {
    fn enabled(&self) -> bool {
        self.enabled
    }
    fn allow_empty(&self) -> bool {
        self.allow_empty
    }
}

impl Gate for AttestGate {
    type Config = AttestConfig;

    fn id(&self) -> &'static str {
        "attest"
    }

    fn section_key(&self) -> &'static str {
        SECTION
    }

    fn summary(&self) -> &'static str {
        "Sigstore bundles and SLSA provenance of configured artifacts, offline (ci-intel-attest)"
    }

    fn rules(&self) -> Vec<RuleMeta> {
        rules()
    }

    fn run(&self, config: &AttestConfig, ctx: &GateContext<'_>) -> Result<GateRun, Failure> {
        if config.artifacts.is_empty() {
            return Ok(GateRun::nothing(
                "no artifact configured under attest.artifacts",
            ));
        }
        let outcome = run(ctx.checkout, config)?;
        Ok(GateRun {
            checked: outcome.checked,
            inputs: outcome.inputs,
            subjects: outcome.subjects,
            findings: outcome.findings,
            // The verifier's verdict, never `fail_on` (see the module docs).
            verdict: Some(outcome.verdict),
            ..GateRun::default()
        }
        .count("verified", outcome.verified))
    }
}

/// Rule id of a configured artifact pattern that matches no file.
pub const MISSING_ARTIFACT: &str = "attest-artifact-missing";

/// What the gate found.
#[derive(Debug, Clone)]
pub struct AttestGateOutcome {
    pub findings: Vec<Finding>,
    pub verdict: Verdict,
    /// What was verified, in words.
    pub checked: String,
    /// Bundles, provenance files and keys read, with their sha256.
    pub inputs: Vec<Input>,
    /// The artifacts judged, with their sha256.
    pub subjects: Vec<Input>,
    /// Artifact verifications made.
    pub verified: usize,
}

/// Every rule the gate can report.
pub fn rules() -> Vec<RuleMeta> {
    let mut rules = crate::verify::rule_metas();
    rules.push(RuleMeta {
        id: MISSING_ARTIFACT,
        title: "A configured artifact is missing",
        default_severity: Severity::High,
        help_uri: Some(
            "https://github.com/ci-intel/ci-intel/blob/main/docs/attest.md#configuration",
        ),
    });
    rules
}

/// Verify every configured artifact under `dir`. Each entry either
/// verifies, denies (a finding), or returns an error.
pub fn run(checkout: &Checkout, config: &AttestConfig) -> Result<AttestGateOutcome, Failure> {
    let dir = checkout.root();
    let mut inputs = Vec::new();
    let mut subjects = Vec::new();
    let trust = match &config.trusted_root {
        Some(file) => TrustSelection::File(dir.join(file)),
        None => TrustSelection::Embedded(match config.instance {
            SigstoreInstance::PublicGood => Instance::PublicGood,
            SigstoreInstance::Github => Instance::Github,
        }),
    };
    let mut findings = Vec::new();
    let mut denied = false;
    let mut verified = 0usize;
    for (index, entry) in config.artifacts.iter().enumerate() {
        let key = format!("attest.artifacts[{index}]");
        validate(entry, &key)?;
        let (artifacts, missing) = expand(checkout, &entry.paths, &key)?;
        for artifact in &artifacts {
            subjects.push(subject(artifact, dir)?);
        }
        for file in [&entry.bundle, &entry.provenance, &entry.key]
            .into_iter()
            .flatten()
        {
            if let Ok(bytes) = std::fs::read(dir.join(file)) {
                inputs.push(Input {
                    path: file.clone(),
                    sha256: ci_intel_core::canonical::sha256_hex(&bytes),
                });
            }
        }
        for pattern in missing {
            findings.push(
                Finding::new(
                    MISSING_ARTIFACT,
                    Severity::High,
                    format!("{key}: `{pattern}` matches no file: a configured artifact that is absent cannot be verified, so it is not a pass"),
                    Some(Location::file(".ci-intel/config.yml")),
                    &pattern,
                )
                .with_fix("build the artifact before `ci-intel check`, or correct the pattern in .ci-intel/config.yml"),
            );
        }
        if artifacts.is_empty() {
            continue;
        }
        if let Some(bundle) = &entry.bundle {
            let identity = match (&entry.cert_identity, &entry.cert_identity_regexp) {
                (Some(id), _) => Some(IdentityPolicy::Exact(id.clone())),
                (None, Some(re)) => Some(IdentityPolicy::regex(re).map_err(|e| {
                    Failure::usage(format!("{key}.cert_identity_regexp: {}", e.message))
                })?),
                (None, None) => None,
            };
            let request = crate::BundleRequest {
                artifacts: artifacts.clone(),
                bundle: dir.join(bundle),
                identity,
                issuer: entry.cert_oidc_issuer.clone(),
                key: entry.key.as_ref().map(|k| dir.join(k)),
                trust: trust.clone(),
            };
            let outcome = crate::verify_bundle(&request).map_err(|e| in_entry(&key, e))?;
            verified += artifacts.len();
            denied |= !outcome.passed();
            findings.extend(outcome.findings);
        }
        if let Some(provenance) = &entry.provenance {
            let source_ref = SourceRef::from_flags(
                entry.source_tag.as_deref(),
                entry.source_branch.as_deref(),
                entry.source_versioned_tag.as_deref(),
                SOURCE_REF_KEYS,
            )
            .map_err(|e| in_entry(&key, Failure::usage(e)))?;
            let source_uri = entry.source_uri.as_deref().unwrap_or_default();
            let policy = ProvenancePolicy::new(
                source_uri,
                source_ref,
                entry.builder_id.clone(),
                entry.signer_workflow.as_deref(),
            )
            .map_err(|e| in_entry(&key, e))?;
            let request = crate::ProvenanceRequest {
                artifacts: artifacts.clone(),
                provenance: dir.join(provenance),
                policy,
                trust: trust.clone(),
            };
            let outcome = crate::verify_provenance(&request).map_err(|e| in_entry(&key, e))?;
            verified += artifacts.len();
            denied |= !outcome.passed();
            findings.extend(outcome.findings);
        }
    }
    let denied = denied || !findings.is_empty();
    let verdict = if denied {
        Verdict::Deny
    } else {
        Verdict::Allow
    };
    let checked = format!(
        "{} artifact verification(s) over {} configured entr{}, {} finding(s)",
        verified,
        config.artifacts.len(),
        if config.artifacts.len() == 1 {
            "y"
        } else {
            "ies"
        },
        findings.len()
    );
    subjects.sort();
    subjects.dedup();
    inputs.sort();
    inputs.dedup();
    Ok(AttestGateOutcome {
        findings,
        verdict,
        checked,
        inputs,
        subjects,
        verified,
    })
}

/// Refuse an entry that could verify nothing, or that leaves the signer
/// open, before touching any file: these are configuration errors (exit 2).
fn validate(entry: &AttestArtifact, key: &str) -> Result<(), Failure> {
    if entry.paths.is_empty() {
        return Err(Failure::usage(format!(
            "{key}.paths is empty: list the artifact files (globs relative to the repository root) or sha256:<hex> digests to verify"
        )));
    }
    if entry.bundle.is_none() && entry.provenance.is_none() {
        return Err(Failure::usage(format!(
            "{key} has neither `bundle` nor `provenance`: give at least one, or the entry verifies nothing"
        )));
    }
    if entry.bundle.is_some() && entry.key.is_none() {
        if entry.cert_identity.is_none() && entry.cert_identity_regexp.is_none() {
            return Err(Failure::usage(format!(
                "{key}: `bundle` needs `cert_identity` or `cert_identity_regexp` (or `key` for a managed-key bundle): without one any Sigstore signer would pass"
            )));
        }
        if entry.cert_oidc_issuer.is_none() {
            return Err(Failure::usage(format!(
                "{key}: `bundle` needs `cert_oidc_issuer` (for GitHub Actions: https://token.actions.githubusercontent.com)"
            )));
        }
    }
    if entry.cert_identity.is_some() && entry.cert_identity_regexp.is_some() {
        return Err(Failure::usage(format!(
            "{key}: give `cert_identity` or `cert_identity_regexp`, not both"
        )));
    }
    if entry.provenance.is_some() && entry.source_uri.is_none() {
        return Err(Failure::usage(format!(
            "{key}: `provenance` needs `source_uri` (github.com/ORG/REPO), the repository the artifact must be built from"
        )));
    }
    // One ref policy at most, and a versioned tag that is semver: checked
    // here, before any file is read, by the same rule the flags follow.
    SourceRef::from_flags(
        entry.source_tag.as_deref(),
        entry.source_branch.as_deref(),
        entry.source_versioned_tag.as_deref(),
        SOURCE_REF_KEYS,
    )
    .map_err(|e| Failure::usage(format!("{key}: {e}")))?;
    Ok(())
}

/// The artifacts `patterns` name in the checkout (whether or not
/// `.gitignore` excludes them: artifacts are usually build outputs), and the
/// patterns that named nothing. A `sha256:` digest names itself.
fn expand(
    checkout: &Checkout,
    patterns: &[String],
    key: &str,
) -> Result<(Vec<ArtifactInput>, Vec<String>), Failure> {
    let mut artifacts = Vec::new();
    let mut missing = Vec::new();
    for pattern in patterns {
        if pattern.len() > 7 && pattern[..7].eq_ignore_ascii_case("sha256:") {
            artifacts.push(
                ArtifactInput::parse(pattern)
                    .map_err(|e| Failure::usage(format!("{key}.paths: {}", e.message)))?,
            );
            continue;
        }
        let found = checkout.find_unignored(pattern, &format!("{key}.paths"))?;
        if found.is_empty() {
            missing.push(pattern.clone());
        }
        artifacts.extend(
            found
                .into_iter()
                .map(|relative| ArtifactInput::File(checkout.root().join(relative))),
        );
    }
    Ok((artifacts, missing))
}

/// An artifact as an evidence subject: its path relative to the checkout
/// (or `sha256:<hex>` when known only by digest) and its sha256.
fn subject(artifact: &ArtifactInput, root: &std::path::Path) -> Result<Input, Failure> {
    Ok(match artifact {
        ArtifactInput::File(path) => {
            let bytes = std::fs::read(path).map_err(|e| {
                Failure::infra(format!("cannot read artifact {}: {e}", path.display()))
            })?;
            Input {
                path: path
                    .strip_prefix(root)
                    .unwrap_or(path)
                    .to_string_lossy()
                    .replace('\\', "/"),
                sha256: ci_intel_core::canonical::sha256_hex(&bytes),
            }
        }
        ArtifactInput::Sha256(digest) => {
            let hex = ci_intel_core::canonical::hex(digest);
            Input {
                path: format!("sha256:{hex}"),
                sha256: hex,
            }
        }
    })
}

fn in_entry(key: &str, failure: Failure) -> Failure {
    let Failure { code, message } = failure;
    Failure {
        code,
        message: format!("{key}: {message}"),
    }
}
