//! The two verifications the tool offers, as library calls:
//! [`verify_bundle`] (cosign's `verify-blob --bundle`, `sigstore verify`)
//! and [`verify_provenance`] (slsa-verifier's `verify-artifact`,
//! `gh attestation verify`).
//!
//! Both return `Err` only when verification could not run: a usage error,
//! a file that cannot be read, trust material that cannot be used. A bundle
//! that does not verify is an [`Outcome`] whose verdict is deny, with every
//! check in its transcript; so is a bundle, provenance file or `--key` that
//! is present but malformed (it proves nothing about the artifact), with a
//! failed `bundle-format` or `public-key` check giving the reason.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use ci_intel_core::pipeline_run::PolicyDecision;
use ci_intel_core::{
    ExitCode, Failure, Finding, Location, Report, RuleMeta, Severity, ToolInfo, Verdict,
};
use sigstore_verify::Verifier;

use crate::artifact::{Artifact, ArtifactInput};
use crate::bundle::{LoadedBundle, Malformed, ReadError, read_bundles};
use crate::provenance::{self, GITHUB_ACTIONS_ISSUER, ProvenancePolicy, SourceRef};
use crate::signature::{IdentityPolicy, SignerPolicy, read_public_key, verify_bundle_for};
use crate::transcript::{ArtifactSummary, Check, CheckId, SCHEMA, Transcript, now_rfc3339};
use crate::trust::{self, TrustMaterial, TrustSelection};

/// `verify-bundle`: artifacts signed by a Sigstore bundle.
#[derive(Debug, Clone)]
pub struct BundleRequest {
    pub artifacts: Vec<ArtifactInput>,
    /// A `.sigstore.json` bundle, or a `.jsonl` file of them.
    pub bundle: PathBuf,
    /// Required unless `key` is given.
    pub identity: Option<IdentityPolicy>,
    /// Required unless `key` is given.
    pub issuer: Option<String>,
    /// A PEM public key: verify a managed-key bundle.
    pub key: Option<PathBuf>,
    pub trust: TrustSelection,
}

/// `verify-provenance`: artifacts built as SLSA provenance says.
#[derive(Debug, Clone)]
pub struct ProvenanceRequest {
    pub artifacts: Vec<ArtifactInput>,
    /// An `.intoto.jsonl` file (one bundle per line) or a single bundle.
    pub provenance: PathBuf,
    pub policy: ProvenancePolicy,
    pub trust: TrustSelection,
}

/// What a verification decided, with the evidence.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub transcript: Transcript,
    /// One finding per failed check of each artifact that was denied.
    pub findings: Vec<Finding>,
    /// `Allow` or `Deny`; never `Warn`.
    pub verdict: Verdict,
    pub time_ns: u64,
    /// The provenance statements that verified an artifact with no failed
    /// check (`verify-provenance` only), for `--print-provenance`.
    pub provenance: Vec<serde_json::Value>,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Allow
    }

    /// 0 when every artifact verified, 1 otherwise.
    pub fn exit_code(&self) -> ExitCode {
        self.verdict.exit_code()
    }

    /// The `policies[]` entry (pipeline_run v1.2) for this decision.
    pub fn decision(&self) -> PolicyDecision {
        PolicyDecision {
            id: format!("ci-intel/attest/{}", self.transcript.command),
            result: self.verdict,
            reason: Some(self.transcript.reason.clone()),
            docs_uri: Some(
                "https://github.com/ci-intel/ci-intel/blob/main/docs/attest.md".to_owned(),
            ),
            time_ns: Some(self.time_ns),
        }
    }

    /// The findings as a report for ci-intel-core's renderers.
    pub fn report(&self) -> Report {
        Report::new(tool_info(), rule_metas(), self.findings.clone())
    }
}

pub fn tool_info() -> ToolInfo {
    ToolInfo::new(crate::TOOL, env!("CARGO_PKG_VERSION"))
}

/// Every rule (= check) the tool can report, for SARIF.
pub fn rule_metas() -> Vec<RuleMeta> {
    CheckId::ALL
        .iter()
        .map(|id| RuleMeta {
            id: id.as_str(),
            title: id.title(),
            default_severity: Severity::High,
            help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/attest.md#checks"),
        })
        .collect()
}

