//! DSSE envelopes (Dead Simple Signing Envelope, v1.0.x): the signature
//! wrapper of in-toto attestations.
//!
//! A signature covers the pre-authentication encoding (PAE) of the payload
//! type and the payload, never the JSON around them:
//!
//! ```text
//! PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
//! ```
//!
//! where `LEN` is the byte length as ASCII decimal without leading zeros and
//! `SP` one space. Payloads and signatures are base64 (the standard
//! alphabet with padding when we write; either alphabet when we read, as the
//! specification asks of readers).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

use ci_intel_core::Failure;

use crate::keys::{PublicKey, SigningKey};

/// The payload type of an in-toto Statement.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// The pre-authentication encoding of `payload_type` and `payload`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_type.len() + payload.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// A hint naming the key (our key id: sha256 of the public key's
    /// SubjectPublicKeyInfo). Not trusted: verification tries every key.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub keyid: String,
    /// Base64 signature over the PAE.
    pub sig: String,
}

/// A DSSE envelope as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub payload_type: String,
    /// Base64 of the payload bytes.
    pub payload: String,
    /// Empty for evidence written without a key (`--sign-key` not given).
    #[serde(default)]
    pub signatures: Vec<Signature>,
}

/// What checking an envelope's signatures found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureStatus {
    /// A signature verified with this key (its short description).
    Valid(String),
    /// The envelope carries no signature.
    Unsigned,
    /// Signatures are there but none verifies with any trusted key.
    Invalid(String),
}

impl SignatureStatus {
    pub fn is_valid(&self) -> bool {
        matches!(self, SignatureStatus::Valid(_))
    }
}

impl Envelope {
    /// An unsigned envelope around `payload`.
    pub fn new(payload_type: &str, payload: &[u8]) -> Envelope {
        Envelope {
            payload_type: payload_type.to_owned(),
            payload: STANDARD.encode(payload),
            signatures: Vec::new(),
        }
    }

    /// Parse an envelope from JSON text. `origin` names it in messages.
    pub fn parse(bytes: &[u8], origin: &str) -> Result<Envelope, String> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let envelope: Envelope = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            format!(
                "{origin}: not a DSSE envelope at `{}`: {} (expected {{\"payloadType\", \"payload\", \"signatures\"}})",
                e.path(),
                e.inner()
            )
        })?;
        envelope
            .payload_bytes()
            .map_err(|e| format!("{origin}: {e}"))?;
        Ok(envelope)
    }

    /// The payload bytes.
    pub fn payload_bytes(&self) -> Result<Vec<u8>, String> {
        decode(&self.payload).ok_or_else(|| "the envelope's payload is not base64".to_owned())
    }

    /// Add a signature with `key`.
    pub fn sign(&mut self, key: &SigningKey) -> Result<(), Failure> {
        let payload = self.payload_bytes().map_err(Failure::infra)?;
        let sig = key.sign(&pae(&self.payload_type, &payload))?;
        self.signatures.push(Signature {
            keyid: key.public_key().keyid().to_owned(),
            sig: STANDARD.encode(sig),
        });
        Ok(())
    }

    /// Whether a signature verifies with one of `keys`.
    pub fn verify(&self, keys: &[PublicKey]) -> SignatureStatus {
        if self.signatures.is_empty() {
            return SignatureStatus::Unsigned;
        }
        let Ok(payload) = self.payload_bytes() else {
            return SignatureStatus::Invalid("payload is not base64".to_owned());
        };
        let message = pae(&self.payload_type, &payload);
        for signature in &self.signatures {
            let Some(sig) = decode(&signature.sig) else {
                continue;
            };
            if let Some(key) = keys.iter().find(|key| key.verify(&message, &sig)) {
                return SignatureStatus::Valid(key.short());
            }
        }
        let ids: Vec<String> = self
            .signatures
            .iter()
            .map(|s| {
                if s.keyid.is_empty() {
                    "(no keyid)".to_owned()
                } else {
                    s.keyid.chars().take(12).collect()
                }
            })
            .collect();
        SignatureStatus::Invalid(format!(
            "no signature verifies with the given key(s); signed by {}",
            ids.join(", ")
        ))
    }

    /// Pretty JSON with a final newline, as written to disk.
    pub fn to_json(&self) -> Vec<u8> {
        let mut text = serde_json::to_vec_pretty(self).unwrap_or_default();
        text.push(b'\n');
        text
    }
}

fn decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::test_keys;

    #[test]
    fn pae_is_exactly_the_specified_encoding() {
        // The DSSE specification's test vector.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn signed_envelopes_verify_and_tampering_is_caught() {
        let key = SigningKey::from_pem(test_keys::p256_pem().as_bytes(), "k").unwrap();
        let other = SigningKey::from_pem(test_keys::ed25519_pem().as_bytes(), "o").unwrap();
        let mut envelope = Envelope::new(IN_TOTO_PAYLOAD_TYPE, b"{\"a\":1}");
        assert_eq!(
            envelope.verify(&[key.public_key().clone()]),
            SignatureStatus::Unsigned
        );
        envelope.sign(&key).unwrap();
        let parsed = Envelope::parse(&envelope.to_json(), "e.json").unwrap();
        assert!(parsed.verify(&[key.public_key().clone()]).is_valid());
        assert!(
            parsed
                .verify(&[other.public_key().clone(), key.public_key().clone()])
                .is_valid()
        );
        assert!(matches!(
            parsed.verify(&[other.public_key().clone()]),
            SignatureStatus::Invalid(_)
        ));
        let mut changed = parsed.clone();
        changed.payload = STANDARD.encode(b"{\"a\":2}");
        assert!(!changed.verify(&[key.public_key().clone()]).is_valid());
        let mut retyped = parsed;
        retyped.payload_type = "application/json".into();
        assert!(!retyped.verify(&[key.public_key().clone()]).is_valid());
    }

    #[test]
    fn url_safe_base64_is_read_too() {
        assert_eq!(decode("-_8"), Some(vec![0xfb, 0xff]));
        assert_eq!(decode("+/8="), Some(vec![0xfb, 0xff]));
        assert_eq!(decode("%%%"), None);
    }

    #[test]
    fn malformed_envelopes_say_where() {
        let err = Envelope::parse(b"{\"payloadType\": 3}", "x.json").unwrap_err();
        assert!(
            err.contains("x.json") && err.contains("payloadType"),
            "{err}"
        );
        let err = Envelope::parse(b"{\"payloadType\":\"t\",\"payload\":\"%%\"}", "y").unwrap_err();
        assert!(err.contains("base64"), "{err}");
    }
}
