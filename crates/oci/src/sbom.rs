//! SBOM documents as this tool reads them: SPDX 2.x JSON and CycloneDX
//! JSON, bare or wrapped in an in-toto statement, a DSSE envelope or a
//! Sigstore bundle (how `docker buildx`, `actions/attest-sbom` and cosign
//! attach them). A plain function over untrusted bytes: never a panic.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use serde_json::Value;

use crate::parse::ParseError;

/// The component set of one SBOM.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sbom {
    /// `spdx` or `cyclonedx`, with the spec version when stated.
    pub format: String,
    /// Component identity (package URL without version and qualifiers, else
    /// the name) → versions seen.
    pub components: BTreeMap<String, BTreeSet<String>>,
}

/// How deep wrappers (bundle → DSSE → statement → predicate) may nest.
const MAX_WRAPPING: usize = 4;

/// Parse an SBOM.
pub fn parse_sbom(bytes: &[u8]) -> Result<Sbom, ParseError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| ParseError {
        at: format!("line {} column {}", e.line(), e.column()),
        expected: "an SPDX or CycloneDX JSON document".into(),
        found: e.to_string(),
    })?;
    from_value(&value, 0)
}

fn fail(at: &str, expected: &str, found: impl Into<String>) -> ParseError {
    ParseError {
        at: at.to_owned(),
        expected: expected.to_owned(),
        found: found.into(),
    }
}

fn from_value(value: &Value, depth: usize) -> Result<Sbom, ParseError> {
    if depth > MAX_WRAPPING {
        return Err(fail("", "an SBOM", "wrappers nested too deep"));
    }
    let Some(object) = value.as_object() else {
        return Err(fail("", "a JSON object", "another JSON value"));
    };
    if object.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        let mut sbom = Sbom {
            format: format!(
                "cyclonedx-{}",
                object
                    .get("specVersion")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
            ),
            components: BTreeMap::new(),
        };
        if let Some(components) = object.get("components") {
            cyclonedx_components(components, "/components", &mut sbom, 0)?;
        }
        return Ok(sbom);
    }
    if let Some(version) = object.get("spdxVersion").and_then(Value::as_str) {
        let mut sbom = Sbom {
            format: format!("spdx-{}", version.trim_start_matches("SPDX-")),
            components: BTreeMap::new(),
        };
        match object.get("packages") {
            None => {}
            Some(Value::Array(packages)) => {
                for (i, package) in packages.iter().enumerate() {
                    let at = format!("/packages/{i}");
                    let name = package
                        .get("name")
                        .and_then(Value::as_str)
                        .ok_or_else(|| fail(&format!("{at}/name"), "a package name", "none"))?;
                    let version = package
                        .get("versionInfo")
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    let purl = package
                        .get("externalRefs")
                        .and_then(Value::as_array)
                        .and_then(|refs| {
                            refs.iter().find(|r| {
                                r.get("referenceType").and_then(Value::as_str) == Some("purl")
                            })
                        })
                        .and_then(|r| r.get("referenceLocator"))
                        .and_then(Value::as_str);
                    add(&mut sbom, name, version, purl);
                }
            }
            Some(_) => return Err(fail("/packages", "an array", "another JSON value")),
        }
        return Ok(sbom);
    }
    // in-toto statement: the SBOM is the predicate.
    if object.contains_key("predicateType") {
        return match object.get("predicate") {
            Some(predicate) => from_value(predicate, depth + 1).map_err(|e| ParseError {
                at: format!("/predicate{}", e.at),
                ..e
            }),
            None => Err(fail("/predicate", "an in-toto predicate", "none")),
        };
    }
    // A DSSE envelope, bare or in a Sigstore bundle.
    let envelope = object.get("dsseEnvelope").unwrap_or(value);
    if let Some(payload) = envelope.get("payload").and_then(Value::as_str) {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(payload)
            .map_err(|e| fail("/dsseEnvelope/payload", "base64", e.to_string()))?;
        let inner: Value = serde_json::from_slice(&bytes).map_err(|e| {
            fail(
                "/dsseEnvelope/payload",
                "an in-toto statement",
                e.to_string(),
            )
        })?;
        return from_value(&inner, depth + 1);
    }
    Err(fail(
        "",
        "an SPDX (`spdxVersion`) or CycloneDX (`bomFormat`) document, or an in-toto statement of one",
        "neither",
    ))
}

