//! Synthetic credentials for tests and fixtures: valid-shaped (the right
//! prefix, length, alphabet and, where a rule checks one, checksum) so that
//! the rules fire, obviously fake (each carries the marker `FAKE`, and its
//! random part is a SHA-256 stream of a public seed), and never real.
//!
//! Fixture files do not contain tokens: they contain templates,
//! `{{fake:KIND}}` or `{{fake:KIND:SEED}}`, which [`expand`] replaces at
//! test time. So this repository holds no token-shaped string for GitHub
//! push protection (or any other scanner) to block, and the fixtures still
//! exercise the real checksums.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use super::checksum::base62_crc32;
use super::kit::Variant;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const DIGITS: &[u8] = b"0123456789";
const HEX: &[u8] = b"0123456789abcdef";

/// Every kind [`fake`] knows, for error messages and tests.
pub const KINDS: &[&str] = &[
    "ghp",
    "gho",
    "ghu",
    "ghs",
    "ghr",
    "ghp-badsum",
    "ghs-badsum",
    "github-pat",
    "npm",
    "npm-badsum",
    "npm-legacy",
    "aws-akid",
    "aws-asid",
    "aws-secret",
    "gcp-api-key",
    "azure-storage-key",
    "azure-sas-key",
    "slack-bot",
    "slack-user",
    "slack-app",
    "slack-webhook",
    "stripe-live",
    "stripe-test",
    "stripe-restricted",
    "pypi",
    "pypi-test",
    "dockerhub",
    "dockerhub-oat",
    "gitlab-pat",
    "gitlab-deploy",
    "gitlab-runner",
    "jwt",
    "jwt-none",
    "password",
    "password-b64",
    "generic",
    "hex32",
    "pem-rsa",
    "pem-pkcs8",
    "pem-ec",
    "pem-openssh",
    "pem-encrypted",
    "pem-pgp",
    "pem-pkcs8-json",
    "telegram-bot",
    "minisign-key",
    "minisign-key-b64",
];

/// `len` characters from `alphabet`, a deterministic stream seeded by `seed`.
pub fn filler(seed: &str, len: usize, alphabet: &[u8]) -> String {
    let mut out = String::with_capacity(len);
    let mut block = Sha256::digest(format!("ci-intel synthetic {seed}").as_bytes());
    while out.len() < len {
        for &byte in block.iter() {
            if out.len() == len {
                break;
            }
            out.push(char::from(alphabet[usize::from(byte) % alphabet.len()]));
        }
        block = Sha256::digest(block);
    }
    out
}

/// `FAKE` followed by filler, `len` characters in all.
fn marked(seed: &str, len: usize, alphabet: &[u8]) -> String {
    format!("FAKE{}", filler(seed, len.saturating_sub(4), alphabet))
}

/// A GitHub-format token: prefix, 30 random characters, their checksum.
fn github_format(prefix: &str, seed: &str) -> String {
    let body = marked(seed, 30, BASE62);
    format!("{prefix}{body}{}", base62_crc32(&body))
}

/// The same with the last character of the checksum changed.
fn bad_checksum(token: String) -> String {
    let mut token = token;
    let last = token.pop().unwrap_or('0');
    token.push(if last == 'A' { 'B' } else { 'A' });
    token
}

fn pem(label: &str, seed: &str, body_bytes: usize, headers: &str) -> String {
    let body = filler(seed, body_bytes, BASE64);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{headers}FAKE{}\n-----END {label}-----",
        lines.join("\n")
    )
}

fn jwt(seed: &str, alg: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#));
    let payload = URL_SAFE_NO_PAD.encode(format!(
        r#"{{"sub":"FAKE-ci-intel-synthetic","seed":"{seed}","iat":1700000000}}"#
    ));
    let signature = if alg == "none" {
        String::new()
    } else {
        URL_SAFE_NO_PAD.encode(filler(seed, 32, BASE64).as_bytes())
    };
    format!("{header}.{payload}.{signature}")
}

fn minisign(seed: &str, comment: &str) -> String {
    format!(
        "untrusted comment: {comment}\nRWRTY0IyFAKE{}\n",
        filler(seed, 200, BASE64)
    )
}

