//! `github-pat-classic`: a GitHub classic personal access token, `ghp_`
//! followed by 30 base62 characters and a 6-character base62 CRC32 of
//! those 30 characters. The checksum is verified, so random strings of the
//! right shape are not findings.

use regex::Regex;

use crate::detect::{Hit, Rule, RuleInfo};

const INFO: RuleInfo = RuleInfo {
    id: "github-pat-classic",
    title: "GitHub classic personal access token",
    keywords: &["ghp_"],
};

#[derive(Debug)]
pub struct GithubPatClassic {
    pattern: Regex,
}

impl GithubPatClassic {
    pub fn new() -> Self {
        GithubPatClassic {
            pattern: Regex::new(r"\bghp_([0-9A-Za-z]{30})([0-9A-Za-z]{6})\b")
                .expect("the pattern is a valid regex"),
        }
    }
}

impl Rule for GithubPatClassic {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.pattern.captures_iter(text) {
            let (Some(whole), Some(body), Some(check)) = (caps.get(0), caps.get(1), caps.get(2))
            else {
                continue;
            };
            if base62_crc32(body.as_str()) == check.as_str() {
                hits.push(Hit {
                    rule: INFO.id,
                    start: whole.start(),
                    end: whole.end(),
                    public_prefix: 4,
                });
            }
        }
    }
}

/// CRC32 (IEEE) of `body`, in base62, left-padded with `0` to 6 characters:
/// the checksum GitHub appends to its tokens.
fn base62_crc32(body: &str) -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut crc: u32 = 0xFFFF_FFFF;
    for byte in body.bytes() {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    let mut n = !crc;
    let mut digits = [b'0'; 6];
    for slot in digits.iter_mut().rev() {
        *slot = ALPHABET[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8_lossy(&digits).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_with_valid_checksum() -> String {
        let body = "abcdefghijklmnopqrstuvwxyz0123";
        format!("ghp_{body}{}", base62_crc32(body))
    }

    #[test]
    fn fires_on_a_token_with_a_valid_checksum() {
        let token = token_with_valid_checksum();
        let text = format!("token: {token}\n");
        let mut hits = Vec::new();
        GithubPatClassic::new().find(&text, &mut hits);
        assert_eq!(hits.len(), 1);
        assert_eq!(&text[hits[0].start..hits[0].end], token);
    }

    #[test]
    fn ignores_the_right_shape_with_a_wrong_checksum() {
        let mut token = token_with_valid_checksum();
        let last = if token.ends_with('A') { "B" } else { "A" };
        token.replace_range(token.len() - 1.., last);
        let mut hits = Vec::new();
        GithubPatClassic::new().find(&token, &mut hits);
        assert!(hits.is_empty(), "{hits:?}");
    }
}
