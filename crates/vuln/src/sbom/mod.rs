//! SBOMs: CycloneDX 1.2–1.7 JSON and SPDX 2.2/2.3 JSON, read into one
//! model ([`Sbom`], [`Component`]) and validated against the format's
//! official schema ([`schema`]).
//!
//! [`parse_sbom`] is the entry point a fuzz target calls: bytes in, a model
//! or an [`InputError`] out, never a panic.

pub mod cyclonedx;
pub mod schema;
pub mod spdx;

use serde_json::Value;

use crate::input::{InputError, parse_json};
use crate::purl::Purl;

/// Which SBOM format a document is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SbomFormat {
    /// `specVersion` as written (`1.6`).
    CycloneDx(String),
    /// `spdxVersion` as written (`SPDX-2.3`).
    Spdx(String),
}

impl SbomFormat {
    pub fn label(&self) -> String {
        match self {
            SbomFormat::CycloneDx(v) => format!("CycloneDX {v}"),
            SbomFormat::Spdx(v) => v.clone(),
        }
    }
}

/// A licence as the SBOM declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LicenseDecl {
    /// An SPDX expression (`MIT OR Apache-2.0`) or a single SPDX id.
    Expression(String),
    /// A free-text name that is not an SPDX identifier (CycloneDX
    /// `license.name`).
    Name(String),
    /// SPDX `NOASSERTION`: the author did not say.
    NoAssertion,
}

impl LicenseDecl {
    pub fn text(&self) -> &str {
        match self {
            LicenseDecl::Expression(t) | LicenseDecl::Name(t) => t,
            LicenseDecl::NoAssertion => "NOASSERTION",
        }
    }
}

/// One component (a package) of an SBOM.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub name: String,
    pub version: Option<String>,
    /// The parsed purl, when there is one and it parses.
    pub purl: Option<Purl>,
    /// The purl as written and why it does not parse, when it does not.
    pub bad_purl: Option<(String, String)>,
    /// CycloneDX `bom-ref`, SPDX `SPDXID`.
    pub id: Option<String>,
    pub licenses: Vec<LicenseDecl>,
    /// Where the component is in the document.
    pub pointer: String,
}

impl Component {
    /// The key that identifies the package at its version across documents
    /// and scanners: the purl without qualifiers, else `name@version`.
    pub fn versioned_key(&self) -> String {
        match &self.purl {
            Some(p) => p.versioned_key(),
            None => format!(
                "name:{}@{}",
                self.name.to_ascii_lowercase(),
                self.version.as_deref().unwrap_or("")
            ),
        }
    }

    /// The key of the package whatever its version.
    pub fn package_key(&self) -> String {
        match &self.purl {
            Some(p) => p.package_key(),
            None => format!("name:{}", self.name.to_ascii_lowercase()),
        }
    }

    /// The version, from the component or else its purl.
    pub fn effective_version(&self) -> Option<&str> {
        self.version
            .as_deref()
            .or_else(|| self.purl.as_ref().and_then(|p| p.version.as_deref()))
    }

    /// `name@version` for messages.
    pub fn label(&self) -> String {
        let name = self
            .purl
            .as_ref()
            .map(Purl::display_name)
            .unwrap_or_else(|| self.name.clone());
        match self.effective_version() {
            Some(v) => format!("{name}@{v}"),
            None => name,
        }
    }

    /// The purl type (`npm`, `golang`), the ecosystem for version order.
    pub fn ecosystem(&self) -> Option<&str> {
        self.purl.as_ref().map(|p| p.ty.as_str())
    }
}

/// A schema violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub pointer: String,
    pub message: String,
}

/// An SBOM, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Sbom {
    pub format: SbomFormat,
    /// CycloneDX `serialNumber` (`urn:uuid:...`), SPDX `documentNamespace`.
    pub serial: Option<String>,
    /// CycloneDX `version`.
    pub version: Option<u64>,
    /// What the SBOM describes: CycloneDX `metadata.component`, SPDX's
    /// described package.
    pub root: Option<Component>,
    /// Every other component (nested CycloneDX components flattened).
    pub components: Vec<Component>,
    /// Whether the format's dependency graph is there (CycloneDX
    /// `dependencies`, SPDX relationships other than `DESCRIBES`), and how
    /// many edges it has.
    pub dependency_edges: Option<usize>,
    /// Violations of the format's schema (the first [`schema::MAX_ERRORS`]).
    pub schema_errors: Vec<SchemaError>,
    /// How many violations there are in all.
    pub schema_error_total: usize,
}

/// Read an SBOM from bytes: detect the format, validate it against its
/// schema (violations are kept in [`Sbom::schema_errors`], they are
/// findings, not read errors) and extract the components.
pub fn parse_sbom(bytes: &[u8]) -> Result<Sbom, InputError> {
    let value = parse_json(bytes, "SBOM")?;
    sbom_from_value(&value)
}

/// [`parse_sbom`] over a parsed document.
pub fn sbom_from_value(value: &Value) -> Result<Sbom, InputError> {
    if value.get("bomFormat").is_some() {
        cyclonedx::read(value)
    } else if value.get("spdxVersion").is_some() {
        spdx::read(value)
    } else {
        Err(InputError::new(
            "/ (the document root)",
            "a CycloneDX JSON SBOM (`\"bomFormat\": \"CycloneDX\"`) or an SPDX JSON SBOM (`\"spdxVersion\": \"SPDX-2.3\"`)",
            match value {
                Value::Object(map) => format!(
                    "an object with the keys {}",
                    map.keys().take(8).cloned().collect::<Vec<_>>().join(", ")
                ),
                other => crate::input::describe(other),
            },
            "generate the SBOM in CycloneDX or SPDX JSON (syft -o cyclonedx-json, trivy --format cyclonedx)",
        ))
    }
}

/// The purl of a component: parsed, or why not.
pub(crate) fn read_purl(text: Option<&str>) -> (Option<Purl>, Option<(String, String)>) {
    match text {
        None => (None, None),
        Some(t) if t.trim().is_empty() => (None, None),
        Some(t) => match Purl::parse(t) {
            Ok(p) => (Some(p), None),
            Err(e) => (None, Some((t.to_owned(), e))),
        },
    }
}
