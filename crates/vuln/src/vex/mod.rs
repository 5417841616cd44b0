//! VEX documents: OpenVEX (0.2.0, and the 0.0.1 shape), CycloneDX VEX
//! (`vulnerabilities[].analysis`) and CSAF 2.0 (VEX profile), read into one
//! model of [`Statement`]s, each scoped to a product and, where it says, a
//! component of that product.
//!
//! A document may come wrapped: a DSSE envelope (`payloadType`, `payload`,
//! `signatures`) or a Sigstore bundle holding one, whose payload is the
//! VEX document or an in-toto Statement with the VEX as its predicate
//! (`vexctl attest`, `cosign attest --type openvex`). [`parse_vex`] unwraps
//! and keeps the envelope for [`signature`] to verify. It is the entry
//! point a fuzz target calls.
//!
//! No VEX format has an expiry; ours is documented in docs/vuln.md: a
//! statement is good until its timestamp plus `vuln.vex_ttl_days`, or until
//! an earlier explicit `ci-intel:expires` (an OpenVEX statement or document
//! member, a CycloneDX vulnerability property, a CSAF note titled so).

pub mod csaf;
pub mod cyclonedx;
pub mod openvex;
pub mod signature;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::input::{InputError, parse_json};
use crate::purl::Purl;

/// The name of our explicit expiry, in every format.
pub const EXPIRES: &str = "ci-intel:expires";

/// A VEX status, as the formats share them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotAffected => "not_affected",
            Status::Affected => "affected",
            Status::Fixed => "fixed",
            Status::UnderInvestigation => "under_investigation",
        }
    }
}

/// How a statement names a product or a component.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// As written (a purl, an IRI, a CSAF product id, a bom-ref).
    pub raw: String,
    pub purl: Option<Purl>,
    /// A name and version when that is all there is (CycloneDX
    /// `metadata.component`, a CSAF product name).
    pub name: Option<String>,
    pub version: Option<String>,
    /// A CycloneDX BOM-Link: the serial number and version of the BOM the
    /// reference points into.
    pub bom_link: Option<(String, Option<u64>)>,
}

impl Ident {
    pub fn from_text(raw: &str) -> Ident {
        Ident {
            raw: raw.to_owned(),
            purl: Purl::parse(raw).ok(),
            name: None,
            version: None,
            bom_link: None,
        }
    }

    pub fn label(&self) -> String {
        if let Some(p) = &self.purl {
            return p.canonical().to_owned();
        }
        match (&self.name, &self.version) {
            (Some(n), Some(v)) => format!("{n}@{v}"),
            (Some(n), None) => n.clone(),
            _ => self.raw.clone(),
        }
    }
}

/// What a statement is about: a product, and optionally one of its
/// components (OpenVEX `subcomponents`, a CSAF `default_component_of`
/// relationship, a CycloneDX BOM-Link into the product's BOM).
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    pub product: Ident,
    pub component: Option<Ident>,
}

/// One statement: a vulnerability, where, and its status.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The vulnerability id, upper-cased, and its aliases.
    pub vulnerability: String,
    pub aliases: Vec<String>,
    pub scopes: Vec<Scope>,
    pub status: Status,
    /// The justification (`vulnerable_code_not_present`, a CSAF flag label,
    /// CycloneDX `code_not_reachable`...), or an impact statement.
    pub justification: Option<String>,
    /// When the statement was made or last updated (the latest given).
    pub timestamp: Option<DateTime<Utc>>,
    /// Our explicit expiry, when given.
    pub expires: Option<DateTime<Utc>>,
    /// Where in the document.
    pub pointer: String,
}

impl Statement {
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.vulnerability.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// A DSSE envelope as read (signatures verified later).
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub payload_type: String,
    pub payload: Vec<u8>,
    /// `(keyid, signature bytes)`.
    pub signatures: Vec<(String, Vec<u8>)>,
}

/// How the document was wrapped.
#[derive(Debug, Clone, PartialEq)]
pub enum Wrapping {
    /// A bare VEX document (a detached Sigstore bundle may sign it).
    Plain,
    /// A DSSE envelope, to verify with a key.
    Dsse(Envelope),
    /// A Sigstore bundle holding a DSSE envelope whose in-toto subjects are
    /// these sha256 digests (hex).
    SigstoreDsse(Vec<String>),
}

/// A VEX document, read.
#[derive(Debug, Clone, PartialEq)]
pub struct VexDocument {
    /// `OpenVEX`, `CycloneDX VEX`, `CSAF VEX`.
    pub format: &'static str,
    pub id: Option<String>,
    pub author: Option<String>,
    pub statements: Vec<Statement>,
    pub wrapping: Wrapping,
    /// CycloneDX: the VEX BOM's own serial number (`affects[].ref` without a
    /// BOM-Link points into this document).
    pub serial: Option<String>,
}

