//! Parsers for what a registry (or an OCI layout on disk) sends back:
//! manifests, indexes, referrers responses, `Link` and
//! `OCI-Filters-Applied` headers. Every input is untrusted: these are plain
//! functions from bytes or text to a value or a [`ParseError`], never a
//! panic, so a fuzz target can call them as they are.

use std::collections::BTreeMap;
use std::fmt;

use oci_spec::image::{ImageIndex, ImageManifest};
use serde_json::Value;

use crate::digest::{Digest, preview};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";
/// The empty JSON object `{}`: the config of an artifact manifest.
pub const EMPTY_JSON: &[u8] = b"{}";
/// The `Accept` header for manifest requests.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";
/// The largest manifest this tool reads (the distribution spec asks
/// registries to accept at least 4 MB).
pub const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;

/// Why a document could not be read: where, what was expected, what was
/// found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// JSON pointer (`/manifests/2/digest`) or `line L column C`.
    pub at: String,
    pub expected: String,
    pub found: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at {}: expected {}, found {}",
            if self.at.is_empty() { "/" } else { &self.at },
            self.expected,
            self.found
        )
    }
}

impl std::error::Error for ParseError {}

fn err(at: impl Into<String>, expected: impl Into<String>, found: impl Into<String>) -> ParseError {
    ParseError {
        at: at.into(),
        expected: expected.into(),
        found: found.into(),
    }
}

/// A platform, as an index entry states it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// A content descriptor with a validated digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
    pub artifact_type: Option<String>,
    pub platform: Option<Platform>,
    pub annotations: BTreeMap<String, String>,
}

impl Descriptor {
    /// An entry of an index that describes a build attestation rather than
    /// a platform image: platform `unknown/unknown`, or Docker's
    /// `vnd.docker.reference.type` annotation.
    pub fn is_attestation_entry(&self) -> bool {
        self.annotations.contains_key("vnd.docker.reference.type")
            || self
                .platform
                .as_ref()
                .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown")
    }
}

/// A parsed manifest or index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manifest {
    Image(ImageView),
    Index(IndexView),
}

/// What this tool reads of an image manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageView {
    pub media_type: Option<String>,
    pub artifact_type: Option<String>,
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
    pub subject: Option<Descriptor>,
    pub annotations: BTreeMap<String, String>,
}

/// What this tool reads of an image index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexView {
    pub media_type: Option<String>,
    pub artifact_type: Option<String>,
    pub manifests: Vec<Descriptor>,
    pub subject: Option<Descriptor>,
    pub annotations: BTreeMap<String, String>,
}

impl Manifest {
    pub fn subject(&self) -> Option<&Descriptor> {
        match self {
            Manifest::Image(m) => m.subject.as_ref(),
            Manifest::Index(i) => i.subject.as_ref(),
        }
    }

    /// The artifact type as the distribution spec derives it: `artifactType`,
    /// else (for an image manifest) the config media type.
    pub fn artifact_type(&self) -> Option<&str> {
        match self {
            Manifest::Image(m) => m
                .artifact_type
                .as_deref()
                .filter(|t| !t.is_empty())
                .or(Some(m.config.media_type.as_str())),
            Manifest::Index(i) => i.artifact_type.as_deref().filter(|t| !t.is_empty()),
        }
    }

    pub fn annotations(&self) -> &BTreeMap<String, String> {
        match self {
            Manifest::Image(m) => &m.annotations,
            Manifest::Index(i) => &i.annotations,
        }
    }

    /// The media type to use in a descriptor of this document.
    pub fn media_type(&self) -> &str {
        match self {
            Manifest::Image(m) => m.media_type.as_deref().unwrap_or(OCI_MANIFEST),
            Manifest::Index(i) => i.media_type.as_deref().unwrap_or(OCI_INDEX),
        }
    }

    pub fn is_index(&self) -> bool {
        matches!(self, Manifest::Index(_))
    }
}

