//! Grafana API key, Cloud token or service-account token.
//!
//! ## What it finds
//!
//! `eyJrIjoi` (a legacy API key: base64 JSON), `glc_` and 32 or more base64
//! characters (Grafana Cloud access policy token), or `glsa_`, 32 letters and
//! digits, `_` and 8 hex digits (service-account token). The 8 hex digits of
//! a service-account token are its checksum and must be right: the CRC32
//! (IEEE) of everything before the last `_`, its four bytes written low byte
//! first (Grafana's `satokengen`). The random part must measure at least 3.0
//! bits of entropy per character.
//!
//! gitleaks: `grafana-api-key`, `grafana-cloud-api-token`,
//! `grafana-service-account-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, a service-account
//! token whose checksum is wrong (typed or made up: Grafana refuses it
//! before any lookup), and the prefix glued to the end of a longer word or
//! blob.
//!
//! ## Fix
//!
//! Delete the key or token in Grafana (Administration → Service accounts, or
//! the Cloud portal's access policies), remove it from the history, and read it
//! from a secret at run time.

use crate::detect::kit::{self, BASE62, ComputedFake, HEX, Part, TokenRule, TokenSpec, Variant};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "grafana-token",
        title: "Grafana API key, Cloud token or service-account token",
        gitleaks: &[
            "grafana-api-key",
            "grafana-cloud-api-token",
            "grafana-service-account-token",
        ],
        keywords: &["eyjrijoi", "glc_", "glsa_"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"(?:eyJrIjoi[A-Za-z0-9]{70,400}={0,3}|glc_[A-Za-z0-9+/]{32,400}={0,3}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})",
    public_prefix: 4,
    validate: Some(service_account_checksum_is_right),
    context: &[],
    fake: &[
        Part::Lit("glsa_"),
        Part::Rand(BASE62, 32),
        Part::Lit("_"),
        Part::Rand(HEX, 8),
    ],
};

/// The part of a synthetic service-account token before its checksum.
const FAKE_KEY: &[Part] = &[Part::Lit("glsa_"), Part::Rand(BASE62, 32)];

/// The checksum Grafana appends to `key` (`glsa_` and the random part).
fn checksum(key: &str) -> String {
    crc32fast::hash(key.as_bytes())
        .to_le_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// True unless `token` is a service-account token with a wrong checksum
/// (the API key and Cloud token formats carry none).
fn service_account_checksum_is_right(token: &str) -> bool {
    if !token.starts_with("glsa_") {
        return true;
    }
    token
        .rsplit_once('_')
        .is_some_and(|(key, sum)| sum.eq_ignore_ascii_case(&checksum(key)))
}

/// A service-account token with Grafana's checksum over seeded parts.
fn fake(seed: &str, variant: Variant) -> String {
    let key = kit::fake(FAKE_KEY, seed, variant);
    let sum = checksum(&key);
    format!("{key}_{sum}")
}

pub fn rule() -> Box<dyn Rule> {
    Box::new(ComputedFake {
        rule: TokenRule::new(&SPEC),
        fake,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_account_token_needs_grafanas_checksum() {
        // The checksum is the CRC32 of `glsa_` and the random part, low byte
        // first: CRC32("glsa_") is 0x4d45d471 by Python's zlib.crc32.
        assert_eq!(checksum("glsa_"), "71d4454d");
        let token = rule().synthetic("t", Variant::Valid).unwrap();
        assert!(service_account_checksum_is_right(&token), "{token}");
        let mut hits = Vec::new();
        rule().find(&format!("token = {token}"), &mut hits);
        assert_eq!(hits.len(), 1, "{token}");
        let mut forged = token;
        let last = forged.pop().unwrap();
        forged.push(if last == '0' { '1' } else { '0' });
        assert!(!service_account_checksum_is_right(&forged));
        let mut hits = Vec::new();
        rule().find(&format!("token = {forged}"), &mut hits);
        assert!(hits.is_empty(), "{forged}");
        // The other two formats carry no checksum.
        assert!(service_account_checksum_is_right("glc_anything"));
    }
}
