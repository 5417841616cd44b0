//! Signing keys and public keys, as PEM files.
//!
//! Two algorithms, the ones DSSE signers commonly use and securesystemslib
//! verifies: ECDSA P-256 with SHA-256 (signature DER-encoded, scheme
//! `ecdsa-sha2-nistp256`) and Ed25519 (scheme `ed25519`). Private keys are
//! unencrypted PKCS#8 (`-----BEGIN PRIVATE KEY-----`, as `openssl genpkey`
//! writes them) or, for P-256, SEC1 (`-----BEGIN EC PRIVATE KEY-----`);
//! public keys are SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`).
//!
//! A key's id is the lower-case hex sha256 of its SubjectPublicKeyInfo DER:
//! anyone holding the public key computes the same id.

use std::path::Path;

use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_ASN1_SIGNING, ED25519, EcdsaKeyPair, Ed25519KeyPair,
    KeyPair, ParsedPublicKey,
};
use ci_intel_core::Failure;
use ci_intel_core::canonical::sha256_hex;

/// The signature algorithms we sign and verify with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    EcdsaP256Sha256,
    Ed25519,
}

impl Algorithm {
    /// The securesystemslib scheme name.
    pub fn scheme(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256Sha256 => "ecdsa-sha2-nistp256",
            Algorithm::Ed25519 => "ed25519",
        }
    }
}

enum Pair {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A private key to sign with.
pub struct SigningKey {
    pair: Pair,
    public: PublicKey,
    rng: SystemRandom,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("SigningKey")
            .field("algorithm", &self.public.algorithm)
            .field("keyid", &self.public.keyid)
            .finish()
    }
}

impl SigningKey {
    /// Read a PEM private key file (`--sign-key`).
    pub fn from_pem_file(path: &Path) -> Result<SigningKey, Failure> {
        let text = std::fs::read(path).map_err(|e| {
            Failure::usage(format!("cannot read signing key {}: {e}", path.display()))
        })?;
        SigningKey::from_pem(&text, &path.display().to_string())
    }

    /// Parse a PEM private key; `origin` names it in messages.
    pub fn from_pem(text: &[u8], origin: &str) -> Result<SigningKey, Failure> {
        let block = pem::parse(text).map_err(|e| {
            Failure::usage(format!(
                "{origin}: not a PEM private key ({e}); expected `-----BEGIN PRIVATE KEY-----` (PKCS#8, ECDSA P-256 or Ed25519)"
            ))
        })?;
        let der = block.contents();
        let pair = match block.tag() {
            "PRIVATE KEY" => {
                if let Ok(pair) = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, der) {
                    Pair::Ecdsa(pair)
                } else if let Ok(pair) = Ed25519KeyPair::from_pkcs8(der) {
                    Pair::Ed25519(pair)
                } else {
                    return Err(Failure::usage(format!(
                        "{origin}: the PKCS#8 key is neither ECDSA P-256 nor Ed25519; create one with `openssl genpkey -algorithm ed25519` or `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`"
                    )));
                }
            }
            "EC PRIVATE KEY" => {
                EcdsaKeyPair::from_private_key_der(&ECDSA_P256_SHA256_ASN1_SIGNING, der)
                    .map(Pair::Ecdsa)
                    .map_err(|e| {
                        Failure::usage(format!(
                            "{origin}: the EC private key is not a P-256 key ({e})"
                        ))
                    })?
            }
            "ENCRYPTED PRIVATE KEY" => {
                return Err(Failure::usage(format!(
                    "{origin}: the private key is encrypted; decrypt it to an unencrypted PKCS#8 file kept in a secret (e.g. `openssl pkey -in key.pem -out plain.pem`)"
                )));
            }
            other => {
                return Err(Failure::usage(format!(
                    "{origin}: PEM block `{other}` is not a private key; expected `PRIVATE KEY` (PKCS#8) or `EC PRIVATE KEY`"
                )));
            }
        };
        let (algorithm, spki) = match &pair {
            Pair::Ecdsa(pair) => (Algorithm::EcdsaP256Sha256, spki_der(pair.public_key())),
            Pair::Ed25519(pair) => (Algorithm::Ed25519, spki_der(pair.public_key())),
        };
        let spki =
            spki.map_err(|()| Failure::infra(format!("{origin}: cannot encode the public key")))?;
        let public = PublicKey::from_spki(algorithm, spki, origin)?;
        Ok(SigningKey {
            pair,
            public,
            rng: SystemRandom::new(),
        })
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Sign `message`. ECDSA signatures are ASN.1 DER; Ed25519 are 64 bytes.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Failure> {
        match &self.pair {
            Pair::Ecdsa(pair) => pair
                .sign(&self.rng, message)
                .map(|sig| sig.as_ref().to_vec())
                .map_err(|_| Failure::infra("ECDSA signing failed")),
            Pair::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
        }
    }
}

