//! The Sigstore verification of one bundle for one artifact.
//!
//! The cryptography is sigstore-verify's (certificate chain, SCT, signature,
//! Rekor inclusion proof, checkpoint, SET, RFC 3161 timestamps, log-entry
//! consistency). Around it this module:
//! - checks what the library does not, or does not report with values:
//!   the identity policy (exact or regular expression), the checkpoint being
//!   signed by *the entry's* log (the library accepts any trusted log's key),
//!   the checkpoint's tree size against the proof's, and the integrated time
//!   against the certificate's validity (which the library also checks; ours
//!   records both values);
//! - turns the library's one result into transcript checks: each check it
//!   establishes on success, or the one that failed (and which were then not
//!   reached) on failure.

use ci_intel_core::Failure;
use regex::Regex;
use sigstore_crypto::{CertificateInfo, parse_certificate_info};
use sigstore_types::bundle::VerificationMaterialContent;
use sigstore_types::{
    Artifact as SigstoreArtifact, DerPublicKey, HashAlgorithm, KindVersion, Sha256Hash,
    SignatureContent,
};
use sigstore_verify::{
    CertificateError, Error as VerifyError, PublicKeyVerificationPolicy, TimestampError,
    TransparencyLogError, VerificationPolicy, VerificationResult, Verifier,
};

use crate::artifact::{Artifact, hex};
use crate::bundle::{LoadedBundle, Malformed, ReadError};
use crate::transcript::{Check, CheckId, CheckResult};
use crate::trust::TrustMaterial;

/// How the certificate's subject alternative name must look.
#[derive(Debug, Clone)]
pub enum IdentityPolicy {
    /// `--cert-identity`: equal to this.
    Exact(String),
    /// `--cert-identity-regexp`: matches this (unanchored, as cosign's
    /// Go regexp; anchor it with `^...$` to pin the whole value).
    Regex(Regex),
    /// No SAN policy here: the caller checks the signer itself (provenance).
    Unconstrained,
}

impl IdentityPolicy {
    pub fn regex(pattern: &str) -> Result<IdentityPolicy, Failure> {
        Regex::new(pattern).map(IdentityPolicy::Regex).map_err(|e| {
            Failure::usage(format!(
                "--cert-identity-regexp `{pattern}` is not a valid regular expression: {e}"
            ))
        })
    }

    fn describe(&self) -> String {
        match self {
            IdentityPolicy::Exact(value) => value.clone(),
            IdentityPolicy::Regex(re) => format!("matches /{}/", re.as_str()),
            IdentityPolicy::Unconstrained => "any".to_owned(),
        }
    }

    fn matches(&self, san: &str) -> bool {
        match self {
            IdentityPolicy::Exact(value) => value == san,
            IdentityPolicy::Regex(re) => re.is_match(san),
            IdentityPolicy::Unconstrained => true,
        }
    }
}

/// Who must have signed.
#[derive(Debug, Clone)]
pub struct SignerPolicy {
    pub identity: IdentityPolicy,
    /// Required OIDC issuer (`--cert-oidc-issuer`); `None` accepts any.
    pub issuer: Option<String>,
    /// Managed key (`--key`): the bundle must carry a public-key hint and
    /// verify with this key.
    pub key: Option<DerPublicKey>,
}

/// Read a PEM public key for `--key`. An unreadable file is exit 3 (the
/// verifier was stopped); a file that is there but is not a PEM public key
/// is [`ReadError::Malformed`], a denial: a broken key proves nothing.
pub fn read_public_key(path: &std::path::Path) -> Result<DerPublicKey, ReadError> {
    let bytes = std::fs::read(path).map_err(|e| {
        ReadError::Unreadable(Failure::infra(format!(
            "cannot read --key {}: {e}",
            path.display()
        )))
    })?;
    let pem = String::from_utf8(bytes).map_err(|e| {
        Malformed::new(format!(
            "--key {}: not a PEM public key: not UTF-8 text ({e})",
            path.display()
        ))
    })?;
    DerPublicKey::from_pem(&pem).map_err(|e| {
        ReadError::Malformed(Malformed::new(format!(
            "--key {}: not a PEM public key (-----BEGIN PUBLIC KEY-----): {e}",
            path.display()
        )))
    })
}