/// Verify Sigstore bundles for artifacts.
pub fn verify_bundle(req: &BundleRequest) -> Result<Outcome, Failure> {
    let started = Instant::now();
    if req.artifacts.is_empty() {
        return Err(Failure::usage(
            "no artifact given: name at least one file or sha256:<hex> digest to verify",
        ));
    }
    // A malformed key is a denial, decided once the artifacts and the
    // trusted root are known to be usable; an unreadable one stops here.
    let (key, bad_key) = match req.key.as_deref().map(read_public_key).transpose() {
        Ok(key) => (key, None),
        Err(ReadError::Unreadable(failure)) => return Err(failure),
        Err(ReadError::Malformed(why)) => (None, Some(why)),
    };
    let policy = if req.key.is_some() {
        SignerPolicy {
            identity: req
                .identity
                .clone()
                .unwrap_or(IdentityPolicy::Unconstrained),
            issuer: req.issuer.clone(),
            key,
        }
    } else {
        let identity = req.identity.clone().ok_or_else(|| {
            Failure::usage(
                "--cert-identity or --cert-identity-regexp is required (or --key for a managed-key bundle): without it any Sigstore signer would pass",
            )
        })?;
        let issuer = req.issuer.clone().ok_or_else(|| {
            Failure::usage(
                "--cert-oidc-issuer is required with --cert-identity[-regexp], e.g. https://token.actions.githubusercontent.com",
            )
        })?;
        SignerPolicy {
            identity,
            issuer: Some(issuer),
            key: None,
        }
    };
    let artifacts = load_artifacts(&req.artifacts)?;
    let trust = trust::load(&req.trust)?;
    let bundles = read_bundles(&req.bundle);
    let verifier = verifier(&trust)?;

    let mut policy_record = BTreeMap::new();
    match &policy.identity {
        IdentityPolicy::Exact(v) => {
            policy_record.insert("cert-identity".to_owned(), v.clone());
        }
        IdentityPolicy::Regex(re) => {
            policy_record.insert("cert-identity-regexp".to_owned(), re.as_str().to_owned());
        }
        IdentityPolicy::Unconstrained => {}
    }
    if let Some(issuer) = &policy.issuer {
        policy_record.insert("cert-oidc-issuer".to_owned(), issuer.clone());
    }
    if let Some(path) = &req.key {
        policy_record.insert("key".to_owned(), path.display().to_string());
    }
    let evidence = vec![req.bundle.display().to_string()];
    // An unreadable bundle stops the verifier even when the key is malformed.
    if let Err(ReadError::Unreadable(failure)) = bundles {
        return Err(failure);
    }
    if let (Some(why), Some(path)) = (&bad_key, &req.key) {
        let origin = path.display().to_string();
        return Ok(refused(
            Refusal {
                command: "verify-bundle",
                check: CheckId::PublicKey,
                origin: &origin,
                why,
            },
            &trust,
            policy_record,
            evidence,
            &artifacts,
            started,
        ));
    }
    let bundles = match bundles {
        Ok(bundles) => bundles,
        Err(ReadError::Unreadable(failure)) => return Err(failure),
        Err(ReadError::Malformed(why)) => {
            let origin = req.bundle.display().to_string();
            return Ok(refused(
                Refusal {
                    command: "verify-bundle",
                    check: CheckId::BundleFormat,
                    origin: &origin,
                    why: &why,
                },
                &trust,
                policy_record,
                evidence,
                &artifacts,
                started,
            ));
        }
    };

    let mut per_artifact = Vec::new();
    for artifact in &artifacts {
        let mut attempts = Vec::new();
        for loaded in &bundles {
            let verification = verify_bundle_for(&verifier, &trust, loaded, artifact, &policy)?;
            attempts.push(Attempt {
                origin: loaded.origin.clone(),
                checks: verification.checks,
                statement: None,
            });
        }
        per_artifact.push((artifact, attempts));
    }
    Ok(finish(
        "verify-bundle",
        &trust,
        policy_record,
        evidence,
        per_artifact,
        started,
    ))
}