fn spki_der<K>(key: &K) -> Result<Vec<u8>, ()>
where
    K: AsDer<PublicKeyX509Der<'static>>,
{
    key.as_der()
        .map(|der| der.as_ref().to_vec())
        .map_err(|_| ())
}

/// A public key to verify with.
#[derive(Clone)]
pub struct PublicKey {
    algorithm: Algorithm,
    spki: Vec<u8>,
    keyid: String,
    parsed: ParsedPublicKey,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm)
            .field("keyid", &self.keyid)
            .finish()
    }
}

impl PublicKey {
    /// Read a PEM public key file (`--pubkey`).
    pub fn from_pem_file(path: &Path) -> Result<PublicKey, Failure> {
        let text = std::fs::read(path).map_err(|e| {
            Failure::usage(format!("cannot read public key {}: {e}", path.display()))
        })?;
        PublicKey::from_pem(&text, &path.display().to_string())
    }

    /// Parse a PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
    pub fn from_pem(text: &[u8], origin: &str) -> Result<PublicKey, Failure> {
        let block = pem::parse(text).map_err(|e| {
            Failure::usage(format!(
                "{origin}: not a PEM public key ({e}); expected `-----BEGIN PUBLIC KEY-----`"
            ))
        })?;
        if block.tag() != "PUBLIC KEY" {
            return Err(Failure::usage(format!(
                "{origin}: PEM block `{}` is not a public key; expected `PUBLIC KEY` (write it with `openssl pkey -in key.pem -pubout`)",
                block.tag()
            )));
        }
        let der = block.into_contents();
        let algorithm = if ParsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &der).is_ok() {
            Algorithm::EcdsaP256Sha256
        } else if ParsedPublicKey::new(&ED25519, &der).is_ok() {
            Algorithm::Ed25519
        } else {
            return Err(Failure::usage(format!(
                "{origin}: the public key is neither ECDSA P-256 nor Ed25519"
            )));
        };
        PublicKey::from_spki(algorithm, der, origin)
    }

    fn from_spki(algorithm: Algorithm, spki: Vec<u8>, origin: &str) -> Result<PublicKey, Failure> {
        let verification: &'static dyn aws_lc_rs::signature::VerificationAlgorithm = match algorithm
        {
            Algorithm::EcdsaP256Sha256 => &ECDSA_P256_SHA256_ASN1,
            Algorithm::Ed25519 => &ED25519,
        };
        let parsed = ParsedPublicKey::new(verification, &spki)
            .map_err(|e| Failure::usage(format!("{origin}: unusable public key ({e})")))?;
        Ok(PublicKey {
            algorithm,
            keyid: sha256_hex(&spki),
            spki,
            parsed,
        })
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// sha256 of the SubjectPublicKeyInfo DER, lower-case hex.
    pub fn keyid(&self) -> &str {
        &self.keyid
    }

    /// A short form of the key id for tables: algorithm and 12 hex digits.
    pub fn short(&self) -> String {
        format!(
            "{} {}",
            self.algorithm.scheme(),
            &self.keyid[..12.min(self.keyid.len())]
        )
    }

    /// The key as PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_pem(&self) -> String {
        pem::encode(&pem::Pem::new("PUBLIC KEY", self.spki.clone()))
    }

    /// Whether `signature` is this key's signature over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.parsed.verify_sig(message, signature).is_ok()
    }
}