/// What verifying one bundle for one artifact established.
#[derive(Debug, Clone)]
pub struct BundleVerification {
    pub checks: Vec<Check>,
    /// The signing certificate, parsed (absent for managed-key bundles or an
    /// unparsable certificate).
    pub certificate: Option<CertificateInfo>,
}

impl BundleVerification {
    pub fn passed(&self) -> bool {
        !self.checks.iter().any(Check::failed)
    }
}

/// The checks the library makes in one call, in the order a reader expects.
const LIBRARY_CHECKS: [CheckId; 12] = [
    CheckId::BundleStructure,
    CheckId::CertificateChain,
    CheckId::CertificateValidity,
    CheckId::CertificateSct,
    CheckId::TimestampRfc3161,
    CheckId::SigningTime,
    CheckId::TlogInclusionProof,
    CheckId::TlogCheckpoint,
    CheckId::TlogSet,
    CheckId::TlogEntry,
    CheckId::Signature,
    CheckId::ArtifactDigest,
];

/// Verify `loaded` for `artifact` under `policy`. `Err` only when verification
/// could not run at all (unusable trust material, unsupported input): every
/// verdict about the bundle itself is a failed check in the result.
pub fn verify_bundle_for(
    verifier: &Verifier,
    trust: &TrustMaterial,
    loaded: &LoadedBundle,
    artifact: &Artifact,
    policy: &SignerPolicy,
) -> Result<BundleVerification, Failure> {
    let subject = format!("{} via {}", artifact.name, loaded.origin);
    let subject = subject.as_str();
    let bundle = &loaded.bundle;
    let mut checks =
        vec![Check::pass(CheckId::BundleFormat, subject).actual(loaded.media_type.clone())];

    // Which kind of signer: a certificate, or a managed key.
    let certificate_der = bundle.signing_certificate();
    let is_key_bundle = matches!(
        bundle.verification_material.content,
        VerificationMaterialContent::PublicKey(_)
    );
    let mut certificate = None;
    match (&policy.key, is_key_bundle) {
        (Some(_), false) => {
            checks.push(
                Check::fail(
                    CheckId::PublicKey,
                    subject,
                    "--key was given but the bundle is signed with a certificate, not a managed key",
                )
                .expected("a public-key bundle")
                .actual("a certificate bundle"),
            );
        }
        (None, true) => {
            checks.push(
                Check::fail(
                    CheckId::PublicKey,
                    subject,
                    "the bundle is signed with a managed key; pass that key with --key to verify it",
                )
                .expected("a certificate matching the identity policy")
                .actual("a public-key bundle"),
            );
        }
        (Some(_), true) => {}
        (None, false) => {}
    }

    if let Some(der) = certificate_der {
        match parse_certificate_info(der) {
            Ok(info) => {
                identity_checks(&mut checks, subject, &info, der.as_bytes(), policy);
                integrated_time_checks(&mut checks, subject, loaded, &info);
                certificate = Some(info);
            }
            Err(e) => checks.push(Check::fail(
                CheckId::CertificateChain,
                subject,
                format!("the signing certificate does not parse: {e}"),
            )),
        }
    } else if !is_key_bundle {
        checks.push(Check::fail(
            CheckId::CertificateChain,
            subject,
            "the bundle carries no signing certificate",
        ));
    }
    artifact_digest_check(&mut checks, subject, loaded, artifact);
    checkpoint_checks(&mut checks, subject, loaded, trust);

    // The library's verification, unless the signer kind already failed (it
    // would only report the same mismatch less clearly).
    let kind_failed = checks
        .iter()
        .any(|c| c.id == CheckId::PublicKey && c.failed());
    if kind_failed {
        for id in LIBRARY_CHECKS {
            push_unless_failed(
                &mut checks,
                Check::new(id, subject, CheckResult::NotReached)
                    .detail("not verified: the bundle's signer kind does not match the policy"),
            );
        }
    } else {
        let result = run_library(verifier, trust, loaded, artifact, policy)?;
        library_checks(&mut checks, subject, trust, loaded, artifact, result);
    }
    Ok(BundleVerification {
        checks,
        certificate,
    })
}

