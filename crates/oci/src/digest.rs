//! Content digests (`sha256:<64 hex>`, `sha512:<128 hex>`), checked against
//! the bytes they name, and the referrers tag schema's fallback tag.

use std::fmt;

use sha2::{Digest as _, Sha256, Sha512};

/// A digest algorithm this tool can check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Algorithm {
    Sha256,
    Sha512,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }
}

/// A validated digest: a known algorithm and lower-case hex of the right
/// length.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest {
    algorithm: Algorithm,
    hex: String,
}

/// Why a string is not a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestError(pub String);

impl fmt::Display for DigestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DigestError {}

impl Digest {
    /// Parse `sha256:<64 lower-case hex>` or `sha512:<128 lower-case hex>`.
    /// Upper-case hex is refused: the OCI image spec's encoded portion for
    /// these algorithms is `[a-f0-9]`, and two spellings of one digest would
    /// make two different tags and cache keys.
    pub fn parse(text: &str) -> Result<Digest, DigestError> {
        let Some((algorithm, hex)) = text.split_once(':') else {
            return Err(DigestError(format!(
                "`{}` is not a digest: expected `sha256:<64 hex>`",
                preview(text)
            )));
        };
        let algorithm = match algorithm {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            other => {
                return Err(DigestError(format!(
                    "digest algorithm `{}` is not supported: expected sha256 or sha512",
                    preview(other)
                )));
            }
        };
        if hex.len() != algorithm.hex_len()
            || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(DigestError(format!(
                "`{}` is not a {} digest: expected {} lower-case hexadecimal characters after `{}:`",
                preview(text),
                algorithm.as_str(),
                algorithm.hex_len(),
                algorithm.as_str()
            )));
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_owned(),
        })
    }

    /// The sha256 digest of `bytes`.
    pub fn sha256_of(bytes: &[u8]) -> Digest {
        Digest {
            algorithm: Algorithm::Sha256,
            hex: hex(&Sha256::digest(bytes)),
        }
    }

    /// Whether `bytes` hash to this digest.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        let actual = match self.algorithm {
            Algorithm::Sha256 => hex(&Sha256::digest(bytes)),
            Algorithm::Sha512 => hex(&Sha512::digest(bytes)),
        };
        actual == self.hex
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// The first 12 hex characters, for reports.
    pub fn short(&self) -> String {
        format!("{}:{}", self.algorithm.as_str(), &self.hex[..12])
    }

    /// The referrers tag schema's tag for this subject: `<alg>-<ref>`, the
    /// encoded part limited to 64 characters (distribution-spec,
    /// "Referrers Tag Schema").
    pub fn fallback_tag(&self) -> String {
        let end = self.hex.len().min(64);
        format!("{}-{}", self.algorithm.as_str(), &self.hex[..end])
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.as_str(), self.hex)
    }
}

impl std::str::FromStr for Digest {
    type Err = DigestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Digest::parse(s)
    }
}

fn hex(bytes: &[u8]) -> String {
    ci_intel_core::canonical::hex(bytes)
}

/// At most 80 characters of untrusted text, for error messages.
pub fn preview(text: &str) -> String {
    let mut out: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        out.push('…');
    }
    out.escape_debug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_checks_sha256() {
        let d = Digest::sha256_of(b"{}");
        assert_eq!(
            d.to_string(),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        assert_eq!(Digest::parse(&d.to_string()), Ok(d.clone()));
        assert!(d.matches(b"{}"));
        assert!(!d.matches(b"{ }"));
        assert_eq!(
            d.fallback_tag(),
            "sha256-44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }

    #[test]
    fn refuses_what_is_not_a_digest() {
        for bad in [
            "",
            "sha256",
            "sha256:",
            "sha256:ABC",
            "md5:44136fa355b3678a1146ad16f7e8649e",
            "sha256:44136FA355B3678A1146AD16F7E8649E94FB4FC21FE77E8310C060F61CAAFF8A",
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8",
        ] {
            assert!(Digest::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sha512_fallback_tags_are_cut_to_64_characters() {
        let hex = "a".repeat(128);
        let d = Digest::parse(&format!("sha512:{hex}")).unwrap();
        assert_eq!(d.fallback_tag(), format!("sha512-{}", "a".repeat(64)));
    }
}