/// A new private key of `algorithm`, as unencrypted PKCS#8 PEM
/// (`ci-intel-evidence keygen`).
pub fn generate_pem(algorithm: Algorithm) -> Result<String, Failure> {
    let der = match algorithm {
        Algorithm::Ed25519 => Ed25519KeyPair::generate().and_then(|pair| pair.to_pkcs8v1()),
        Algorithm::EcdsaP256Sha256 => EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING)
            .and_then(|pair| pair.to_pkcs8v1()),
    }
    .map_err(|_| Failure::infra("key generation failed"))?;
    Ok(pem::encode(&pem::Pem::new(
        "PRIVATE KEY",
        der.as_ref().to_vec(),
    )))
}

#[cfg(test)]
pub(crate) mod test_keys {
    use super::*;

    pub fn ed25519_pem() -> String {
        generate_pem(Algorithm::Ed25519).expect("ed25519")
    }

    pub fn p256_pem() -> String {
        generate_pem(Algorithm::EcdsaP256Sha256).expect("p-256")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_algorithms_sign_and_verify_and_reject_tampering() {
        for pem_text in [test_keys::ed25519_pem(), test_keys::p256_pem()] {
            let key = SigningKey::from_pem(pem_text.as_bytes(), "test").unwrap();
            let sig = key.sign(b"message").unwrap();
            let public = PublicKey::from_pem(key.public_key().to_pem().as_bytes(), "pub").unwrap();
            assert_eq!(public.keyid(), key.public_key().keyid());
            assert_eq!(public.algorithm(), key.public_key().algorithm());
            assert!(public.verify(b"message", &sig));
            assert!(!public.verify(b"messagf", &sig));
            let mut bad = sig.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert!(!public.verify(b"message", &bad));
        }
    }

    #[test]
    fn a_key_of_the_other_kind_does_not_verify() {
        let ed = SigningKey::from_pem(test_keys::ed25519_pem().as_bytes(), "ed").unwrap();
        let ec = SigningKey::from_pem(test_keys::p256_pem().as_bytes(), "ec").unwrap();
        let sig = ed.sign(b"m").unwrap();
        assert!(!ec.public_key().verify(b"m", &sig));
        assert_eq!(ed.public_key().algorithm().scheme(), "ed25519");
        assert_eq!(ec.public_key().algorithm().scheme(), "ecdsa-sha2-nistp256");
    }

    #[test]
    fn wrong_pem_blocks_are_usage_errors_that_say_what_is_expected() {
        let err = SigningKey::from_pem(b"not pem", "k.pem").unwrap_err();
        assert_eq!(err.code, ci_intel_core::ExitCode::Usage);
        assert!(err.message.contains("BEGIN PRIVATE KEY"), "{}", err.message);
        let public = SigningKey::from_pem(test_keys::ed25519_pem().as_bytes(), "k")
            .unwrap()
            .public_key()
            .to_pem();
        let err = SigningKey::from_pem(public.as_bytes(), "pub.pem").unwrap_err();
        assert!(
            err.message.contains("`PUBLIC KEY` is not a private key"),
            "{}",
            err.message
        );
        let err = PublicKey::from_pem(test_keys::ed25519_pem().as_bytes(), "k.pem").unwrap_err();
        assert!(err.message.contains("pubout"), "{}", err.message);
        let encrypted = pem::encode(&pem::Pem::new("ENCRYPTED PRIVATE KEY", vec![1, 2, 3]));
        let err = SigningKey::from_pem(encrypted.as_bytes(), "e.pem").unwrap_err();
        assert!(err.message.contains("encrypted"), "{}", err.message);
    }
}
