//! age secret key.
//!
//! ## What it finds
//!
//! `AGE-SECRET-KEY-1` and 58 bech32 characters (52 of key data, 6 of
//! checksum): an X25519 identity of the age encryption tool. The bech32
//! checksum (BIP 173) must be right, and the random part must measure at
//! least 3.0 bits of entropy per character.
//!
//! gitleaks: `age-secret-key`.
//!
//! ## Not a finding
//!
//! All-zero keys (`AGE-SECRET-KEY-1QQQQ…`, a placeholder), a wrong checksum
//! (a typed or made-up value), other lengths, characters outside bech32.
//!
//! ## Fix
//!
//! Generate a new identity, re-encrypt what the old one protected, remove it
//! from the history.

use crate::detect::kit::{self, BECH32, ComputedFake, Part, TokenRule, TokenSpec, Variant};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "age-secret-key",
        title: "age secret key",
        gitleaks: &["age-secret-key"],
        keywords: &["age-secret-key-1"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
    public_prefix: 16,
    validate: Some(valid_bech32),
    context: &[],
    fake: &[Part::Lit("AGE-SECRET-KEY-1"), Part::Rand(BECH32, 58)],
};

/// The key data of a synthetic key, before its checksum.
const FAKE_DATA: &[Part] = &[Part::Rand(BECH32, 52)];

/// bech32's generator constants (BIP 173).
const GENERATOR: [u32; 5] = [
    0x3b6a_57b2,
    0x2650_8e6d,
    0x1ea1_19fa,
    0x3d42_33dd,
    0x2a14_62b3,
];

fn polymod(values: impl IntoIterator<Item = u8>) -> u32 {
    let mut chk: u32 = 1;
    for value in values {
        let top = chk >> 25;
        chk = ((chk & 0x01ff_ffff) << 5) ^ u32::from(value);
        for (i, g) in GENERATOR.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// The human-readable part expanded as BIP 173 says: high bits, 0, low bits.
fn hrp_expand(hrp: &str) -> Vec<u8> {
    let mut out: Vec<u8> = hrp.bytes().map(|b| b >> 5).collect();
    out.push(0);
    out.extend(hrp.bytes().map(|b| b & 31));
    out
}

/// The 5-bit values of bech32 characters (either case), or `None`.
fn values(data: &str) -> Option<Vec<u8>> {
    data.bytes()
        .map(|b| {
            BECH32
                .bytes()
                .position(|c| c == b.to_ascii_uppercase())
                .and_then(|i| u8::try_from(i).ok())
        })
        .collect()
}

/// True when `token` (`AGE-SECRET-KEY-1…`) carries a right bech32 checksum.
fn valid_bech32(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    let Some((hrp, data)) = lower.rsplit_once('1') else {
        return false;
    };
    let Some(data) = values(data) else {
        return false;
    };
    polymod(hrp_expand(hrp).into_iter().chain(data)) == 1
}

/// The six checksum characters for `hrp` and the data characters `data`.
fn checksum(hrp: &str, data: &str) -> String {
    let data = values(data).unwrap_or_default();
    let pm = polymod(hrp_expand(hrp).into_iter().chain(data).chain([0u8; 6])) ^ 1;
    (0..6)
        .map(|i| char::from(BECH32.as_bytes()[((pm >> (5 * (5 - i))) & 31) as usize]))
        .collect()
}

/// A key with the right checksum over seeded key data.
fn fake(seed: &str, variant: Variant) -> String {
    let data = kit::fake(FAKE_DATA, seed, variant);
    let sum = checksum("age-secret-key-", &data);
    format!("AGE-SECRET-KEY-1{data}{sum}")
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
    fn the_checksum_is_computed_and_verified_as_bip_173_says() {
        // BIP 173's valid test vector `abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw`.
        let vector = "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw";
        assert!(valid_bech32(vector));
        assert!(!valid_bech32(
            "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxq"
        ));
        assert_eq!(
            checksum("abcdef", "qpzry9x8gf2tvdw0s3jn54khce6mua7l"),
            "MQQQXW"
        );
        let key = rule().synthetic("t", Variant::Valid).unwrap();
        assert!(valid_bech32(&key), "{key}");
        let mut broken = key;
        let last = broken.pop().unwrap();
        broken.push(if last == 'Q' { 'P' } else { 'Q' });
        assert!(!valid_bech32(&broken));
    }
}
