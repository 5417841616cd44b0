//! The verification transcript: every check made, on what, the values
//! compared and the result. It is what goes into the release evidence bundle
//! (`--transcript FILE`), so a reader can see what was established without
//! re-running anything, and also what was *not* (checks that were not
//! reached, or that do not apply to this kind of bundle).

use std::collections::BTreeMap;

use serde::Serialize;

/// The `schema` value of a transcript.
pub const SCHEMA: &str = "ci-intel-attest-transcript/v1";

/// Every check the tool can make. The id doubles as the finding's rule id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckId {
    /// The bundle (or `.intoto.jsonl` line) parses and has a supported media type.
    BundleFormat,
    /// The bundle carries what its version requires (inclusion proof or
    /// promise, a source of signing time, a single certificate in v0.3).
    BundleStructure,
    /// The artifact's digest is the one the bundle signs (message digest or
    /// DSSE statement subject).
    ArtifactDigest,
    /// The signature verifies over the artifact or the DSSE envelope.
    Signature,
    /// Managed-key bundles: the bundle is verified with `--key`.
    PublicKey,
    /// The certificate chains to a Fulcio CA of the trusted root that was
    /// valid at signing time, with the code-signing usage.
    CertificateChain,
    /// Every verified signing time lies within the certificate's validity.
    CertificateValidity,
    /// The certificate's embedded SCT verifies against a trusted CT log.
    CertificateSct,
    /// The certificate's subject alternative name matches the policy.
    CertificateIdentity,
    /// The certificate's OIDC issuer extension matches the policy.
    CertificateIssuer,
    /// The transparency-log entry describes this bundle's signature, key and
    /// artifact.
    TlogEntry,
    /// The Merkle inclusion proof leads from the entry to the root hash.
    TlogInclusionProof,
    /// The checkpoint carrying that root hash is signed by the entry's log.
    TlogCheckpoint,
    /// The signed entry timestamp (SET, inclusion promise) verifies.
    TlogSet,
    /// The log's integrated time is not in the future and lies within the
    /// certificate's validity.
    TlogIntegratedTime,
    /// RFC 3161 timestamps verify against a trusted TSA.
    TimestampRfc3161,
    /// At least one verified source of signing time exists.
    SigningTime,
    /// A catch-all for verifier errors not classified above.
    Verification,
    /// Provenance: the in-toto statement type is v0.1 or v1.
    StatementType,
    /// Provenance: the predicate is SLSA provenance v0.2 or v1.
    PredicateType,
    /// Provenance: the artifact's digest is among the statement's subjects.
    SubjectDigest,
    /// Provenance: the predicate's builder id is the one required.
    BuilderId,
    /// Provenance: the predicate's builder is the workflow that signed the
    /// certificate.
    BuilderSigner,
    /// Provenance: the certificate was signed by the required workflow.
    SignerWorkflow,
    /// Provenance: the predicate's source repository is the one required.
    SourceUri,
    /// Provenance: the certificate's source repository (Fulcio extension) is
    /// the one required.
    SourceUriCertificate,
    /// Provenance: the predicate's source ref (tag or branch) is the one required.
    SourceRef,
    /// Provenance: the certificate's source ref (Fulcio extension) is the one
    /// required.
    SourceRefCertificate,
}