fn run_library(
    verifier: &Verifier,
    trust: &TrustMaterial,
    loaded: &LoadedBundle,
    artifact: &Artifact,
    policy: &SignerPolicy,
) -> Result<Result<VerificationResult, VerifyError>, Failure> {
    let input: SigstoreArtifact<'_> = match &artifact.bytes {
        Some(bytes) => SigstoreArtifact::from_blob(bytes),
        None => SigstoreArtifact::from_digest(Sha256Hash::new(artifact.sha256)),
    };
    let result = match &policy.key {
        Some(key) => {
            let mut key_policy = PublicKeyVerificationPolicy::new(key.clone());
            if !trust.has_tlogs() {
                key_policy = key_policy.skip_tlog_unsafe();
            }
            verifier.verify(input, &loaded.bundle, &key_policy)
        }
        None => {
            // Identity and issuer are checked by `identity_checks`, with the
            // values in the transcript; the library verifies cryptography.
            let mut cert_policy = VerificationPolicy::any_identity();
            if !trust.has_tlogs() {
                // GitHub's instance has no transparency log: signing time
                // comes from RFC 3161 timestamps, which stay required.
                cert_policy = cert_policy.skip_tlog_unsafe();
            }
            if !trust.has_ctlogs() {
                cert_policy = cert_policy.skip_sct();
            }
            verifier.verify(input, &loaded.bundle, &cert_policy)
        }
    };
    match result {
        Err(VerifyError::UnsupportedArtifact(why)) => Err(Failure::usage(format!(
            "{}: cannot verify {} from its digest alone ({why}); pass the artifact file instead",
            loaded.origin, artifact.name
        ))),
        Err(VerifyError::ArtifactRead(e)) => Err(Failure::infra(format!(
            "cannot read artifact {}: {e}",
            artifact.name
        ))),
        Err(
            e @ (VerifyError::InvalidTrustRoot(_)
            | VerifyError::TrustRoot(_)
            | VerifyError::TrustedCertificate(_)),
        ) => Err(Failure::infra(format!(
            "the trusted root ({}) cannot be used: {e}; nothing was verified",
            trust.summary.source
        ))),
        other => Ok(other),
    }
}

/// Add `check` unless a failure with the same id is already recorded (our
/// own check found it first, with better values).
fn push_unless_failed(checks: &mut Vec<Check>, check: Check) {
    if let Some(existing) = checks.iter_mut().find(|c| c.id == check.id) {
        if existing.failed() {
            return;
        }
        if check.failed() {
            // The library disagrees with our pass: the failure wins.
            *existing = check;
        }
        return;
    }
    checks.push(check);
}