fn cyclonedx_components(
    value: &Value,
    at: &str,
    sbom: &mut Sbom,
    depth: usize,
) -> Result<(), ParseError> {
    if depth > 32 {
        return Err(fail(at, "components nested at most 32 deep", "deeper"));
    }
    let Some(components) = value.as_array() else {
        return Err(fail(at, "an array", "another JSON value"));
    };
    for (i, component) in components.iter().enumerate() {
        let here = format!("{at}/{i}");
        let name = component
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| fail(&format!("{here}/name"), "a component name", "none"))?;
        let version = component
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or("");
        let purl = component.get("purl").and_then(Value::as_str);
        add(sbom, name, version, purl);
        if let Some(nested) = component.get("components") {
            cyclonedx_components(nested, &format!("{here}/components"), sbom, depth + 1)?;
        }
    }
    Ok(())
}

fn add(sbom: &mut Sbom, name: &str, version: &str, purl: Option<&str>) {
    let key = purl.map_or_else(|| name.to_owned(), purl_identity);
    sbom.components
        .entry(key)
        .or_default()
        .insert(version.to_owned());
}

/// A package URL without its version, qualifiers and subpath:
/// `pkg:deb/debian/libc6@2.36?arch=amd64` → `pkg:deb/debian/libc6`.
pub fn purl_identity(purl: &str) -> String {
    let cut = purl.find(['?', '#']).unwrap_or(purl.len());
    let base = &purl[..cut];
    match base.rfind('@') {
        // An `@` in the namespace (npm scopes) is percent-encoded in purls;
        // the last `@` after the last `/` starts the version.
        Some(at) if base[at..].find('/').is_none() => base[..at].to_owned(),
        _ => base.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cyclonedx_and_spdx() {
        let cdx = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"a","version":"1","purl":"pkg:deb/debian/a@1?arch=amd64","components":[{"name":"b","version":"2"}]}]}"#;
        let sbom = parse_sbom(cdx).unwrap();
        assert_eq!(sbom.format, "cyclonedx-1.5");
        assert_eq!(
            sbom.components.keys().collect::<Vec<_>>(),
            vec!["b", "pkg:deb/debian/a"]
        );
        let spdx = br#"{"spdxVersion":"SPDX-2.3","packages":[{"name":"x","versionInfo":"3"}]}"#;
        assert_eq!(parse_sbom(spdx).unwrap().format, "spdx-2.3");
        assert!(parse_sbom(br#"{"packages":[]}"#).is_err());
        let bad = br#"{"bomFormat":"CycloneDX","components":[{"version":"1"}]}"#;
        assert_eq!(parse_sbom(bad).unwrap_err().at, "/components/0/name");
    }

    #[test]
    fn unwraps_statements_and_envelopes() {
        let statement = br#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://spdx.dev/Document","predicate":{"spdxVersion":"SPDX-2.3","packages":[]}}"#;
        let payload = base64::engine::general_purpose::STANDARD.encode(statement);
        let bundle = format!(
            r#"{{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{{"payloadType":"application/vnd.in-toto+json","payload":"{payload}","signatures":[]}}}}"#
        );
        assert_eq!(parse_sbom(bundle.as_bytes()).unwrap().format, "spdx-2.3");
    }

    #[test]
    fn purl_identities() {
        assert_eq!(
            purl_identity("pkg:npm/%40scope/x@1.0.0?a=b#sub"),
            "pkg:npm/%40scope/x"
        );
        assert_eq!(purl_identity("pkg:golang/x/y"), "pkg:golang/x/y");
    }
}
