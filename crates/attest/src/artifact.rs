//! Artifacts named on the command line: a file, or a SHA-256 digest
//! (`sha256:<hex>`, or bare hex when no file of that name exists; any case).

use std::path::PathBuf;

use ci_intel_core::Failure;
use sha2::{Digest, Sha256};

/// An artifact as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactInput {
    File(PathBuf),
    /// 32 bytes of SHA-256.
    Sha256([u8; 32]),
}

impl ArtifactInput {
    /// Interpret one command-line argument. A `sha256:` prefix always means a
    /// digest; otherwise an existing file wins over 64 hex characters.
    pub fn parse(arg: &str) -> Result<ArtifactInput, Failure> {
        let trimmed = arg.trim();
        if trimmed.len() >= 7 && trimmed[..7].eq_ignore_ascii_case("sha256:") {
            return parse_hex(&trimmed[7..])
                .map(ArtifactInput::Sha256)
                .ok_or_else(|| {
                    Failure::usage(format!(
                        "artifact `{arg}`: a sha256 digest must be 64 hexadecimal characters after `sha256:`"
                    ))
                });
        }
        let path = PathBuf::from(arg);
        if path.exists() {
            return Ok(ArtifactInput::File(path));
        }
        if let Some(digest) = parse_hex(trimmed) {
            return Ok(ArtifactInput::Sha256(digest));
        }
        if let Some((algorithm, _)) = trimmed.split_once(':')
            && algorithm.chars().all(|c| c.is_ascii_alphanumeric())
            && !algorithm.is_empty()
            && algorithm.len() < 10
        {
            return Err(Failure::usage(format!(
                "artifact `{arg}`: only sha256 digests are supported (`sha256:<64 hex>`)"
            )));
        }
        Err(Failure::usage(format!(
            "artifact `{arg}`: no such file, and not a sha256 digest (`sha256:<64 hex>`)"
        )))
    }
}

fn parse_hex(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An artifact ready for verification.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// As named on the command line (file path or `sha256:<hex>`).
    pub name: String,
    pub sha256: [u8; 32],
    /// The bytes, when the artifact is a file: a message signature made
    /// with a scheme that cannot verify a pre-hashed message (Ed25519)
    /// needs them.
    pub bytes: Option<Vec<u8>>,
}

impl Artifact {
    /// Read a file (an infrastructure error naming it when unreadable) or
    /// take the digest as given.
    pub fn load(input: &ArtifactInput) -> Result<Artifact, Failure> {
        match input {
            ArtifactInput::File(path) => {
                let bytes = std::fs::read(path).map_err(|e| {
                    Failure::infra(format!("cannot read artifact {}: {e}", path.display()))
                })?;
                let sha256: [u8; 32] = Sha256::digest(&bytes).into();
                Ok(Artifact {
                    name: path.display().to_string(),
                    sha256,
                    bytes: Some(bytes),
                })
            }
            ArtifactInput::Sha256(digest) => Ok(Artifact {
                name: format!("sha256:{}", hex(digest)),
                sha256: *digest,
                bytes: None,
            }),
        }
    }

    pub fn sha256_hex(&self) -> String {
        hex(&self.sha256)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";

    #[test]
    fn digests_parse_with_or_without_prefix_in_any_case() {
        let expected = ArtifactInput::Sha256(parse_hex(HEX).unwrap());
        assert_eq!(
            ArtifactInput::parse(&format!("sha256:{HEX}")).unwrap(),
            expected
        );
        assert_eq!(
            ArtifactInput::parse(&format!("SHA256:{}", HEX.to_uppercase())).unwrap(),
            expected
        );
        assert_eq!(ArtifactInput::parse(HEX).unwrap(), expected);
    }

    #[test]
    fn bad_digests_and_missing_files_are_usage_errors() {
        for arg in [
            "sha256:abc",
            "sha512:00",
            "no/such/file.bin",
            &format!("sha256:{HEX}00"),
        ] {
            let err = ArtifactInput::parse(arg).unwrap_err();
            assert_eq!(err.code, ci_intel_core::ExitCode::Usage, "{arg}");
            assert!(err.message.contains(arg), "{}", err.message);
        }
    }

    #[test]
    fn an_existing_file_is_a_file_and_is_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, b"hello\n").unwrap();
        let input = ArtifactInput::parse(path.to_str().unwrap()).unwrap();
        let artifact = Artifact::load(&input).unwrap();
        assert_eq!(
            artifact.sha256_hex(),
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
        );
        assert!(artifact.bytes.is_some());
    }
}