fn library_checks(
    checks: &mut Vec<Check>,
    subject: &str,
    trust: &TrustMaterial,
    loaded: &LoadedBundle,
    artifact: &Artifact,
    result: Result<VerificationResult, VerifyError>,
) {
    let bundle = &loaded.bundle;
    let entries = &bundle.verification_material.tlog_entries;
    let is_key_bundle = matches!(
        bundle.verification_material.content,
        VerificationMaterialContent::PublicKey(_)
    );
    match result {
        Ok(result) => {
            let times: Vec<String> = result
                .verified_timestamps()
                .iter()
                .map(ToString::to_string)
                .collect();
            push_unless_failed(
                checks,
                Check::pass(CheckId::BundleStructure, subject).actual(structure_summary(loaded)),
            );
            if is_key_bundle {
                push_unless_failed(
                    checks,
                    Check::pass(CheckId::PublicKey, subject)
                        .detail("the signature and log entries verify with the --key public key"),
                );
                for id in [
                    CheckId::CertificateChain,
                    CheckId::CertificateValidity,
                    CheckId::CertificateSct,
                ] {
                    push_unless_failed(
                        checks,
                        Check::not_applicable(id, subject, "managed-key bundle: no certificate"),
                    );
                }
            } else {
                if let Some(cert) = result.certificate() {
                    push_unless_failed(
                        checks,
                        Check::pass(CheckId::CertificateChain, subject).detail(format!(
                            "chains to a Fulcio CA of the trusted root ({}) valid at every verified signing time, with the code-signing usage",
                            trust.summary.source
                        )),
                    );
                    push_unless_failed(
                        checks,
                        Check::pass(CheckId::CertificateValidity, subject)
                            .expected(format!("{} .. {}", cert.not_before, cert.not_after))
                            .actual(times.join(", ")),
                    );
                }
                if result.sct_verified() {
                    push_unless_failed(checks, Check::pass(CheckId::CertificateSct, subject));
                } else {
                    push_unless_failed(
                        checks,
                        Check::not_applicable(
                            CheckId::CertificateSct,
                            subject,
                            "the trusted root names no CT log (GitHub instance)",
                        ),
                    );
                }
            }
            let tsa = bundle
                .verification_material
                .timestamp_verification_data
                .rfc3161_timestamps
                .len();
            if tsa == 0 {
                push_unless_failed(
                    checks,
                    Check::not_applicable(
                        CheckId::TimestampRfc3161,
                        subject,
                        "the bundle carries no RFC 3161 timestamp",
                    ),
                );
            } else {
                push_unless_failed(
                    checks,
                    Check::pass(CheckId::TimestampRfc3161, subject).actual(format!(
                        "{tsa} timestamp(s) verified against the trusted root's TSAs"
                    )),
                );
            }
            push_unless_failed(
                checks,
                Check::pass(CheckId::SigningTime, subject).actual(times.join(", ")),
            );
            if result.tlog_verified() && !entries.is_empty() {
                let proofs = entries
                    .iter()
                    .filter(|e| e.inclusion_proof.is_some())
                    .count();
                let promises = entries
                    .iter()
                    .filter(|e| e.inclusion_promise.is_some())
                    .count();
                let describe = entries
                    .iter()
                    .map(|e| {
                        format!(
                            "{}/{} at index {} in log {}",
                            e.kind_version.kind(),
                            e.kind_version.version(),
                            e.log_index.get(),
                            hex(e.log_id.key_id.as_bytes())
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                if proofs > 0 {
                    push_unless_failed(
                        checks,
                        Check::pass(CheckId::TlogInclusionProof, subject).actual(describe.clone()),
                    );
                    push_unless_failed(checks, Check::pass(CheckId::TlogCheckpoint, subject));
                } else {
                    for id in [CheckId::TlogInclusionProof, CheckId::TlogCheckpoint] {
                        push_unless_failed(
                            checks,
                            Check::not_applicable(
                                id,
                                subject,
                                "v0.1 bundle: inclusion is promised by the SET, no proof is carried",
                            ),
                        );
                    }
                }
                if promises > 0 {
                    push_unless_failed(checks, Check::pass(CheckId::TlogSet, subject));
                } else {
                    push_unless_failed(
                        checks,
                        Check::not_applicable(
                            CheckId::TlogSet,
                            subject,
                            "no inclusion promise (Rekor v2 entries have none; the inclusion proof and checkpoint stand for it)",
                        ),
                    );
                }
                push_unless_failed(
                    checks,
                    Check::pass(CheckId::TlogEntry, subject).actual(describe),
                );
            } else {
                let why = if trust.has_tlogs() {
                    "the bundle has no transparency-log entry"
                } else {
                    "the trusted root names no transparency log (GitHub instance): signing time rests on RFC 3161 timestamps"
                };
                for id in [
                    CheckId::TlogInclusionProof,
                    CheckId::TlogCheckpoint,
                    CheckId::TlogSet,
                    CheckId::TlogEntry,
                    CheckId::TlogIntegratedTime,
                ] {
                    push_unless_failed(checks, Check::not_applicable(id, subject, why));
                }
            }
            push_unless_failed(
                checks,
                Check::pass(CheckId::Signature, subject).detail(match &bundle.content {
                    SignatureContent::DsseEnvelope(_) => "DSSE envelope signature (PAE) verifies",
                    _ => "message signature verifies over the artifact",
                }),
            );
            push_unless_failed(
                checks,
                Check::pass(CheckId::ArtifactDigest, subject)
                    .expected(format!("sha256:{}", artifact.sha256_hex()))
                    .actual(signed_digests(loaded)),
            );
        }
        Err(error) => {
            let failed = classify(&error);
            // The library's message names what differed; the values are in
            // our own artifact-digest check when that is where it differs.
            push_unless_failed(checks, Check::fail(failed, subject, error.to_string()));
            for id in LIBRARY_CHECKS {
                if id != failed {
                    push_unless_failed(
                        checks,
                        Check::new(id, subject, CheckResult::NotReached).detail(format!(
                            "not established: Sigstore verification stopped at {failed}"
                        )),
                    );
                }
            }
        }
    }
}

/// Which check a library error is.
pub fn classify(error: &VerifyError) -> CheckId {
    match error {
        VerifyError::IdentityMismatch { .. } => CheckId::CertificateIdentity,
        VerifyError::IssuerMismatch { .. } => CheckId::CertificateIssuer,
        VerifyError::SignatureInvalid(_) | VerifyError::Crypto(_) => CheckId::Signature,
        VerifyError::ArtifactMismatch(_) | VerifyError::UnsupportedArtifact(_) => {
            CheckId::ArtifactDigest
        }
        VerifyError::Certificate(cert) => match cert {
            CertificateError::NotYetValid { .. } | CertificateError::Expired { .. } => {
                CheckId::CertificateValidity
            }
            CertificateError::Sct(_) => CheckId::CertificateSct,
            _ => CheckId::CertificateChain,
        },
        VerifyError::TransparencyLog(tlog) => match tlog {
            TransparencyLogError::InclusionProof(_) => CheckId::TlogInclusionProof,
            TransparencyLogError::Checkpoint(_) => CheckId::TlogCheckpoint,
            TransparencyLogError::InclusionPromise(_) => CheckId::TlogSet,
            TransparencyLogError::IntegratedTime(_) => CheckId::TlogIntegratedTime,
            _ => CheckId::TlogEntry,
        },
        VerifyError::Timestamp(ts) => match ts {
            TimestampError::NoVerifiedTimestamp(_) => CheckId::SigningTime,
            _ => CheckId::TimestampRfc3161,
        },
        VerifyError::InvalidBundle(_)
        | VerifyError::UnsupportedBundle(_)
        | VerifyError::Bundle(_)
        | VerifyError::Types(_) => CheckId::BundleStructure,
        _ => CheckId::Verification,
    }
}

fn structure_summary(loaded: &LoadedBundle) -> String {
    let material = &loaded.bundle.verification_material;
    let kind = match &material.content {
        VerificationMaterialContent::Certificate(_) => "certificate",
        VerificationMaterialContent::X509CertificateChain { .. } => "certificate chain",
        VerificationMaterialContent::PublicKey(_) => "public key",
        _ => "unknown verification material",
    };
    let content = match &loaded.bundle.content {
        SignatureContent::DsseEnvelope(_) => "DSSE envelope",
        _ => "message signature",
    };
    format!(
        "{}: {content}, {kind}, {} tlog entr(ies), {} RFC 3161 timestamp(s)",
        loaded.media_type,
        material.tlog_entries.len(),
        material
            .timestamp_verification_data
            .rfc3161_timestamps
            .len()
    )
}

/// The digests the bundle says it signs, for the transcript.
fn signed_digests(loaded: &LoadedBundle) -> String {
    match &loaded.bundle.content {
        SignatureContent::MessageSignature(sig) => match &sig.message_digest {
            Some(digest) => format!(
                "{}:{}",
                match digest.algorithm {
                    HashAlgorithm::Sha2256 => "sha256",
                    HashAlgorithm::Sha2384 => "sha384",
                    HashAlgorithm::Sha2512 => "sha512",
                    _ => "unknown",
                },
                hex(digest.digest.as_bytes())
            ),
            None => "message signature without a message digest".to_owned(),
        },
        SignatureContent::DsseEnvelope(envelope) => {
            match serde_json::from_slice::<serde_json::Value>(envelope.payload.as_bytes()) {
                Ok(statement) => crate::provenance::subject_list(&statement),
                Err(_) => "DSSE payload is not JSON".to_owned(),
            }
        }
        _ => "unknown signature content".to_owned(),
    }
}

/// The digest the bundle claims to sign against the artifact's: the message
/// digest of a message signature, the subjects of a DSSE statement. (For a
/// message signature the digest is a hint; the signature and the log entry
/// are what bind the artifact, and the library checks both.)
fn artifact_digest_check(
    checks: &mut Vec<Check>,
    subject: &str,
    loaded: &LoadedBundle,
    artifact: &Artifact,
) {
    let expected = format!("sha256:{}", artifact.sha256_hex());
    let ok = match &loaded.bundle.content {
        SignatureContent::MessageSignature(sig) => match &sig.message_digest {
            Some(d) if d.algorithm == HashAlgorithm::Sha2256 => {
                d.digest.as_bytes() == artifact.sha256.as_slice()
            }
            // Another algorithm, or no digest: only the signature can tell.
            _ => return,
        },
        SignatureContent::DsseEnvelope(envelope) => {
            match serde_json::from_slice::<serde_json::Value>(envelope.payload.as_bytes()) {
                Ok(statement) => {
                    crate::provenance::names_digest(&statement, &artifact.sha256_hex())
                }
                Err(_) => false,
            }
        }
        _ => return,
    };
    let mut check = Check::compare(CheckId::ArtifactDigest, subject, ok)
        .expected(expected)
        .actual(signed_digests(loaded));
    if !ok {
        check = check.detail("the bundle signs a different artifact");
    }
    checks.push(check);
}

/// The otherName type Fulcio uses for username identities.
const SIGSTORE_OTHERNAME: x509_cert::der::asn1::ObjectIdentifier =
    x509_cert::der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.7");

/// Every identity the certificate's subject alternative name carries, in
/// order: email addresses (rfc822Name), URIs, and Sigstore's otherName
/// (1.3.6.1.4.1.57264.1.7, a UTF8String: Fulcio's username identities).
/// Other kinds (DNS names, IP addresses) are not signer identities. An
/// extension that does not decode is an error naming what failed.
pub fn san_identities(der: &[u8]) -> Result<Vec<String>, String> {
    use x509_cert::der::Decode as _;
    use x509_cert::ext::pkix::SubjectAltName;
    use x509_cert::ext::pkix::name::GeneralName;

    let cert = x509_cert::Certificate::from_der(der)
        .map_err(|e| format!("the signing certificate does not parse: {e}"))?;
    let san = cert
        .tbs_certificate
        .get::<SubjectAltName>()
        .map_err(|e| format!("the subject alternative name extension does not decode: {e}"))?;
    let Some((_, san)) = san else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for name in &san.0 {
        match name {
            GeneralName::Rfc822Name(email) => out.push(email.to_string()),
            GeneralName::UniformResourceIdentifier(uri) => out.push(uri.to_string()),
            GeneralName::OtherName(other) if other.type_id == SIGSTORE_OTHERNAME => {
                let value = other
                    .value
                    .decode_as::<x509_cert::der::asn1::Utf8StringRef<'_>>()
                    .map_err(|e| {
                        format!("the otherName SAN ({SIGSTORE_OTHERNAME}) is not a UTF8String: {e}")
                    })?;
                out.push(value.as_str().to_owned());
            }
            _ => {}
        }
    }
    Ok(out)
}

/// `--cert-identity[-regexp]` and `--cert-oidc-issuer`, with values. The
/// identity matches when any email, URI or Sigstore otherName SAN matches
/// (as cosign and sigstore-python do); the transcript lists them all.
fn identity_checks(
    checks: &mut Vec<Check>,
    subject: &str,
    info: &CertificateInfo,
    der: &[u8],
    policy: &SignerPolicy,
) {
    match &policy.identity {
        IdentityPolicy::Unconstrained => {}
        identity => match san_identities(der) {
            Ok(sans) => {
                let ok = sans.iter().any(|s| identity.matches(s));
                let actual = if sans.is_empty() {
                    "no email, URI or Sigstore otherName SAN".to_owned()
                } else {
                    sans.join(", ")
                };
                checks.push(
                    Check::compare(CheckId::CertificateIdentity, subject, ok)
                        .expected(identity.describe())
                        .actual(actual),
                );
            }
            Err(why) => checks.push(
                Check::fail(CheckId::CertificateIdentity, subject, why)
                    .expected(identity.describe()),
            ),
        },
    }
    if let Some(expected) = &policy.issuer {
        let ok = info.issuer.as_deref() == Some(expected.as_str());
        checks.push(
            Check::compare(CheckId::CertificateIssuer, subject, ok)
                .expected(expected.clone())
                .actual(info.issuer.clone().unwrap_or_else(|| {
                    "no OIDC issuer extension (1.3.6.1.4.1.57264.1.8/.1)".to_owned()
                })),
        );
    }
}

/// Integrated time of each SET-carrying Rekor v1 entry: not in the future,
/// within the certificate's validity. (The SET's signature, which covers the
/// time, is the library's check.)
fn integrated_time_checks(
    checks: &mut Vec<Check>,
    subject: &str,
    loaded: &LoadedBundle,
    info: &CertificateInfo,
) {
    let now = jiff::Timestamp::now();
    let mut any = false;
    for entry in &loaded.bundle.verification_material.tlog_entries {
        let is_v1 = entry.kind_version != KindVersion::HashedRekordV002;
        let (Some(time), true, true) = (
            entry.integrated_time,
            is_v1,
            entry.inclusion_promise.is_some(),
        ) else {
            continue;
        };
        any = true;
        let expected = format!(
            "{} .. {} and not after now ({now})",
            info.not_before, info.not_after
        );
        let ok = time >= info.not_before && time <= info.not_after && time <= now;
        let mut check = Check::compare(CheckId::TlogIntegratedTime, subject, ok)
            .expected(expected)
            .actual(time.to_string());
        if !ok {
            check = check.detail(if time > now {
                "the log's integrated time is in the future"
            } else {
                "the log's integrated time lies outside the signing certificate's validity"
            });
        }
        push_unless_failed(checks, check);
    }
    if !any {
        checks.push(Check::not_applicable(
            CheckId::TlogIntegratedTime,
            subject,
            "no Rekor v1 entry with a signed entry timestamp: signing time comes from RFC 3161 timestamps",
        ));
    }
}

/// The entry's log must be one of the trusted root's, its checkpoint must
/// be signed by that log, and (Rekor v1) describe the same tree as the proof. sigstore-verify accepts a checkpoint
/// signed by any log key in the trusted root, whatever log the entry is from.
fn checkpoint_checks(
    checks: &mut Vec<Check>,
    subject: &str,
    loaded: &LoadedBundle,
    trust: &TrustMaterial,
) {
    let Ok(keyring) = trust.root.rekor_keys() else {
        return; // The library reports an unusable root.
    };
    for entry in &loaded.bundle.verification_material.tlog_entries {
        let log_id = entry.log_id.key_id.as_bytes();
        let Ok(key_id) = Sha256Hash::try_from(log_id) else {
            checks.push(Check::fail(
                CheckId::TlogEntry,
                subject,
                format!(
                    "the entry's log id is not a SHA-256 key id ({} bytes)",
                    log_id.len()
                ),
            ));
            continue;
        };
        let Some(key) = keyring.key(&key_id) else {
            // sigstore-verify only looks the log up to check a SET; a Rekor
            // v2 entry has none, so an unknown log id would go unnoticed.
            if trust.has_tlogs() {
                checks.push(
                    Check::fail(
                        CheckId::TlogEntry,
                        subject,
                        "the entry names a transparency log that is not in the trusted root",
                    )
                    .expected(format!(
                        "one of the trusted root's logs: {}",
                        trust
                            .root
                            .tlogs
                            .iter()
                            .map(|t| hex(t.log_id.key_id.as_bytes()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                    .actual(hex(log_id)),
                );
            }
            continue;
        };
        let Some(proof) = &entry.inclusion_proof else {
            continue;
        };
        let Some(checkpoint) = proof.checkpoint.checkpoint() else {
            continue; // Structure validation rejects a proof without one.
        };
        let hint = &key_id.as_bytes()[..4];
        let verified: Vec<&str> = checkpoint
            .signatures()
            .iter()
            .filter(|sig| sig.key_id.as_bytes() == hint)
            .filter(|sig| key.verify(checkpoint.signed_data(), &sig.signature).is_ok())
            .map(|sig| sig.name.as_str())
            .collect();
        // A signed note's signature line names its signer; only the note
        // body is signed, so the name is bound here: it must be the
        // checkpoint's origin (Rekor v2), or the origin's host before
        // ` - <tree id>` (Rekor v1).
        let origin = checkpoint.origin();
        let names_origin = |name: &str| origin == name || origin.starts_with(&format!("{name} - "));
        if !verified.is_empty() && !verified.iter().any(|name| names_origin(name)) {
            checks.push(
                Check::fail(
                    CheckId::TlogCheckpoint,
                    subject,
                    "the log's checkpoint signature line names another signer than the checkpoint's origin",
                )
                .expected(format!("a signature named for origin `{origin}`"))
                .actual(verified.join(", ")),
            );
            continue;
        }
        if verified.is_empty() {
            checks.push(
                Check::fail(
                    CheckId::TlogCheckpoint,
                    subject,
                    "the checkpoint carries no valid signature from the log that holds the entry",
                )
                .expected(format!("a signature by log {}", hex(log_id)))
                .actual(
                    checkpoint
                        .signatures()
                        .iter()
                        .map(|s| format!("{} ({})", s.name, hex(s.key_id.as_bytes())))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            );
            continue;
        }
        // The proof repeats the tree it was made against; it must be the
        // tree the signed checkpoint describes. Rekor v1 verifies with the
        // repeated values; Rekor v2 ignores them (uses the checkpoint's), so
        // a disagreement there is not an attack on the proof, but a bundle
        // that contradicts itself is refused all the same: honest ones
        // never do.
        if checkpoint.root_hash() != &proof.root_hash {
            checks.push(
                Check::fail(
                    CheckId::TlogCheckpoint,
                    subject,
                    "the inclusion proof's root hash is not the one the signed checkpoint commits to",
                )
                .expected(format!("root hash {}", checkpoint.root_hash().to_hex()))
                .actual(format!("root hash {}", proof.root_hash.to_hex())),
            );
        } else if checkpoint.tree_size() != proof.tree_size {
            checks.push(
                Check::fail(
                    CheckId::TlogCheckpoint,
                    subject,
                    "the checkpoint describes a different tree than the inclusion proof",
                )
                .expected(format!("tree size {}", proof.tree_size))
                .actual(format!("tree size {}", checkpoint.tree_size())),
            );
        }
        // Rekor v2 has no shards: the proof's index is the entry's. (In
        // Rekor v1 the entry's index is global and the proof's is the
        // shard's, and the proof authenticates its own.)
        let is_v2 = entry.kind_version == KindVersion::HashedRekordV002;
        if is_v2 && proof.log_index != entry.log_index {
            checks.push(
                Check::fail(
                    CheckId::TlogInclusionProof,
                    subject,
                    "the inclusion proof is for another log index than the entry",
                )
                .expected(format!("log index {}", entry.log_index.get()))
                .actual(format!("log index {}", proof.log_index.get())),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The certificate of a generated fixture (tests/data/identities).
    fn certificate(case: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/identities")
            .join(format!("{case}.sigstore.json"));
        let bundle: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let b64 = bundle["verificationMaterial"]["certificate"]["rawBytes"]
            .as_str()
            .unwrap();
        sigstore_types::DerCertificate::from_base64(b64)
            .unwrap()
            .as_bytes()
            .to_vec()
    }

    #[test]
    fn every_identity_san_is_read_in_order() {
        assert_eq!(
            san_identities(&certificate("othername")).unwrap(),
            ["alice!example.test"]
        );
        assert_eq!(
            san_identities(&certificate("email")).unwrap(),
            ["alice@example.test"]
        );
        assert_eq!(
            san_identities(&certificate("second-san")).unwrap(),
            [
                "build@example.test",
                "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main"
            ]
        );
        let err = san_identities(b"\x30\x03\x02\x01\x00").unwrap_err();
        assert!(err.contains("does not parse"), "{err}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Arbitrary bytes, and a real certificate with one byte changed,
        /// never panic the SAN reader.
        #[test]
        fn the_san_reader_never_panics(
            bytes in prop::collection::vec(any::<u8>(), 0..300),
            index in any::<usize>(),
            value in any::<u8>(),
        ) {
            let _ = san_identities(&bytes);
            let mut der = certificate("second-san");
            let at = index % der.len();
            der[at] = value;
            let _ = san_identities(&der);
        }
    }
}