/// Parse a manifest or an index. `content_type` is the `Content-Type` the
/// registry sent (or the media type of the descriptor that led here), used
/// only when the document has no `mediaType` of its own.
pub fn parse_manifest(bytes: &[u8], content_type: Option<&str>) -> Result<Manifest, ParseError> {
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(err(
            "",
            format!("a manifest of at most {MAX_MANIFEST_BYTES} bytes"),
            format!("{} bytes", bytes.len()),
        ));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        err(
            format!("line {} column {}", e.line(), e.column()),
            "a JSON manifest or index",
            e.to_string(),
        )
    })?;
    let Some(object) = value.as_object() else {
        return Err(err("", "a JSON object", kind_of(&value)));
    };
    let declared = match object.get("mediaType") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(other) => return Err(err("/mediaType", "a string", kind_of(other))),
    };
    let media_type = declared.or(content_type.map(|c| c.split(';').next().unwrap_or("").trim()));
    let is_index = match media_type {
        Some(OCI_INDEX | DOCKER_LIST) => true,
        Some(OCI_MANIFEST | DOCKER_MANIFEST) => false,
        _ => object.contains_key("manifests") && !object.contains_key("config"),
    };
    if let Some(Value::Number(n)) = object.get("schemaVersion")
        && n.as_u64() != Some(2)
    {
        return Err(err("/schemaVersion", "2", n.to_string()));
    }
    if is_index {
        let index: ImageIndex = typed(&value)?;
        let manifests = index
            .manifests()
            .iter()
            .enumerate()
            .map(|(i, d)| descriptor(d, &format!("/manifests/{i}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Manifest::Index(IndexView {
            media_type: declared.map(str::to_owned),
            artifact_type: index.artifact_type().as_ref().map(|m| m.to_string()),
            manifests,
            subject: index
                .subject()
                .as_ref()
                .map(|d| descriptor(d, "/subject"))
                .transpose()?,
            annotations: index
                .annotations()
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect(),
        }))
    } else {
        if !object.contains_key("config") {
            return Err(err(
                "/config",
                "an image manifest with `config` (or an index with `manifests`)",
                "neither",
            ));
        }
        let manifest: ImageManifest = typed(&value)?;
        Ok(Manifest::Image(ImageView {
            media_type: declared.map(str::to_owned),
            artifact_type: manifest.artifact_type().as_ref().map(|m| m.to_string()),
            config: descriptor(manifest.config(), "/config")?,
            layers: manifest
                .layers()
                .iter()
                .enumerate()
                .map(|(i, d)| descriptor(d, &format!("/layers/{i}")))
                .collect::<Result<Vec<_>, _>>()?,
            subject: manifest
                .subject()
                .as_ref()
                .map(|d| descriptor(d, "/subject"))
                .transpose()?,
            annotations: manifest
                .annotations()
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect(),
        }))
    }
}

/// Parse a referrers response (or a fallback tag's document): it must be an
/// image index; its entries are the candidate referrers.
pub fn parse_referrers_index(
    bytes: &[u8],
    content_type: Option<&str>,
) -> Result<IndexView, ParseError> {
    match parse_manifest(bytes, content_type)? {
        Manifest::Index(index) => Ok(index),
        Manifest::Image(m) => Err(err(
            "/mediaType",
            "an image index (application/vnd.oci.image.index.v1+json)",
            format!(
                "an image manifest ({})",
                m.media_type.as_deref().unwrap_or("no mediaType")
            ),
        )),
    }
}

fn typed<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, ParseError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let pointer = if path == "." {
            String::new()
        } else {
            format!("/{}", path.replace('.', "/"))
        };
        err(pointer, "a valid OCI document", e.inner().to_string())
    })
}

fn descriptor(d: &oci_spec::image::Descriptor, at: &str) -> Result<Descriptor, ParseError> {
    let text = d.digest().to_string();
    let digest = Digest::parse(&text).map_err(|e| {
        err(
            format!("{at}/digest"),
            "sha256:<64 hex> or sha512:<128 hex>",
            e.0,
        )
    })?;
    Ok(Descriptor {
        media_type: d.media_type().to_string(),
        digest,
        size: d.size(),
        artifact_type: d.artifact_type().as_ref().map(|m| m.to_string()),
        platform: d.platform().as_ref().map(|p| Platform {
            os: p.os().to_string(),
            architecture: p.architecture().to_string(),
            variant: p.variant().clone(),
        }),
        annotations: d
            .annotations()
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect(),
    })
}

fn kind_of(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string \"{}\"", preview(s)),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// The `rel="next"` target of a `Link` header (RFC 8288), if any.
pub fn parse_link_next(header: &str) -> Option<String> {
    for link in split_links(header) {
        let link = link.trim();
        let Some(rest) = link.strip_prefix('<') else {
            continue;
        };
        let Some((target, params)) = rest.split_once('>') else {
            continue;
        };
        let is_next = params.split(';').any(|param| {
            let Some((name, value)) = param.split_once('=') else {
                return false;
            };
            name.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
        });
        if is_next && !target.is_empty() {
            return Some(target.to_owned());
        }
    }
    None
}

