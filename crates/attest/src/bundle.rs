//! Reading Sigstore bundles: one bundle per `.sigstore.json` file, or one per
//! line of an `.intoto.jsonl` file (slsa-github-generator, BCR).
//!
//! Bundles are untrusted input. A file that is there but does not parse is
//! [`ReadError::Malformed`]: evidence that proves nothing, which the caller
//! turns into a denial (exit 1) naming the file, the line and the field.
//! Only a file that cannot be read at all is [`ReadError::Unreadable`]
//! (exit 3: the verifier itself was stopped). Never a panic, never a pass.

use std::path::Path;

use ci_intel_core::Failure;
use sigstore_types::Bundle;

/// Evidence that is present but is not what it claims to be (not JSON, not
/// a bundle, an unknown media type, a malformed field, empty, not UTF-8):
/// it proves nothing about the artifact, so it is a denial with this reason,
/// like a bad signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// Names the file (and line), the field, what was expected and found.
    pub message: String,
}

impl Malformed {
    pub fn new(message: impl Into<String>) -> Malformed {
        Malformed {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Why a bundle file yielded no bundle.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be read (missing, permissions, I/O): nothing was
    /// verified, exit 3.
    Unreadable(Failure),
    /// The file was read and is malformed: a denial.
    Malformed(Malformed),
}

impl From<Malformed> for ReadError {
    fn from(m: Malformed) -> ReadError {
        ReadError::Malformed(m)
    }
}

/// The media types accepted, v0.1 to v0.3 (both v0.3 spellings).
pub const MEDIA_TYPES: [&str; 4] = [
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle.v0.3+json",
];

/// Bundles larger than this are refused before parsing (a real one is a few
/// kilobytes; GitHub attestations with big SBOM predicates reach a few MB).
pub const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;

/// A parsed bundle and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedBundle {
    /// `FILE` or `FILE:LINE` for `.jsonl` input.
    pub origin: String,
    pub media_type: String,
    pub bundle: Bundle,
}

/// Parse one bundle from JSON text. `origin` names it in errors.
pub fn parse_bundle(text: &str, origin: &str) -> Result<LoadedBundle, Malformed> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Malformed::new(format!(
            "{origin}: not a Sigstore bundle: invalid JSON ({e})"
        ))
    })?;
    let Some(object) = value.as_object() else {
        return Err(Malformed::new(format!(
            "{origin}: not a Sigstore bundle: expected a JSON object, found {}",
            json_kind(&value)
        )));
    };
    // The library defaults a missing mediaType to v0.1; a bundle that does
    // not say what it is is refused instead.
    let media_type = match object.get("mediaType") {
        Some(serde_json::Value::String(media_type)) => media_type.clone(),
        Some(other) => {
            return Err(Malformed::new(format!(
                "{origin}: field `mediaType` must be a string, found {}",
                json_kind(other)
            )));
        }
        None if object.contains_key("payloadType") && object.contains_key("signatures") => {
            return Err(Malformed::new(format!(
                "{origin}: this is a bare DSSE envelope, not a Sigstore bundle: it carries no certificate or transparency-log proof, so it cannot be verified offline; use the `.intoto.jsonl`/`.sigstore.json` bundle the builder published"
            )));
        }
        None => {
            return Err(Malformed::new(format!(
                "{origin}: not a Sigstore bundle: field `mediaType` is missing (expected one of {})",
                MEDIA_TYPES.join(", ")
            )));
        }
    };
    if !MEDIA_TYPES.contains(&media_type.as_str()) {
        return Err(Malformed::new(format!(
            "{origin}: unsupported bundle media type `{media_type}`; supported: {}",
            MEDIA_TYPES.join(", ")
        )));
    }
    let bundle: Bundle = serde_path_to_error::deserialize(&value).map_err(|e| {
        let path = e.path().to_string();
        // The path is `.` when the error comes from inside a field's own
        // decoder (base64, a number): the message then names the problem.
        let at = if path == "." {
            String::new()
        } else {
            format!(" at `{path}`")
        };
        Malformed::new(format!(
            "{origin}: malformed Sigstore bundle{at}: {}",
            e.inner()
        ))
    })?;
    Ok(LoadedBundle {
        origin: origin.to_owned(),
        media_type,
        bundle,
    })
}

/// Parse every bundle in `text`: one per non-blank line when `jsonl`,
/// otherwise the whole text. An empty input is malformed, never "nothing to
/// check, pass".
pub fn parse_bundles(
    text: &str,
    origin: &str,
    jsonl: bool,
) -> Result<Vec<LoadedBundle>, Malformed> {
    let mut bundles = Vec::new();
    if jsonl {
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            bundles.push(parse_bundle(line, &format!("{origin}:{}", index + 1))?);
        }
    } else if !text.trim().is_empty() {
        bundles.push(parse_bundle(text, origin)?);
    }
    if bundles.is_empty() {
        return Err(Malformed::new(format!(
            "{origin}: the file is empty: no bundle to verify, which is never a pass"
        )));
    }
    Ok(bundles)
}

