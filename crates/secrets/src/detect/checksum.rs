//! The checksum GitHub (and npm, which adopted GitHub's format) append to
//! their tokens: the CRC32 (IEEE) of the random part, written in base62 and
//! left-padded with `0` to six characters. A string of the right shape whose
//! last six characters are not this checksum is not a token.

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Width of the checksum suffix.
pub const CHECKSUM_LEN: usize = 6;

/// CRC32 of `body`, in base62, six characters.
pub fn base62_crc32(body: &str) -> String {
    let mut n = crc32fast::hash(body.as_bytes());
    let mut digits = [b'0'; CHECKSUM_LEN];
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    digits.iter().map(|&b| char::from(b)).collect()
}

/// True when `random_and_checksum` (ASCII) ends with the checksum of what
/// precedes it.
pub fn has_valid_checksum(random_and_checksum: &str) -> bool {
    let Some(split) = random_and_checksum.len().checked_sub(CHECKSUM_LEN) else {
        return false;
    };
    match (
        random_and_checksum.get(..split),
        random_and_checksum.get(split..),
    ) {
        (Some(body), Some(check)) => base62_crc32(body) == check,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_of_a_known_body() {
        // CRC32("123456789") is the standard check value 0xCBF43926; its
        // base62 form was computed independently (Python's zlib.crc32).
        assert_eq!(base62_crc32("123456789"), "3jZRME");
        assert!(has_valid_checksum("1234567893jZRME"));
        assert!(!has_valid_checksum("1234567893jZRMF"));
        assert!(!has_valid_checksum("abc"));
    }
}
