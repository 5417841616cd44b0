//! Signing material for self-hosted runners: Ed25519 keys in PEM (PKCS#8
//! private, SPKI public: what `openssl genpkey -algorithm ed25519` and
//! `openssl pkey -pubout` write) and minisign keys. The kind is read from
//! the file, not from its name.
//!
//! Signature files: an Ed25519 signature is the 64 raw bytes over the
//! manifest (what `openssl pkeyutl -sign -rawin` writes; base64 text is
//! accepted too); a minisign signature is a standard `.minisig` file
//! (prehashed, verifiable with `minisign -V`).

use std::path::Path;

use base64::Engine as _;
use ci_intel_core::Failure;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _, EncodePublicKey as _};
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};

/// The environment variable holding the password of an encrypted
/// minisign secret key. Never a command-line flag (it would show in `ps`).
pub const PASSWORD_VAR: &str = "CI_INTEL_CACHE_KEY_PASSWORD";

/// A private key that can sign manifests.
pub enum PrivateKey {
    Ed25519(Box<SigningKey>),
    Minisign(Box<minisign::SecretKey>),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.write_str(match self {
            PrivateKey::Ed25519(_) => "PrivateKey::Ed25519(..)",
            PrivateKey::Minisign(_) => "PrivateKey::Minisign(..)",
        })
    }
}

/// A public key that can verify manifest signatures.
#[derive(Clone)]
pub enum PublicKey {
    Ed25519(VerifyingKey),
    Minisign(Box<minisign::PublicKey>),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.identity())
    }
}

impl PublicKey {
    /// How the key is named in reports and events: `ed25519:<sha256 of the
    /// SPKI DER, 16 hex>` or `minisign:<key id>`.
    pub fn identity(&self) -> String {
        match self {
            PublicKey::Ed25519(key) => ed25519_identity(key),
            PublicKey::Minisign(key) => {
                let id = key.keynum();
                let mut number = [0u8; 8];
                number.copy_from_slice(&id[..8.min(id.len())]);
                format!("minisign:{:016X}", u64::from_le_bytes(number))
            }
        }
    }
}

fn ed25519_identity(key: &VerifyingKey) -> String {
    let der = key
        .to_public_key_der()
        .map(|d| d.as_bytes().to_vec())
        .unwrap_or_default();
    format!(
        "ed25519:{}",
        &ci_intel_core::canonical::sha256_hex(&der)[..16]
    )
}

fn read_text(path: &Path, what: &str) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|e| Failure::infra(format!("cannot read {what} {}: {e}", path.display())))
}

/// Load a private key: PEM PKCS#8 Ed25519, or a minisign secret key
/// (encrypted ones need [`PASSWORD_VAR`] in `password`).
pub fn load_private_key(path: &Path, password: Option<&str>) -> Result<PrivateKey, Failure> {
    let text = read_text(path, "key")?;
    parse_private_key(&text, password)
        .map_err(|why| Failure::usage(format!("key {}: {why}", path.display())))
}

/// [`load_private_key`] on text in memory.
pub fn parse_private_key(text: &str, password: Option<&str>) -> Result<PrivateKey, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        return Err("an encrypted PKCS#8 key is not supported: decrypt it (`openssl pkey -in KEY -out PLAIN`) and keep it in a secret".to_owned());
    }
    if trimmed.starts_with("-----BEGIN PRIVATE KEY-----") {
        return SigningKey::from_pkcs8_pem(text)
            .map(|k| PrivateKey::Ed25519(Box::new(k)))
            .map_err(|e| format!("not an Ed25519 PKCS#8 private key (`openssl genpkey -algorithm ed25519` writes one): {e}"));
    }
    if trimmed.starts_with("untrusted comment:") {
        let boxed = minisign::SecretKeyBox::from_string(text)
            .map_err(|e| format!("not a minisign secret key: {e}"))?;
        let unencrypted = minisign::SecretKeyBox::from_string(text)
            .and_then(minisign::SecretKeyBox::into_unencrypted_secret_key)
            .or_else(|e| unchecked_unencrypted(text).ok_or(e));
        return match (unencrypted, password) {
            (Ok(key), _) => Ok(PrivateKey::Minisign(Box::new(key))),
            (Err(_), Some(password)) => boxed
                .into_secret_key(Some(password.to_owned()))
                .map(|k| PrivateKey::Minisign(Box::new(k)))
                .map_err(|e| {
                    format!("cannot decrypt the minisign secret key with {PASSWORD_VAR}: {e}")
                }),
            (Err(e), None) => Err(format!(
                "the minisign secret key is encrypted or unreadable ({e}): set {PASSWORD_VAR} to its password"
            )),
        };
    }
    Err("expected a PEM private key (-----BEGIN PRIVATE KEY-----, Ed25519) or a minisign secret key (untrusted comment: ...)".to_owned())
}

