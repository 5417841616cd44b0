//! Who signed a VEX document, verified against the configured signers
//! (`vuln.vex_signers`). An unsigned document, a signature that does not
//! verify, or a signer not configured: the document waives nothing.
//!
//! - A bare document is signed by a detached Sigstore bundle beside it
//!   (`<file>.sigstore.json`, `<file>.bundle` or `<file>.sigstore`; cosign
//!   `sign-blob --bundle`), verified by ci-intel-attest's library
//!   ([`ci_intel_attest::verify_bundle`]) with the document as the artifact,
//!   against an identity (Fulcio certificate SAN and OIDC issuer) or a key.
//! - A DSSE envelope (`in-toto` / `securesystemslib` / `vexctl attest`
//!   without Sigstore) is verified with a configured public key: the
//!   signature over the DSSE pre-authentication encoding, by aws-lc-rs
//!   (ECDSA P-256/P-384, Ed25519, RSA).
//! - A Sigstore bundle holding a DSSE envelope is verified by
//!   ci-intel-attest's library for the in-toto subject it names.

use std::path::{Path, PathBuf};

use ci_intel_attest::{ArtifactInput, BundleRequest, IdentityPolicy, TrustSelection};
use ci_intel_core::Failure;
use sigstore_crypto::SigningScheme;
use sigstore_types::{DerPublicKey, SignatureBytes};

use super::{VexDocument, Wrapping};

/// A configured signer, resolved.
#[derive(Debug, Clone)]
pub enum Signer {
    /// A PEM public key (`-----BEGIN PUBLIC KEY-----`), with the name it
    /// is shown by (the path as configured).
    Key {
        path: PathBuf,
        shown: String,
        key: DerPublicKey,
    },
    /// A Fulcio certificate identity and its OIDC issuer.
    Identity {
        identity: IdentityPolicy,
        issuer: String,
    },
}

impl Signer {
    pub fn label(&self) -> String {
        match self {
            Signer::Key { shown, .. } => format!("key {shown}"),
            Signer::Identity { identity, issuer } => match identity {
                IdentityPolicy::Exact(id) => format!("{id} (issuer {issuer})"),
                IdentityPolicy::Regex(re) => {
                    format!("identity matching /{}/ (issuer {issuer})", re.as_str())
                }
                IdentityPolicy::Unconstrained => format!("any identity (issuer {issuer})"),
            },
        }
    }

    /// Read a key signer's PEM file. Unreadable or not a public key is a
    /// configuration error (exit 2): the trust anchor itself is wrong.
    pub fn key(path: PathBuf, shown: String) -> Result<Signer, Failure> {
        let pem = std::fs::read_to_string(&path).map_err(|e| {
            Failure::usage(format!(
                "vuln.vex_signers: cannot read the key {}: {e}",
                path.display()
            ))
        })?;
        let key = DerPublicKey::from_pem(&pem).map_err(|e| {
            Failure::usage(format!(
                "vuln.vex_signers: {} is not a PEM public key (-----BEGIN PUBLIC KEY-----): {e}",
                path.display()
            ))
        })?;
        Ok(Signer::Key { path, shown, key })
    }
}

/// What signature verification established for one document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SignatureCheck {
    pub verified: bool,
    /// `dsse`, `sigstore-bundle`, `sigstore-dsse-bundle`, `none`.
    pub method: String,
    /// The signer that verified it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// Why it did not verify (every signer tried), or what verified.
    pub detail: String,
}

impl SignatureCheck {
    fn failed(method: &str, detail: impl Into<String>) -> SignatureCheck {
        SignatureCheck {
            verified: false,
            method: method.to_owned(),
            signer: None,
            detail: detail.into(),
        }
    }
}

/// The detached bundle of `file`, if one is there.
pub fn detached_bundle(file: &Path) -> Option<PathBuf> {
    ["sigstore.json", "bundle", "sigstore"]
        .iter()
        .find_map(|ext| {
            let mut name = file.as_os_str().to_owned();
            name.push(".");
            name.push(ext);
            let path = PathBuf::from(name);
            path.is_file().then_some(path)
        })
}

/// The pre-authentication encoding DSSE signs.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    sigstore_types::pae(payload_type, payload)
}

const SCHEMES: [SigningScheme; 9] = [
    SigningScheme::EcdsaP256Sha256,
    SigningScheme::EcdsaP384Sha384,
    SigningScheme::Ed25519,
    SigningScheme::EcdsaP256Sha384,
    SigningScheme::EcdsaP384Sha256,
    SigningScheme::RsaPssSha256,
    SigningScheme::RsaPkcs1Sha256,
    SigningScheme::RsaPssSha512,
    SigningScheme::RsaPkcs1Sha512,
];

/// Whether `signature` over `message` verifies with `key` under a scheme
/// the key's algorithm supports.
pub fn verify_with_key(key: &DerPublicKey, message: &[u8], signature: &[u8]) -> bool {
    let sig = SignatureBytes::from_bytes(signature);
    SCHEMES
        .iter()
        .any(|scheme| sigstore_crypto::verify_signature(key, message, &sig, *scheme).is_ok())
}