/// A synthetic credential of `kind`, or `None` for an unknown kind.
///
/// Besides the [`KINDS`] above, every rule id with a generator of its own
/// (the rules declared with [`kit`](super::kit)) is a kind, and may carry a
/// variant: `KIND~x` (the random parts all `x`), `KIND~seq` (counting up),
/// `KIND~short` (three characters short); see [`Variant`].
pub fn fake(kind: &str, seed: &str) -> Option<String> {
    let (base, variant) = match kind.split_once('~') {
        Some((base, variant)) => (base, Variant::parse(variant)?),
        None => (kind, Variant::Valid),
    };
    if variant == Variant::Valid
        && let Some(value) = builtin_kind(base, seed)
    {
        return Some(value);
    }
    super::builtin_rules()
        .iter()
        .find(|r| r.info().id == base)?
        .synthetic(&format!("{base}/{seed}"), variant)
}

/// Every rule id that has a generator of its own, for tests that plant
/// every kind of secret.
pub fn rule_kinds() -> Vec<&'static str> {
    super::builtin_rules()
        .iter()
        .filter(|r| r.synthetic("probe", Variant::Valid).is_some())
        .map(|r| r.info().id)
        .collect()
}

fn builtin_kind(kind: &str, seed: &str) -> Option<String> {
    let seed = format!("{kind}/{seed}");
    let seed = seed.as_str();
    Some(match kind {
        "ghp" | "gho" | "ghu" | "ghs" | "ghr" => github_format(&format!("{kind}_"), seed),
        "ghp-badsum" => bad_checksum(github_format("ghp_", seed)),
        "ghs-badsum" => bad_checksum(github_format("ghs_", seed)),
        "github-pat" => format!(
            "github_pat_11FAKE{}_{}",
            filler(seed, 16, BASE62),
            filler(&format!("{seed}/2"), 59, BASE62)
        ),
        "npm" => github_format("npm_", seed),
        "npm-badsum" => bad_checksum(github_format("npm_", seed)),
        "npm-legacy" => {
            let hex = filler(seed, 32, HEX);
            format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            )
        }
        "aws-akid" => format!("AKIA{}", marked(seed, 16, BASE32)),
        "aws-asid" => format!("ASIA{}", marked(seed, 16, BASE32)),
        "aws-secret" => marked(seed, 40, BASE64),
        "gcp-api-key" => format!("AIzaSy{}", marked(seed, 33, BASE64URL)),
        "azure-storage-key" => STANDARD.encode(format!("FAKE{}", filler(seed, 60, BASE62))),
        "azure-sas-key" => STANDARD.encode(format!("FAKE{}", filler(seed, 28, BASE62))),
        "slack-bot" => format!(
            "xoxb-{}-{}-{}",
            filler(seed, 12, DIGITS),
            filler(&format!("{seed}/2"), 13, DIGITS),
            marked(seed, 24, BASE62)
        ),
        "slack-user" => format!(
            "xoxp-{}-{}-{}-{}",
            filler(seed, 12, DIGITS),
            filler(&format!("{seed}/2"), 12, DIGITS),
            filler(&format!("{seed}/3"), 13, DIGITS),
            filler(seed, 32, HEX)
        ),
        "slack-app" => format!(
            "xapp-1-A{}-{}-{}",
            filler(seed, 10, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            filler(seed, 13, DIGITS),
            filler(seed, 64, HEX)
        ),
        "slack-webhook" => format!(
            "https://hooks.slack.com/services/T{}/B{}/{}",
            filler(seed, 8, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            filler(
                &format!("{seed}/2"),
                10,
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            ),
            marked(seed, 24, BASE62)
        ),
        "stripe-live" => format!("sk_live_51{}", marked(seed, 96, BASE62)),
        "stripe-test" => format!("sk_test_51{}", marked(seed, 96, BASE62)),
        "stripe-restricted" => format!("rk_live_51{}", marked(seed, 96, BASE62)),
        "pypi" => format!("pypi-AgEIcHlwaS5vcmc{}", marked(seed, 140, BASE64URL)),
        "pypi-test" => format!(
            "pypi-AgENdGVzdC5weXBpLm9yZw{}",
            marked(seed, 140, BASE64URL)
        ),
        "dockerhub" => format!("dckr_pat_{}", marked(seed, 27, BASE64URL)),
        "dockerhub-oat" => format!("dckr_oat_{}", marked(seed, 32, BASE64URL)),
        "gitlab-pat" => format!("glpat-{}", marked(seed, 20, BASE62)),
        "gitlab-deploy" => format!("gldt-{}", marked(seed, 20, BASE62)),
        "gitlab-runner" => format!("glrt-{}", marked(seed, 20, BASE62)),
        "jwt" => jwt(seed, "HS256"),
        "jwt-none" => jwt(seed, "none"),
        "password" => format!("FAKE{}!", filler(seed, 15, BASE62)),
        "password-b64" => STANDARD.encode(format!("FAKE{}!", filler(seed, 15, BASE62))),
        "generic" => marked(seed, 32, BASE62),
        "hex32" => filler(seed, 32, HEX),
        "pem-rsa" => pem("RSA PRIVATE KEY", seed, 1600, ""),
        "pem-pkcs8" => pem("PRIVATE KEY", seed, 1600, ""),
        "pem-ec" => pem("EC PRIVATE KEY", seed, 220, ""),
        "pem-openssh" => pem("OPENSSH PRIVATE KEY", seed, 380, ""),
        "pem-encrypted" => pem("ENCRYPTED PRIVATE KEY", seed, 1700, ""),
        "pem-pgp" => pem(
            "PGP PRIVATE KEY BLOCK",
            seed,
            900,
            "Comment: FAKE synthetic key\n\n",
        ),
        "pem-pkcs8-json" => pem("PRIVATE KEY", seed, 1600, "").replace('\n', "\\n") + "\\n",
        "telegram-bot" => format!(
            "{}:AAFAKE{}",
            filler(seed, 9, DIGITS).replacen('0', "1", 1),
            filler(seed, 29, BASE64URL)
        ),
        "minisign-key" => minisign(seed, "FAKE minisign encrypted secret key"),
        "minisign-key-b64" => STANDARD.encode(minisign(seed, "rsign encrypted secret key")),
        _ => return None,
    })
}

/// Replace every `{{fake:KIND}}` and `{{fake:KIND:SEED}}` in `template`.
/// An unknown kind or an unclosed template is an error naming it.
pub fn expand(template: &str) -> Result<String, String> {
    const OPEN: &str = "{{fake:";
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let after = &rest[at + OPEN.len()..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("unclosed `{OPEN}` template"))?;
        let spec = &after[..end];
        let (kind, seed) = spec.split_once(':').unwrap_or((spec, "1"));
        let value = fake(kind, seed).ok_or_else(|| {
            format!(
                "unknown synthetic kind `{kind}`; known: {} and every rule id (with ~x, ~seq or ~short)",
                KINDS.join(", ")
            )
        })?;
        out.push_str(&value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::checksum::has_valid_checksum;

    #[test]
    fn every_kind_is_known_deterministic_and_marked() {
        for kind in KINDS {
            let a = fake(kind, "x").unwrap();
            assert_eq!(a, fake(kind, "x").unwrap(), "{kind} is deterministic");
            assert_ne!(a, fake(kind, "y").unwrap(), "{kind} depends on the seed");
        }
        assert!(fake("nope", "x").is_none());
    }

    #[test]
    fn github_format_tokens_carry_a_valid_checksum_unless_asked_not_to() {
        let good = fake("ghp", "1").unwrap();
        assert_eq!(good.len(), 40);
        assert!(has_valid_checksum(&good[4..]));
        assert!(!has_valid_checksum(&fake("ghp-badsum", "1").unwrap()[4..]));
    }

    #[test]
    fn templates_expand_and_errors_name_the_problem() {
        let text = expand("a {{fake:ghp}} b {{fake:ghp:2}} c").unwrap();
        assert!(text.starts_with("a ghp_FAKE") && text.ends_with(" c"));
        assert!(expand("{{fake:bogus}}").unwrap_err().contains("bogus"));
        assert!(expand("{{fake:ghp").unwrap_err().contains("unclosed"));
    }
}
