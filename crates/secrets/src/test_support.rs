//! Test helpers shared by unit and integration tests: secrets that the
//! detectors recognise, made at test time so that no real-looking credential
//! is committed. Not part of the tool's interface.

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A GitHub classic personal access token with a valid checksum: `ghp_`,
/// 30 base62 characters derived from `seed`, and the base62 CRC32 of those.
/// Different seeds give different tokens.
pub fn classic_pat(seed: u64) -> String {
    // A small xorshift generator: deterministic, no dependency.
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let body: String = (0..30)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(BASE62[(state % 62) as usize])
        })
        .collect();
    classic_pat_with_body(&body)
}

/// `ghp_{body}{checksum}` for a 30-character base62 `body`.
pub fn classic_pat_with_body(body: &str) -> String {
    format!("ghp_{body}{}", base62_crc32(body.as_bytes()))
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) in base62, six
/// digits, most significant first: GitHub's token checksum.
fn base62_crc32(bytes: &[u8]) -> String {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let lsb = crc & 1;
            crc >>= 1;
            if lsb == 1 {
                crc ^= 0xEDB8_8320;
            }
        }
    }
    let mut value = !crc;
    let mut digits = [b'0'; 6];
    for digit in digits.iter_mut().rev() {
        *digit = BASE62[(value % 62) as usize];
        value /= 62;
    }
    digits.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Detector;

    #[test]
    fn tokens_are_recognised_and_distinct() {
        let detector = Detector::builtin();
        let a = classic_pat(1);
        let b = classic_pat(2);
        assert_ne!(a, b);
        for token in [&a, &b] {
            assert_eq!(token.len(), 40);
            let hits = detector.find(token);
            assert_eq!(hits.len(), 1, "{token}");
            assert_eq!(hits[0].rule, "github-pat-classic");
        }
    }
}