impl CheckId {
    pub const ALL: [CheckId; 28] = [
        CheckId::BundleFormat,
        CheckId::BundleStructure,
        CheckId::ArtifactDigest,
        CheckId::Signature,
        CheckId::PublicKey,
        CheckId::CertificateChain,
        CheckId::CertificateValidity,
        CheckId::CertificateSct,
        CheckId::CertificateIdentity,
        CheckId::CertificateIssuer,
        CheckId::TlogEntry,
        CheckId::TlogInclusionProof,
        CheckId::TlogCheckpoint,
        CheckId::TlogSet,
        CheckId::TlogIntegratedTime,
        CheckId::TimestampRfc3161,
        CheckId::SigningTime,
        CheckId::Verification,
        CheckId::StatementType,
        CheckId::PredicateType,
        CheckId::SubjectDigest,
        CheckId::BuilderId,
        CheckId::BuilderSigner,
        CheckId::SignerWorkflow,
        CheckId::SourceUri,
        CheckId::SourceUriCertificate,
        CheckId::SourceRef,
        CheckId::SourceRefCertificate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::BundleFormat => "bundle-format",
            CheckId::BundleStructure => "bundle-structure",
            CheckId::ArtifactDigest => "artifact-digest",
            CheckId::Signature => "signature",
            CheckId::PublicKey => "public-key",
            CheckId::CertificateChain => "certificate-chain",
            CheckId::CertificateValidity => "certificate-validity",
            CheckId::CertificateSct => "certificate-sct",
            CheckId::CertificateIdentity => "certificate-identity",
            CheckId::CertificateIssuer => "certificate-issuer",
            CheckId::TlogEntry => "tlog-entry",
            CheckId::TlogInclusionProof => "tlog-inclusion-proof",
            CheckId::TlogCheckpoint => "tlog-checkpoint",
            CheckId::TlogSet => "tlog-set",
            CheckId::TlogIntegratedTime => "tlog-integrated-time",
            CheckId::TimestampRfc3161 => "timestamp-rfc3161",
            CheckId::SigningTime => "signing-time",
            CheckId::Verification => "verification",
            CheckId::StatementType => "statement-type",
            CheckId::PredicateType => "predicate-type",
            CheckId::SubjectDigest => "subject-digest",
            CheckId::BuilderId => "builder-id",
            CheckId::BuilderSigner => "builder-signer",
            CheckId::SignerWorkflow => "signer-workflow",
            CheckId::SourceUri => "source-uri",
            CheckId::SourceUriCertificate => "source-uri-certificate",
            CheckId::SourceRef => "source-ref",
            CheckId::SourceRefCertificate => "source-ref-certificate",
        }
    }

    /// One line for SARIF rule metadata and the docs.
    pub fn title(self) -> &'static str {
        match self {
            CheckId::BundleFormat => "The bundle parses and has a supported media type",
            CheckId::BundleStructure => "The bundle carries the evidence its version requires",
            CheckId::ArtifactDigest => "The bundle signs this artifact's digest",
            CheckId::Signature => "The signature verifies",
            CheckId::PublicKey => "A managed-key bundle verifies with the given key",
            CheckId::CertificateChain => {
                "The certificate chains to a trusted Fulcio CA valid at signing time"
            }
            CheckId::CertificateValidity => "Signing time lies within the certificate's validity",
            CheckId::CertificateSct => "The certificate's SCT verifies against a trusted CT log",
            CheckId::CertificateIdentity => "The certificate identity (SAN) matches the policy",
            CheckId::CertificateIssuer => "The certificate's OIDC issuer matches the policy",
            CheckId::TlogEntry => "The transparency-log entry describes this bundle",
            CheckId::TlogInclusionProof => "The Merkle inclusion proof verifies",
            CheckId::TlogCheckpoint => "The checkpoint is signed by the entry's log",
            CheckId::TlogSet => "The signed entry timestamp (SET) verifies",
            CheckId::TlogIntegratedTime => {
                "Integrated time is in the past and within the certificate's validity"
            }
            CheckId::TimestampRfc3161 => "RFC 3161 timestamps verify against a trusted TSA",
            CheckId::SigningTime => "A verified signing time exists",
            CheckId::Verification => "Sigstore verification",
            CheckId::StatementType => "The in-toto statement type is supported",
            CheckId::PredicateType => "The predicate is SLSA provenance v0.2 or v1",
            CheckId::SubjectDigest => "The artifact is a subject of the statement",
            CheckId::BuilderId => "The builder id is the one required",
            CheckId::BuilderSigner => "The predicate's builder is the certificate's signer",
            CheckId::SignerWorkflow => "The certificate was signed by the required workflow",
            CheckId::SourceUri => "The predicate's source repository is the one required",
            CheckId::SourceUriCertificate => {
                "The certificate's source repository is the one required"
            }
            CheckId::SourceRef => "The predicate's source ref is the one required",
            CheckId::SourceRefCertificate => "The certificate's source ref is the one required",
        }
    }

    /// What a user should do when the check fails.
    pub fn fix_hint(self) -> &'static str {
        match self {
            CheckId::BundleFormat | CheckId::BundleStructure => {
                "re-create the bundle with a current Sigstore client (cosign, gh attestation, sigstore-python)"
            }
            CheckId::ArtifactDigest | CheckId::SubjectDigest => {
                "check that the artifact is the one that was signed (same bytes, same digest)"
            }
            CheckId::CertificateIdentity | CheckId::CertificateIssuer => {
                "check --cert-identity/--cert-identity-regexp and --cert-oidc-issuer against the signer you trust"
            }
            CheckId::PublicKey => "pass the managed key that signed the bundle with --key",
            CheckId::CertificateChain | CheckId::CertificateSct | CheckId::TimestampRfc3161 => {
                "check the Sigstore instance (--instance) or --trusted-root; refresh it with --refresh if keys rotated"
            }
            CheckId::BuilderId | CheckId::BuilderSigner | CheckId::SignerWorkflow => {
                "only trust provenance signed by the builder you expect; a mismatch can be a forged attestation"
            }
            CheckId::SourceUri
            | CheckId::SourceUriCertificate
            | CheckId::SourceRef
            | CheckId::SourceRefCertificate => {
                "check --source-uri and --source-tag/--source-branch against where the artifact was built"
            }
            _ => "do not trust this artifact: its signature evidence does not verify",
        }
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckResult {
    Pass,
    Fail,
    /// The check does not apply (e.g. an SCT for a managed-key bundle); the
    /// detail says why.
    NotApplicable,
    /// Verification stopped at an earlier failure, so this was not
    /// established either way.
    NotReached,
}

