//! A private key in PEM or OpenSSH form.
//!
//! ## What it finds
//!
//! A `-----BEGIN ... PRIVATE KEY-----` block (PKCS#1 `RSA`, `EC`, `DSA`,
//! PKCS#8, `ENCRYPTED`, `OPENSSH`, and `PGP PRIVATE KEY BLOCK`) up to its
//! matching `-----END ...-----` line, with at least 64 characters of base64
//! between them. The block may span lines or sit in a string with `\n`
//! escapes (JSON, YAML, code). The whole block is the secret value, so it is
//! bounded by `MAX_SECRET_LEN` (16 KiB): an END line further away than
//! that is not matched.
//!
//! Encrypted keys (`ENCRYPTED PRIVATE KEY`, `Proc-Type: 4,ENCRYPTED`, or an
//! OpenSSH key whose cipher is not `none`) still leak the key to anyone who
//! guesses or finds the passphrase; they are reported at medium severity,
//! unencrypted keys at critical.
//!
//! gitleaks: `private-key`.
//!
//! ## Not a finding
//!
//! Certificates (`BEGIN CERTIFICATE`), public keys (`BEGIN PUBLIC KEY`,
//! `ssh-rsa AAAA...`), signatures and CSRs; a BEGIN line with no END line;
//! blocks whose body is a placeholder (`...`, `<your key>`, a repeated
//! character) or shorter than 64 base64 characters (code that assembles a
//! PEM from parts).
//!
//! ## Fix
//!
//! Treat the key as compromised: revoke or replace it wherever it is trusted
//! (deploy keys, `authorized_keys`, certificates issued for it, signing
//! keys), remove it from the history, and keep the new key in a secret.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use regex::Regex;

use super::pattern;
use crate::detect::entropy::is_repetitive;
use crate::detect::{Hit, MAX_SECRET_LEN, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "private-key",
    title: "Private key (PEM or OpenSSH)",
    gitleaks: &["private-key"],
    keywords: &["private key-----", "private key block-----"],
    severity: Severity::Critical,
    min_entropy: 0.0,
    scope: Scope::Text,
};

/// Fewer base64 characters than this between BEGIN and END cannot be a key
/// (the smallest real one, an Ed25519 OpenSSH key, has about 400).
const MIN_BODY: usize = 64;

#[derive(Debug)]
pub struct PrivateKey {
    begin: Regex,
}

impl PrivateKey {
    pub fn new() -> Self {
        PrivateKey {
            begin: pattern(r"-----BEGIN ((?:[A-Z0-9]+ ){0,3})PRIVATE KEY( BLOCK)?-----"),
        }
    }
}

impl Rule for PrivateKey {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.begin.captures_iter(text) {
            let (Some(begin), Some(label)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            let block = if caps.get(2).is_some() { " BLOCK" } else { "" };
            let end_marker = format!("-----END {}PRIVATE KEY{block}-----", label.as_str());
            let mut window_end = (begin.start() + MAX_SECRET_LEN).min(text.len());
            while !text.is_char_boundary(window_end) {
                window_end -= 1;
            }
            let Some(body_len) = text[begin.end()..window_end].find(&end_marker) else {
                continue;
            };
            let body = &text[begin.end()..begin.end() + body_len];
            let Some(base64) = key_body(body) else {
                continue;
            };
            let end = begin.end() + body_len + end_marker.len();
            let encrypted = label.as_str().contains("ENCRYPTED")
                || body.contains("Proc-Type: 4,ENCRYPTED")
                || (label.as_str() == "OPENSSH " && openssh_is_encrypted(&base64));
            let mut hit = Hit::new(&INFO, begin.start(), end, 0);
            if encrypted {
                hit = hit.with_severity(Severity::Medium);
            }
            hits.push(hit);
        }
    }
}

/// The base64 payload of a PEM body (header lines such as `Proc-Type:` and
/// PGP armor headers dropped, `\n` escapes and whitespace removed), or
/// `None` when it is not one.
fn key_body(body: &str) -> Option<String> {
    let unescaped = body.replace("\\r", "\n").replace("\\n", "\n");
    let mut payload = String::with_capacity(unescaped.len());
    for line in unescaped.lines() {
        let line = line.trim().trim_matches(|c| c == '"' || c == '\'');
        if line.is_empty() || line.contains(':') {
            continue; // a blank line or an armor header
        }
        // PGP armor ends with a CRC line `=abcd`.
        if line.starts_with('=') && line.len() <= 5 {
            continue;
        }
        if !line
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        {
            return None;
        }
        payload.push_str(line);
    }
    (payload.len() >= MIN_BODY && !is_repetitive(&payload)).then_some(payload)
}

/// An OpenSSH private key names its cipher right after the magic
/// `openssh-key-v1\0`; anything but `none` means a passphrase protects it.
fn openssh_is_encrypted(base64: &str) -> bool {
    const MAGIC: &[u8] = b"openssh-key-v1\0";
    // Decoding the first few hundred characters is enough to read the header.
    let prefix: String = base64.chars().take(200).collect();
    let usable = prefix.len() / 4 * 4;
    let Ok(bytes) = STANDARD_NO_PAD.decode(prefix[..usable].trim_end_matches('=')) else {
        return false;
    };
    let Some(rest) = bytes.strip_prefix(MAGIC) else {
        return false;
    };
    let Some(len) = rest
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    else {
        return false;
    };
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    rest.get(4..4usize.saturating_add(len))
        .is_some_and(|cipher| cipher != b"none")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openssh_cipher_decides_encryption() {
        let header = |cipher: &str| {
            let mut bytes = b"openssh-key-v1\0".to_vec();
            bytes.extend_from_slice(&u32::try_from(cipher.len()).unwrap().to_be_bytes());
            bytes.extend_from_slice(cipher.as_bytes());
            bytes.extend_from_slice(&[7u8; 64]);
            base64::engine::general_purpose::STANDARD.encode(bytes)
        };
        assert!(!openssh_is_encrypted(&header("none")));
        assert!(openssh_is_encrypted(&header("aes256-ctr")));
        assert!(!openssh_is_encrypted("not base64 at all"));
    }
}