/// Verify SLSA provenance for artifacts.
pub fn verify_provenance(req: &ProvenanceRequest) -> Result<Outcome, Failure> {
    let started = Instant::now();
    if req.artifacts.is_empty() {
        return Err(Failure::usage(
            "no artifact given: name at least one file or sha256:<hex> digest to verify",
        ));
    }
    let artifacts = load_artifacts(&req.artifacts)?;
    let trust = trust::load(&req.trust)?;
    let bundles = read_bundles(&req.provenance);
    let verifier = verifier(&trust)?;
    let signer = SignerPolicy {
        identity: IdentityPolicy::Unconstrained,
        issuer: Some(GITHUB_ACTIONS_ISSUER.to_owned()),
        key: None,
    };

    let mut policy_record = BTreeMap::new();
    policy_record.insert("source-uri".to_owned(), req.policy.source_uri.clone());
    match &req.policy.source_ref {
        Some(SourceRef::Tag(t)) => {
            policy_record.insert("source-tag".to_owned(), t.clone());
        }
        Some(SourceRef::Branch(b)) => {
            policy_record.insert("source-branch".to_owned(), b.clone());
        }
        Some(versioned @ SourceRef::VersionedTag(_)) => {
            policy_record.insert("source-versioned-tag".to_owned(), versioned.expected());
        }
        None => {}
    }
    if let Some(id) = &req.policy.builder_id {
        policy_record.insert("builder-id".to_owned(), id.clone());
    }
    if let Some(wf) = &req.policy.signer_workflow {
        policy_record.insert("signer-workflow".to_owned(), wf.clone());
    }
    policy_record.insert(
        "cert-oidc-issuer".to_owned(),
        GITHUB_ACTIONS_ISSUER.to_owned(),
    );
    let evidence = vec![req.provenance.display().to_string()];
    let bundles = match bundles {
        Ok(bundles) => bundles,
        Err(ReadError::Unreadable(failure)) => return Err(failure),
        Err(ReadError::Malformed(why)) => {
            let origin = req.provenance.display().to_string();
            return Ok(refused(
                Refusal {
                    command: "verify-provenance",
                    check: CheckId::BundleFormat,
                    origin: &origin,
                    why: &why,
                },
                &trust,
                policy_record,
                evidence,
                &artifacts,
                started,
            ));
        }
    };
    let statements: Vec<(&LoadedBundle, Result<serde_json::Value, String>)> = bundles
        .iter()
        .map(|b| (b, provenance::statement_of(b)))
        .collect();

    let mut per_artifact = Vec::new();
    for artifact in &artifacts {
        let sha = artifact.sha256_hex();
        let mut attempts = Vec::new();
        // Only bundles whose statement names the artifact are candidates; a
        // provenance file may cover many artifacts.
        let candidates: Vec<&LoadedBundle> = statements
            .iter()
            .filter(|(_, s)| s.as_ref().is_ok_and(|s| provenance::names_digest(s, &sha)))
            .map(|(b, _)| *b)
            .collect();
        if candidates.is_empty() {
            let seen = statements
                .iter()
                .map(|(b, s)| match s {
                    Ok(s) => format!("{}: {}", b.origin, provenance::subject_list(s)),
                    Err(e) => format!("{}: {e}", b.origin),
                })
                .collect::<Vec<_>>()
                .join("; ");
            attempts.push(Attempt {
                origin: req.provenance.display().to_string(),
                checks: vec![
                    Check::fail(
                        CheckId::SubjectDigest,
                        &format!("{} via {}", artifact.name, req.provenance.display()),
                        "no statement in the provenance file names this artifact",
                    )
                    .expected(format!("sha256:{sha}"))
                    .actual(seen),
                ],
                statement: None,
            });
        }
        for loaded in candidates {
            let verification = verify_bundle_for(&verifier, &trust, loaded, artifact, &signer)?;
            let mut checks = verification.checks;
            let subject = format!("{} via {}", artifact.name, loaded.origin);
            let statement = match provenance::statement_of(loaded) {
                Ok(statement) => {
                    checks.extend(provenance::provenance_checks(
                        &subject,
                        &statement,
                        verification.certificate.as_ref(),
                        &req.policy,
                        &sha,
                    ));
                    Some(statement)
                }
                Err(why) => {
                    checks.push(Check::fail(CheckId::StatementType, &subject, why));
                    None
                }
            };
            attempts.push(Attempt {
                origin: loaded.origin.clone(),
                checks,
                statement,
            });
        }
        per_artifact.push((artifact, attempts));
    }
    Ok(finish(
        "verify-provenance",
        &trust,
        policy_record,
        evidence,
        per_artifact,
        started,
    ))
}

/// Malformed evidence, and what it was.
#[derive(Clone, Copy)]
struct Refusal<'a> {
    command: &'static str,
    /// `bundle-format` for a bundle or provenance file, `public-key` for a key.
    check: CheckId,
    /// The file.
    origin: &'a str,
    why: &'a Malformed,
}

/// The denial for malformed evidence: one failed check per artifact, with
/// the reason, and nothing else established.
fn refused(
    refusal: Refusal<'_>,
    trust: &TrustMaterial,
    policy: BTreeMap<String, String>,
    evidence: Vec<String>,
    artifacts: &[Artifact],
    started: Instant,
) -> Outcome {
    let per_artifact = artifacts
        .iter()
        .map(|artifact| {
            let subject = format!("{} via {}", artifact.name, refusal.origin);
            let check = Check::fail(
                refusal.check,
                &subject,
                format!(
                    "malformed evidence proves nothing about the artifact: {}",
                    refusal.why
                ),
            );
            (
                artifact,
                vec![Attempt {
                    origin: refusal.origin.to_owned(),
                    checks: vec![check],
                    statement: None,
                }],
            )
        })
        .collect();
    finish(
        refusal.command,
        trust,
        policy,
        evidence,
        per_artifact,
        started,
    )
}

