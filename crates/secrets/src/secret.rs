//! How a secret is shown: never the value. A fingerprint (SHA-256 prefix)
//! identifies it across runs and in the baseline; a preview tells a human
//! which kind of value it was without revealing it.

use sha2::{Digest, Sha256};

/// Hex characters of the SHA-256 kept in a fingerprint: 64 bits, enough to
/// tell secrets apart in a baseline, far too few to brute-force the value.
pub const FINGERPRINT_HEX_LEN: usize = 16;

/// `sha256:` plus the first [`FINGERPRINT_HEX_LEN`] hex characters of the
/// SHA-256 of the value.
pub fn fingerprint(value: &[u8]) -> String {
    let digest = Sha256::digest(value);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{}", &hex[..FINGERPRINT_HEX_LEN])
}

/// A redacted preview: at most the first `keep` characters when they are a
/// public, well-known prefix (`ghp_`, `AKIA`, `xoxb-`), then `…` and the
/// length. Callers pass `keep = 0` when the value has no public prefix.
pub fn preview(value: &str, keep: usize) -> String {
    let chars = value.chars().count();
    // Never show more than a quarter of a value, whatever the caller asks.
    let keep = keep.min(chars / 4);
    let shown: String = value.chars().take(keep).collect();
    format!("{shown}…[{chars} chars redacted]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_a_stable_prefix() {
        assert_eq!(fingerprint(b"abc"), "sha256:ba7816bf8f01cfea");
    }

    #[test]
    fn preview_never_shows_more_than_a_quarter() {
        assert_eq!(preview("ghp_abcdefgh", 4), "ghp…[12 chars redacted]");
        assert_eq!(preview("secret", 0), "…[6 chars redacted]");
    }
}