/// An RFC 3339 time, or an error at `pointer`.
pub(crate) fn time_at(text: &str, pointer: &str, hint: &str) -> Result<DateTime<Utc>, InputError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| {
            InputError::new(
                pointer,
                "an RFC 3339 date-time (2025-01-31T12:00:00Z)",
                format!("{} ({e})", crate::input::quote(text)),
                hint,
            )
        })
}

/// The later of two optional times.
pub(crate) fn latest(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Read a VEX document (bare or wrapped). Entry point for fuzzing.
pub fn parse_vex(bytes: &[u8]) -> Result<VexDocument, InputError> {
    let value = parse_json(bytes, "VEX document")?;
    if value.get("payloadType").is_some() && value.get("signatures").is_some() {
        let envelope = envelope(&value, "")?;
        let inner = payload_document(&envelope.payload, "/payload")?;
        let mut doc = read_document(&inner, "/payload")?;
        doc.wrapping = Wrapping::Dsse(envelope);
        return Ok(doc);
    }
    if let Some(dsse) = value.get("dsseEnvelope")
        && value.get("mediaType").is_some()
    {
        let envelope = envelope(dsse, "/dsseEnvelope")?;
        let inner = payload_document(&envelope.payload, "/dsseEnvelope/payload")?;
        let subjects = in_toto_subjects(&envelope.payload);
        let mut doc = read_document(&inner, "/dsseEnvelope/payload")?;
        doc.wrapping = Wrapping::SigstoreDsse(subjects);
        return Ok(doc);
    }
    read_document(&value, "")
}

const ENVELOPE_HINT: &str = "sign the VEX document as a DSSE envelope (payloadType, base64 payload, signatures[].sig) or with a Sigstore bundle";

fn b64(text: &str, pointer: &str) -> Result<Vec<u8>, InputError> {
    let engine = base64::engine::general_purpose::STANDARD;
    let url = base64::engine::general_purpose::URL_SAFE;
    engine
        .decode(text.trim())
        .or_else(|_| url.decode(text.trim()))
        .map_err(|e| {
            InputError::new(
                pointer,
                "base64",
                format!("text that is not base64 ({e})"),
                ENVELOPE_HINT,
            )
        })
}

fn envelope(value: &Value, pointer: &str) -> Result<Envelope, InputError> {
    let obj = crate::input::Obj::new(value, pointer);
    let payload_type = obj.req_str("payloadType", ENVELOPE_HINT)?.to_owned();
    let payload = b64(obj.req_str("payload", ENVELOPE_HINT)?, &obj.at("payload"))?;
    let mut signatures = Vec::new();
    for (i, s) in obj
        .opt_array("signatures", ENVELOPE_HINT)?
        .iter()
        .enumerate()
    {
        let sp = format!("{}/{i}", obj.at("signatures"));
        let so = crate::input::Obj::new(s, &sp);
        let sig = b64(so.req_str("sig", ENVELOPE_HINT)?, &so.at("sig"))?;
        let keyid = so.opt_str("keyid", ENVELOPE_HINT)?.unwrap_or("").to_owned();
        signatures.push((keyid, sig));
    }
    Ok(Envelope {
        payload_type,
        payload,
        signatures,
    })
}

/// The VEX inside a payload: the payload itself, or an in-toto
/// Statement's predicate.
fn payload_document(payload: &[u8], pointer: &str) -> Result<Value, InputError> {
    let value = parse_json(payload, "DSSE payload").map_err(|mut e| {
        e.at = format!("{pointer} (decoded) {}", e.at);
        e
    })?;
    if value.get("_type").is_some() && value.get("predicate").is_some() {
        Ok(value.get("predicate").cloned().unwrap_or(Value::Null))
    } else {
        Ok(value)
    }
}

fn in_toto_subjects(payload: &[u8]) -> Vec<String> {
    serde_json::from_slice::<Value>(payload)
        .ok()
        .and_then(|v| v.get("subject").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|s| {
            s.pointer("/digest/sha256")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
        })
        .collect()
}

fn read_document(value: &Value, pointer: &str) -> Result<VexDocument, InputError> {
    let result = if value.get("statements").is_some() || value.get("@context").is_some() {
        openvex::read(value)
    } else if value.get("bomFormat").is_some() {
        cyclonedx::read(value)
    } else if value.pointer("/document/csaf_version").is_some() {
        csaf::read(value)
    } else {
        Err(InputError::new(
            "/ (the document root)",
            "an OpenVEX document (`@context`, `statements`), a CycloneDX BOM with `vulnerabilities[].analysis`, or a CSAF 2.0 document (`document.csaf_version`)",
            match value {
                Value::Object(map) => format!(
                    "an object with the keys {}",
                    map.keys().take(8).cloned().collect::<Vec<_>>().join(", ")
                ),
                other => crate::input::describe(other),
            },
            "pass a VEX document in one of the three formats",
        ))
    };
    result.map_err(|mut e| {
        if !pointer.is_empty() {
            e.at = format!("{pointer} (decoded) {}", e.at);
        }
        e
    })
}