/// Verify `doc` (read from `file`) against `signers`.
pub fn check(
    doc: &VexDocument,
    file: &Path,
    signers: &[Signer],
    trust: &TrustSelection,
) -> SignatureCheck {
    if signers.is_empty() {
        return SignatureCheck::failed(
            "none",
            "no signer is configured (vuln.vex_signers), so no signature can be trusted",
        );
    }
    match &doc.wrapping {
        Wrapping::Dsse(envelope) => {
            let message = pae(&envelope.payload_type, &envelope.payload);
            let keys: Vec<(&String, &DerPublicKey)> = signers
                .iter()
                .filter_map(|s| match s {
                    Signer::Key { shown, key, .. } => Some((shown, key)),
                    Signer::Identity { .. } => None,
                })
                .collect();
            if keys.is_empty() {
                return SignatureCheck::failed(
                    "dsse",
                    "the document is a DSSE envelope, which only a configured `key` signer can verify (identities verify Sigstore bundles)",
                );
            }
            if envelope.signatures.is_empty() {
                return SignatureCheck::failed("dsse", "the DSSE envelope has no signature");
            }
            for (path, key) in &keys {
                if envelope
                    .signatures
                    .iter()
                    .any(|(_, sig)| verify_with_key(key, &message, sig))
                {
                    return SignatureCheck {
                        verified: true,
                        method: "dsse".to_owned(),
                        signer: Some(format!("key {path}")),
                        detail: format!(
                            "DSSE signature over `{}` verifies with key {path}",
                            envelope.payload_type,
                        ),
                    };
                }
            }
            SignatureCheck::failed(
                "dsse",
                format!(
                    "none of the envelope's {} signature(s) verifies with the configured key(s): {} (signed by someone else, or altered after signing)",
                    envelope.signatures.len(),
                    keys.iter()
                        .map(|(p, _)| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        }
        Wrapping::SigstoreDsse(subjects) => {
            let Some(subject) = subjects.first() else {
                return SignatureCheck::failed(
                    "sigstore-dsse-bundle",
                    "the bundle's in-toto statement names no sha256 subject to verify against",
                );
            };
            let artifact = match ArtifactInput::parse(&format!("sha256:{subject}")) {
                Ok(a) => a,
                Err(e) => return SignatureCheck::failed("sigstore-dsse-bundle", e.message),
            };
            bundle_check("sigstore-dsse-bundle", &artifact, file, signers, trust)
        }
        Wrapping::Plain => match detached_bundle(file) {
            None => SignatureCheck::failed(
                "none",
                format!(
                    "the document is not signed: no DSSE envelope, and no Sigstore bundle beside it ({}.sigstore.json or .bundle)",
                    file.file_name().map_or_else(
                        || file.display().to_string(),
                        |n| n.to_string_lossy().into_owned()
                    )
                ),
            ),
            Some(bundle) => bundle_check(
                "sigstore-bundle",
                &ArtifactInput::File(file.to_path_buf()),
                &bundle,
                signers,
                trust,
            ),
        },
    }
}

fn bundle_check(
    method: &str,
    artifact: &ArtifactInput,
    bundle: &Path,
    signers: &[Signer],
    trust: &TrustSelection,
) -> SignatureCheck {
    let mut why = Vec::new();
    for signer in signers {
        let request = match signer {
            Signer::Key { path, .. } => BundleRequest {
                artifacts: vec![artifact.clone()],
                bundle: bundle.to_path_buf(),
                identity: None,
                issuer: None,
                key: Some(path.clone()),
                trust: trust.clone(),
            },
            Signer::Identity { identity, issuer } => BundleRequest {
                artifacts: vec![artifact.clone()],
                bundle: bundle.to_path_buf(),
                identity: Some(identity.clone()),
                issuer: Some(issuer.clone()),
                key: None,
                trust: trust.clone(),
            },
        };
        match ci_intel_attest::verify_bundle(&request) {
            Ok(outcome) if outcome.passed() => {
                return SignatureCheck {
                    verified: true,
                    method: method.to_owned(),
                    signer: Some(signer.label()),
                    detail: format!(
                        "Sigstore bundle {} verifies for {}",
                        file_name(bundle),
                        signer.label()
                    ),
                };
            }
            Ok(outcome) => {
                let failed: Vec<String> = outcome
                    .transcript
                    .failures()
                    .map(|c| c.message())
                    .take(2)
                    .collect();
                why.push(format!("{}: {}", signer.label(), failed.join("; ")));
            }
            Err(e) => why.push(format!("{}: {}", signer.label(), e.message)),
        }
    }
    SignatureCheck::failed(
        method,
        format!(
            "the Sigstore bundle {} verifies for no configured signer: {}",
            file_name(bundle),
            why.join(" | ")
        ),
    )
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