/// Split a `Link` header on the commas between links (not those inside
/// `<...>` or quotes).
fn split_links(header: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth_angle, mut in_quote, mut start) = (false, false, 0);
    for (i, c) in header.char_indices() {
        match c {
            '<' if !in_quote => depth_angle = true,
            '>' if !in_quote => depth_angle = false,
            '"' if !depth_angle => in_quote = !in_quote,
            ',' if !depth_angle && !in_quote => {
                parts.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&header[start..]);
    parts
}

/// Resolve a `Link` target against the origin (`scheme://host:port`) of the
/// request that returned it. A target on another origin is refused: a
/// registry must not send this tool to another host.
pub fn resolve_link(origin: &str, target: &str) -> Result<String, ParseError> {
    if target.starts_with('/') && !target.starts_with("//") {
        return Ok(format!("{origin}{target}"));
    }
    if let Some(rest) = target
        .strip_prefix("https://")
        .or_else(|| target.strip_prefix("http://"))
    {
        let host = rest.split(['/', '?']).next().unwrap_or("");
        let scheme = if target.starts_with("https://") {
            "https"
        } else {
            "http"
        };
        if format!("{scheme}://{host}") == origin {
            return Ok(target.to_owned());
        }
        return Err(err(
            "Link",
            format!("a next page on {origin}"),
            format!("a link to another origin: {}", preview(target)),
        ));
    }
    Err(err(
        "Link",
        "an absolute path or URL",
        format!("`{}`", preview(target)),
    ))
}

/// The filters an `OCI-Filters-Applied` header says were applied.
pub fn parse_filters_applied(header: &str) -> Vec<String> {
    header
        .split(',')
        .map(|f| f.trim().to_owned())
        .filter(|f| !f.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SBOM: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/spdx+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}}"#;

    #[test]
    fn reads_an_artifact_manifest() {
        let m = parse_manifest(SBOM.as_bytes(), None).unwrap();
        assert_eq!(m.artifact_type(), Some("application/spdx+json"));
        assert!(m.subject().is_some());
        assert!(!m.is_index());
    }

    #[test]
    fn artifact_type_falls_back_to_the_config_media_type() {
        let text = SBOM.replace(r#""artifactType":"application/spdx+json","#, "");
        let m = parse_manifest(text.as_bytes(), None).unwrap();
        assert_eq!(m.artifact_type(), Some(OCI_EMPTY));
    }

    #[test]
    fn names_where_a_document_is_wrong() {
        let e = parse_manifest(b"[1]", None).unwrap_err();
        assert_eq!(e.expected, "a JSON object");
        let text = SBOM.replace("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},\"layers", "sha256:zz\",\"size\":2},\"layers");
        let e = parse_manifest(text.as_bytes(), None).unwrap_err();
        assert!(e.at.starts_with("/config"), "{e}");
        let e = parse_referrers_index(SBOM.as_bytes(), None).unwrap_err();
        assert!(e.found.contains("image manifest"), "{e}");
        let e = parse_manifest(b"{\"schemaVersion\":1,\"config\":{}}", None).unwrap_err();
        assert_eq!(e.at, "/schemaVersion");
    }

    #[test]
    fn link_headers() {
        assert_eq!(
            parse_link_next(r#"</v2/r/referrers/sha256:x?n=2&last=b>; rel="next""#).as_deref(),
            Some("/v2/r/referrers/sha256:x?n=2&last=b")
        );
        assert_eq!(
            parse_link_next(r#"<https://a/prev>; rel="prev", <https://a/next?x=1,2>; rel=next"#)
                .as_deref(),
            Some("https://a/next?x=1,2")
        );
        assert_eq!(parse_link_next(r#"<https://a/p>; rel="prev""#), None);
        assert_eq!(parse_link_next("garbage"), None);
        assert_eq!(
            resolve_link("http://127.0.0.1:5000", "/v2/x?n=1").unwrap(),
            "http://127.0.0.1:5000/v2/x?n=1"
        );
        assert!(resolve_link("http://127.0.0.1:5000", "http://evil.example/v2/x").is_err());
        assert!(resolve_link("http://127.0.0.1:5000", "//evil.example/v2/x").is_err());
        assert_eq!(
            parse_filters_applied(" artifactType , other,"),
            vec!["artifactType", "other"]
        );
    }
}