impl CheckResult {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckResult::Pass => "pass",
            CheckResult::Fail => "fail",
            CheckResult::NotApplicable => "not-applicable",
            CheckResult::NotReached => "not-reached",
        }
    }
}

/// One check made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub id: CheckId,
    /// What was checked: the artifact and the bundle it was checked with
    /// (`artifact` via `file[:line]`).
    pub subject: String,
    pub result: CheckResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Check {
    pub fn new(id: CheckId, subject: &str, result: CheckResult) -> Self {
        Check {
            id,
            subject: subject.to_owned(),
            result,
            expected: None,
            actual: None,
            detail: None,
        }
    }

    pub fn pass(id: CheckId, subject: &str) -> Self {
        Check::new(id, subject, CheckResult::Pass)
    }

    pub fn fail(id: CheckId, subject: &str, detail: impl Into<String>) -> Self {
        Check::new(id, subject, CheckResult::Fail).detail(detail)
    }

    /// Pass when `ok`, fail otherwise.
    pub fn compare(id: CheckId, subject: &str, ok: bool) -> Self {
        let result = if ok {
            CheckResult::Pass
        } else {
            CheckResult::Fail
        };
        Check::new(id, subject, result)
    }

    pub fn not_applicable(id: CheckId, subject: &str, why: impl Into<String>) -> Self {
        Check::new(id, subject, CheckResult::NotApplicable).detail(why)
    }

    pub fn expected(mut self, value: impl Into<String>) -> Self {
        self.expected = Some(value.into());
        self
    }

    pub fn actual(mut self, value: impl Into<String>) -> Self {
        self.actual = Some(value.into());
        self
    }

    pub fn detail(mut self, value: impl Into<String>) -> Self {
        self.detail = Some(value.into());
        self
    }

    pub fn failed(&self) -> bool {
        self.result == CheckResult::Fail
    }

    /// One line for a human: what failed, with expected and actual values.
    pub fn describe(&self) -> String {
        format!("[{}] {}", self.id, self.message())
    }

    /// As [`Check::describe`] without the id (a finding carries it already).
    pub fn message(&self) -> String {
        let mut text = self.subject.clone();
        if let Some(detail) = &self.detail {
            text.push_str(": ");
            text.push_str(detail);
        }
        if let Some(expected) = &self.expected {
            text.push_str(&format!("; expected: {expected}"));
        }
        if let Some(actual) = &self.actual {
            text.push_str(&format!("; actual: {actual}"));
        }
        text
    }
}

