//! `--verify`: fetch the referrers of the required kinds and check their
//! content. An SBOM must parse (SPDX or CycloneDX JSON, bare or as an
//! in-toto attestation); provenance must verify with ci-intel-attest's
//! library against the configured identity, for this exact digest. Other
//! kinds are listed as not verified (no verifier for them here).

use ci_intel_attest::{ArtifactInput, ProvenancePolicy, ProvenanceRequest, TrustSelection};
use ci_intel_core::Failure;
use serde::Serialize;

use crate::discover::Referrer;
use crate::parse::Manifest;
use crate::sbom;
use crate::source::{MAX_BLOB_BYTES, Source};

/// What provenance must prove: the arguments of
/// `ci-intel-attest verify-provenance`.
#[derive(Debug, Clone)]
pub struct VerifyPolicy {
    /// `github.com/ORG/REPO`; required to verify provenance.
    pub source_uri: Option<String>,
    pub source_ref: Option<ci_intel_attest::SourceRef>,
    pub builder_id: Option<String>,
    pub signer_workflow: Option<String>,
    pub trust: TrustSelection,
}

/// The result of checking one referrer's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyOutcome {
    /// `pass`, `fail`, or `not-verified` (no verifier for the kind).
    pub result: &'static str,
    pub detail: String,
}

impl VerifyOutcome {
    pub fn passed(&self) -> bool {
        self.result != "fail"
    }

    fn pass(detail: impl Into<String>) -> VerifyOutcome {
        VerifyOutcome {
            result: "pass",
            detail: detail.into(),
        }
    }

    fn fail(detail: impl Into<String>) -> VerifyOutcome {
        VerifyOutcome {
            result: "fail",
            detail: detail.into(),
        }
    }
}

/// Check the content of `referrer` (of `kind`).
pub fn verify_referrer(
    source: &mut dyn Source,
    referrer: &Referrer,
    kind: &str,
    policy: &VerifyPolicy,
) -> Result<VerifyOutcome, Failure> {
    let Manifest::Image(manifest) = &referrer.manifest else {
        return Ok(VerifyOutcome::fail(
            "the referrer is an index, not a manifest with content layers",
        ));
    };
    if manifest.layers.is_empty() {
        return Ok(VerifyOutcome::fail("the referrer has no content layer"));
    }
    if let Some(big) = manifest.layers.iter().find(|l| l.size > MAX_BLOB_BYTES) {
        return Ok(VerifyOutcome::fail(format!(
            "layer {} is {} bytes, over the {MAX_BLOB_BYTES}-byte limit",
            big.digest, big.size
        )));
    }
    match kind {
        "sbom" => {
            let mut formats = Vec::new();
            for layer in &manifest.layers {
                let bytes = source.blob(layer)?;
                match sbom::parse_sbom(&bytes) {
                    Ok(doc) => formats.push(format!(
                        "{} ({} components)",
                        doc.format,
                        doc.components.len()
                    )),
                    Err(e) => {
                        return Ok(VerifyOutcome::fail(format!(
                            "layer {} ({}) is not an SBOM: {e}",
                            layer.digest, layer.media_type
                        )));
                    }
                }
            }
            Ok(VerifyOutcome::pass(format!(
                "parses: {}",
                formats.join(", ")
            )))
        }
        "provenance" => {
            let Some(source_uri) = policy.source_uri.as_deref() else {
                return Err(Failure::usage(
                    "--verify needs --source-uri github.com/ORG/REPO (oci.verify.source_uri) to verify provenance: without it any builder would pass",
                ));
            };
            let artifact = ArtifactInput::parse(&referrer.hangs_on.to_string()).map_err(|e| {
                Failure::usage(format!(
                    "provenance of {}: {} (ci-intel-attest verifies sha256 subjects)",
                    referrer.hangs_on, e.message
                ))
            })?;
            let dir = tempfile::tempdir()
                .map_err(|e| Failure::infra(format!("cannot create a temporary directory: {e}")))?;
            let mut passed = Vec::new();
            for (n, layer) in manifest.layers.iter().enumerate() {
                let bytes = source.blob(layer)?;
                let file = dir.path().join(format!("layer-{n}.intoto.jsonl"));
                std::fs::write(&file, &bytes)
                    .map_err(|e| Failure::infra(format!("cannot write {}: {e}", file.display())))?;
                let request = ProvenanceRequest {
                    artifacts: vec![artifact.clone()],
                    provenance: file,
                    policy: ProvenancePolicy::new(
                        source_uri,
                        policy.source_ref.clone(),
                        policy.builder_id.clone(),
                        policy.signer_workflow.as_deref(),
                    )?,
                    trust: policy.trust.clone(),
                };
                let outcome = match ci_intel_attest::verify_provenance(&request) {
                    Ok(outcome) => outcome,
                    // A layer the verifier cannot read is provenance that
                    // does not verify, not an outage.
                    Err(e) if e.code == ci_intel_core::ExitCode::Infra => {
                        return Ok(VerifyOutcome::fail(format!(
                            "layer {} ({}) cannot be read as provenance: {}",
                            layer.digest, layer.media_type, e.message
                        )));
                    }
                    Err(e) => return Err(e),
                };
                if !outcome.passed() {
                    let why = outcome
                        .findings
                        .iter()
                        .map(|f| f.message.clone())
                        .collect::<Vec<_>>()
                        .join("; ");
                    return Ok(VerifyOutcome::fail(format!(
                        "layer {} does not verify: {}",
                        layer.digest,
                        if why.is_empty() {
                            outcome.transcript.reason
                        } else {
                            why
                        }
                    )));
                }
                passed.push(layer.digest.short());
            }
            Ok(VerifyOutcome::pass(format!(
                "verified by ci-intel-attest for {}: {}",
                referrer.hangs_on,
                passed.join(", ")
            )))
        }
        other => Ok(VerifyOutcome {
            result: "not-verified",
            detail: format!("no verifier for {other} referrers"),
        }),
    }
}