/// The reference minisign (0.11) writes unencrypted keys (`-W`) with an
/// all-zero checksum, which the minisign crate reads as corrupted. Accept
/// exactly that shape: no key derivation and a zero checksum. Without the
/// checksum nothing else would catch a damaged file, so the key's public
/// half must be the one its secret seed derives (a key whose halves
/// disagree signs manifests that never verify).
fn unchecked_unencrypted(text: &str) -> Option<minisign::SecretKey> {
    let line = text.lines().nth(1)?.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(line)
        .ok()?;
    // sig_alg(2) kdf_alg(2) chk_alg(2) salt(32) opslimit(8) memlimit(8)
    // keynum(8) sk(64: seed(32) public(32)) chk(32)
    if bytes.len() != 158 || bytes[2..4] != [0, 0] || bytes[126..].iter().any(|b| *b != 0) {
        return None;
    }
    let seed: [u8; 32] = bytes[62..94].try_into().ok()?;
    if SigningKey::from_bytes(&seed).verifying_key().as_bytes() != &bytes[94..126] {
        return None;
    }
    minisign::SecretKey::from_bytes(&bytes).ok()
}

/// Load a public key: PEM SPKI Ed25519, a minisign public key file, or a
/// bare minisign public key line (`RW...`).
pub fn load_public_key(path: &Path) -> Result<PublicKey, Failure> {
    let text = read_text(path, "public key")?;
    parse_public_key(&text)
        .map_err(|why| Failure::usage(format!("public key {}: {why}", path.display())))
}

/// [`load_public_key`] on text in memory.
pub fn parse_public_key(text: &str) -> Result<PublicKey, String> {
    let trimmed = text.trim();
    if trimmed.starts_with("-----BEGIN PUBLIC KEY-----") {
        return VerifyingKey::from_public_key_pem(trimmed)
            .map(PublicKey::Ed25519)
            .map_err(|e| {
                format!(
                    "not an Ed25519 SubjectPublicKeyInfo (`openssl pkey -pubout` writes one): {e}"
                )
            });
    }
    if trimmed.starts_with("-----BEGIN") {
        return Err("a PEM file that is not a public key (-----BEGIN PUBLIC KEY-----)".to_owned());
    }
    let line = if trimmed.starts_with("untrusted comment:") {
        trimmed.lines().nth(1).unwrap_or("").trim()
    } else {
        trimmed
    };
    minisign::PublicKey::from_base64(line)
        .map(|k| PublicKey::Minisign(Box::new(k)))
        .map_err(|e| format!("expected a PEM public key (-----BEGIN PUBLIC KEY-----) or a minisign public key: {e}"))
}

/// Sign `message` (the manifest's bytes). `comment` goes into a minisign
/// signature's trusted comment.
pub fn sign(key: &PrivateKey, message: &[u8], comment: &str) -> Result<Vec<u8>, Failure> {
    match key {
        PrivateKey::Ed25519(key) => Ok(key.sign(message).to_bytes().to_vec()),
        PrivateKey::Minisign(key) => {
            let signature = minisign::sign(
                None,
                key,
                std::io::Cursor::new(message),
                Some(comment),
                Some("signature from ci-intel-cache"),
            )
            .map_err(|e| Failure::usage(format!("minisign signing failed: {e}")))?;
            Ok(signature.into_string().into_bytes())
        }
    }
}

/// The public key of a private key (for reports).
pub fn public_of(key: &PrivateKey) -> Option<PublicKey> {
    match key {
        PrivateKey::Ed25519(key) => Some(PublicKey::Ed25519(key.verifying_key())),
        PrivateKey::Minisign(key) => minisign::PublicKey::from_secret_key(key)
            .ok()
            .map(|k| PublicKey::Minisign(Box::new(k))),
    }
}

/// Verify `signature` (the signature file's bytes) over `message`.
/// `Err` says, in words, why it does not verify.
pub fn verify(key: &PublicKey, message: &[u8], signature: &[u8]) -> Result<(), String> {
    match key {
        PublicKey::Ed25519(key) => {
            let raw = ed25519_signature_bytes(signature)?;
            let signature = ed25519_dalek::Signature::from_bytes(&raw);
            key.verify_strict(message, &signature).map_err(|_| {
                format!(
                    "the Ed25519 signature does not verify with {}",
                    ed25519_identity(key)
                )
            })
        }
        PublicKey::Minisign(pk) => {
            let text = std::str::from_utf8(signature).map_err(|_| {
                "a minisign signature file is text; this one is not UTF-8".to_owned()
            })?;
            let boxed = minisign::SignatureBox::from_string(text)
                .map_err(|e| format!("not a minisign signature: {e}"))?;
            minisign::verify(
                pk,
                &boxed,
                std::io::Cursor::new(message),
                true,
                false,
                false,
            )
            .map_err(|e| {
                format!(
                    "the minisign signature does not verify with {}: {e}",
                    key.identity()
                )
            })
        }
    }
}

/// 64 raw bytes, or their base64 (standard alphabet) with optional
/// surrounding whitespace.
fn ed25519_signature_bytes(signature: &[u8]) -> Result<[u8; 64], String> {
    if let Ok(raw) = <[u8; 64]>::try_from(signature) {
        return Ok(raw);
    }
    let text = std::str::from_utf8(signature).map_err(|_| {
        format!(
            "an Ed25519 signature is 64 raw bytes or their base64; found {} bytes",
            signature.len()
        )
    })?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| {
            format!(
                "an Ed25519 signature is 64 raw bytes or their base64; found {} bytes of other text",
                signature.len()
            )
        })?;
    <[u8; 64]>::try_from(decoded.as_slice()).map_err(|_| {
        format!(
            "an Ed25519 signature is 64 bytes; the base64 decodes to {}",
            decoded.len()
        )
    })
}