/// Where the trusted root came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustSummary {
    /// `embedded public-good`, `embedded github`, `file PATH` or `tuf URL`.
    pub source: String,
    /// SHA-256 of the trusted root JSON as used.
    pub sha256: String,
}

/// An artifact as verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArtifactSummary {
    pub name: String,
    pub sha256: String,
    /// `pass` or `deny` for this artifact.
    pub result: String,
}

/// The whole record of one run.
#[derive(Debug, Clone, Serialize)]
pub struct Transcript {
    pub schema: &'static str,
    pub tool: String,
    pub version: String,
    /// `verify-bundle` or `verify-provenance`.
    pub command: &'static str,
    /// RFC 3339, UTC.
    pub verified_at: String,
    pub trusted_root: TrustSummary,
    /// The policy as requested (flag name to value).
    pub policy: BTreeMap<String, String>,
    /// The bundle or provenance files read.
    pub evidence: Vec<String>,
    pub artifacts: Vec<ArtifactSummary>,
    pub checks: Vec<Check>,
    /// `pass`, `deny`, or `could-not-verify` (written by the command line
    /// when verification could not run; see [`Transcript::could_not_verify`]).
    pub result: String,
    pub reason: String,
}

impl Transcript {
    /// A transcript for a run that could not verify anything (exit 3) or was
    /// misused (exit 2): no checks, only the reason.
    pub fn could_not_verify(
        command: &'static str,
        reason: &str,
        code: ci_intel_core::ExitCode,
    ) -> Self {
        Transcript {
            schema: SCHEMA,
            tool: crate::TOOL.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            command,
            verified_at: now_rfc3339(),
            trusted_root: TrustSummary {
                source: String::new(),
                sha256: String::new(),
            },
            policy: BTreeMap::new(),
            evidence: Vec::new(),
            artifacts: Vec::new(),
            checks: Vec::new(),
            result: match code {
                ci_intel_core::ExitCode::Usage => "usage-error".to_owned(),
                _ => "could-not-verify".to_owned(),
            },
            reason: reason.to_owned(),
        }
    }

    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.failed())
    }
}

/// The current time as RFC 3339 (UTC, whole seconds).
pub fn now_rfc3339() -> String {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_ids_are_unique_and_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for id in CheckId::ALL {
            assert!(seen.insert(id.as_str()), "duplicate {id}");
            assert!(
                id.as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            );
            // Serialised form is the same as `as_str`.
            assert_eq!(
                serde_json::to_value(id).unwrap(),
                serde_json::json!(id.as_str())
            );
        }
    }

    #[test]
    fn describe_names_expected_and_actual() {
        let check = Check::fail(CheckId::SourceRef, "a.bin via p.jsonl:1", "ref differs")
            .expected("refs/tags/v1")
            .actual("refs/tags/v2");
        let text = check.describe();
        assert!(text.starts_with("[source-ref] a.bin"), "{text}");
        assert!(text.contains("expected: refs/tags/v1"), "{text}");
        assert!(text.contains("actual: refs/tags/v2"), "{text}");
    }
}