/// Read a bundle file. `.jsonl` files (and any file whose first non-blank
/// line is a complete JSON document followed by another) hold one bundle per
/// line. One malformed line makes the whole file malformed: the file is the
/// evidence, and a producer that wrote a broken line is not trusted for the
/// others.
pub fn read_bundles(path: &Path) -> Result<Vec<LoadedBundle>, ReadError> {
    let origin = path.display().to_string();
    let metadata = std::fs::metadata(path)
        .map_err(|e| ReadError::Unreadable(Failure::infra(format!("cannot read {origin}: {e}"))))?;
    if metadata.len() > MAX_BUNDLE_BYTES as u64 {
        return Err(Malformed::new(format!(
            "{origin}: {} bytes is larger than the {MAX_BUNDLE_BYTES}-byte limit for bundle files; not read as evidence",
            metadata.len()
        ))
        .into());
    }
    let bytes = std::fs::read(path)
        .map_err(|e| ReadError::Unreadable(Failure::infra(format!("cannot read {origin}: {e}"))))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| Malformed::new(format!("{origin}: not UTF-8 text: {e}")))?;
    let jsonl = origin.ends_with(".jsonl") || looks_like_jsonl(&text);
    Ok(parse_bundles(&text, &origin, jsonl)?)
}

/// More than one non-blank line, each starting a JSON object: a `.jsonl`
/// file under another name. A pretty-printed bundle has lines that do not.
fn looks_like_jsonl(text: &str) -> bool {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let (Some(first), Some(_)) = (lines.next(), lines.next()) else {
        return false;
    };
    first.trim_start().starts_with('{')
        && text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .all(|l| l.trim_start().starts_with('{') && l.trim_end().ends_with('}'))
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn refuses_what_is_not_a_bundle_naming_the_problem() {
        let cases = [
            ("", "invalid JSON"),
            ("[1]", "expected a JSON object, found an array"),
            ("{}", "`mediaType` is missing"),
            (r#"{"mediaType": 3}"#, "must be a string"),
            (
                r#"{"mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.4"}"#,
                "unsupported bundle media type",
            ),
            (
                r#"{"payloadType": "x", "payload": "", "signatures": []}"#,
                "bare DSSE envelope",
            ),
            (
                r#"{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}"#,
                "malformed Sigstore bundle",
            ),
        ];
        for (text, needle) in cases {
            let err = parse_bundle(text, "b.json").unwrap_err();
            assert!(err.message.starts_with("b.json"), "{}", err.message);
            assert!(err.message.contains(needle), "{text}: {}", err.message);
        }
    }

    #[test]
    fn empty_inputs_are_errors_not_passes() {
        for (text, jsonl) in [("", false), ("\n\n  \n", true), ("  ", false)] {
            let err = parse_bundles(text, "p.jsonl", jsonl).unwrap_err();
            assert!(err.message.contains("empty"), "{}", err.message);
        }
    }

    #[test]
    fn jsonl_errors_name_the_line() {
        let err = parse_bundles("\n{\"mediaType\": 1}\n", "p.jsonl", true).unwrap_err();
        assert!(err.message.starts_with("p.jsonl:2:"), "{}", err.message);
    }

    #[test]
    fn unreadable_files_stop_the_verifier_and_malformed_ones_are_malformed() {
        let dir = tempfile::tempdir().unwrap();
        for path in [dir.path().join("missing.json"), dir.path().to_path_buf()] {
            match read_bundles(&path) {
                Err(ReadError::Unreadable(f)) => {
                    assert_eq!(f.code, ci_intel_core::ExitCode::Infra);
                    assert!(f.message.contains("cannot read"), "{}", f.message);
                }
                other => panic!("{}: {other:?}", path.display()),
            }
        }
        for (name, bytes, needle) in [
            ("latin1.json", &b"{\"a\": \"\xe9\"}"[..], "not UTF-8"),
            ("empty.jsonl", b"\n", "empty"),
            ("junk.json", b"junk", "invalid JSON"),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            match read_bundles(&path) {
                Err(ReadError::Malformed(m)) => {
                    assert!(m.message.contains(needle), "{name}: {m}");
                    assert!(m.message.contains(name), "{name}: {m}");
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn jsonl_is_recognised_by_content() {
        assert!(looks_like_jsonl("{\"a\":1}\n{\"b\":2}\n"));
        assert!(!looks_like_jsonl("{\n  \"a\": 1\n}\n"));
        assert!(!looks_like_jsonl("{\"a\":1}\n"));
    }

    fn bundle_like() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            "[A-Za-z0-9+/=._:;-]{0,40}".prop_map(serde_json::Value::from),
        ];
        let value = leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("mediaType".to_owned()),
                        Just("verificationMaterial".to_owned()),
                        Just("messageSignature".to_owned()),
                        Just("dsseEnvelope".to_owned()),
                        Just("tlogEntries".to_owned()),
                        Just("certificate".to_owned()),
                        Just("rawBytes".to_owned()),
                        Just("inclusionProof".to_owned()),
                        Just("checkpoint".to_owned()),
                        Just("envelope".to_owned()),
                        "[a-zA-Z]{1,12}",
                    ],
                    inner,
                    0..6,
                )
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        });
        (prop::sample::select(MEDIA_TYPES.to_vec()), value).prop_map(|(media_type, mut v)| {
            if let serde_json::Value::Object(map) = &mut v {
                map.insert("mediaType".into(), media_type.into());
            }
            v
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_text_never_panics(text in "(?s).{0,400}") {
            let _ = parse_bundles(&text, "fuzz.jsonl", true);
            let _ = parse_bundle(&text, "fuzz.json");
        }

        #[test]
        fn arbitrary_bundle_shaped_json_never_panics(value in bundle_like()) {
            let _ = parse_bundle(&value.to_string(), "fuzz.json");
        }
    }
}