/// The checks of verifying one artifact with one bundle.
struct Attempt {
    origin: String,
    checks: Vec<Check>,
    /// The provenance statement this attempt checked, if it had one.
    statement: Option<serde_json::Value>,
}

impl Attempt {
    fn passed(&self) -> bool {
        !self.checks.is_empty() && !self.checks.iter().any(Check::failed)
    }
}

fn load_artifacts(inputs: &[ArtifactInput]) -> Result<Vec<Artifact>, Failure> {
    inputs.iter().map(Artifact::load).collect()
}

fn verifier(trust: &TrustMaterial) -> Result<Verifier, Failure> {
    Verifier::new(&trust.root).map_err(|e| {
        Failure::infra(format!(
            "the trusted root ({}) cannot be used: {e}; nothing was verified",
            trust.summary.source
        ))
    })
}

/// An artifact passes when at least one bundle verifies it with no failed
/// check; the run passes when every artifact does.
fn finish(
    command: &'static str,
    trust: &TrustMaterial,
    policy: BTreeMap<String, String>,
    evidence: Vec<String>,
    per_artifact: Vec<(&Artifact, Vec<Attempt>)>,
    started: Instant,
) -> Outcome {
    let mut checks = Vec::new();
    let mut findings = Vec::new();
    let mut summaries = Vec::new();
    let mut denied = Vec::new();
    let mut provenance = Vec::new();
    for (artifact, attempts) in per_artifact {
        let passed = attempts.iter().any(Attempt::passed);
        for attempt in attempts.iter().filter(|a| a.passed()) {
            if let Some(statement) = &attempt.statement
                && !provenance.contains(statement)
            {
                provenance.push(statement.clone());
            }
        }
        if !passed {
            denied.push(artifact.name.clone());
            for attempt in &attempts {
                for check in attempt.checks.iter().filter(|c| c.failed()) {
                    let file = attempt
                        .origin
                        .rsplit_once(':')
                        .filter(|(_, line)| line.chars().all(|c| c.is_ascii_digit()))
                        .map(|(file, _)| file.to_owned())
                        .unwrap_or_else(|| attempt.origin.clone());
                    let line = attempt
                        .origin
                        .rsplit_once(':')
                        .and_then(|(_, line)| line.parse::<u32>().ok());
                    let location = match line {
                        Some(line) => Location::at(file, line, None),
                        None => Location::file(file),
                    };
                    findings.push(
                        Finding::new(
                            check.id.as_str(),
                            Severity::High,
                            check.message(),
                            Some(location),
                            &format!("{}\0{}", artifact.sha256_hex(), check.subject),
                        )
                        .with_fix(check.id.fix_hint()),
                    );
                }
            }
        }
        summaries.push(ArtifactSummary {
            name: artifact.name.clone(),
            sha256: artifact.sha256_hex(),
            result: if passed { "pass" } else { "deny" }.to_owned(),
        });
        for attempt in attempts {
            checks.extend(attempt.checks);
        }
    }
    let verdict = if denied.is_empty() {
        Verdict::Allow
    } else {
        Verdict::Deny
    };
    let reason = if denied.is_empty() {
        format!(
            "{command}: {} artifact(s) verified ({} checks)",
            summaries.len(),
            checks.len()
        )
    } else {
        let first = checks
            .iter()
            .find(|c| c.failed())
            .map(Check::describe)
            .unwrap_or_default();
        format!(
            "{command}: {} of {} artifact(s) denied ({}); first failure: {first}",
            denied.len(),
            summaries.len(),
            denied.join(", ")
        )
    };
    Outcome {
        transcript: Transcript {
            schema: SCHEMA,
            tool: crate::TOOL.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            command,
            verified_at: now_rfc3339(),
            trusted_root: trust.summary.clone(),
            policy,
            evidence,
            artifacts: summaries,
            checks,
            result: verdict_word(verdict).to_owned(),
            reason,
        },
        findings,
        verdict,
        time_ns: u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX),
        // Printed only when every artifact verified: a partial pass proves
        // nothing about the run.
        provenance: if denied.is_empty() {
            provenance
        } else {
            Vec::new()
        },
    }
}

fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Allow => "pass",
        _ => "deny",
    }
}
