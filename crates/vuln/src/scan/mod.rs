//! Scanner findings: grype JSON, trivy JSON, osv-scanner JSON, CycloneDX
//! `vulnerabilities[]` and SARIF from those scanners, read into one model
//! ([`ScanFinding`]) that records which scanner (and version) said what.
//!
//! [`parse_findings`] detects the format; each reader is a plain function
//! over bytes. Two scanners reporting the same vulnerability on the same
//! package are merged by [`merge`] into one [`Vulnerability`].

pub mod cyclonedx;
pub mod grype;
pub mod osv;
pub mod sarif;
pub mod trivy;

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::input::InputError;
use crate::purl::Purl;

/// The CVSS versions, in the order the risk formula prefers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum CvssVersion {
    /// A score with no vector and no version (SARIF `security-severity`).
    #[serde(rename = "unknown")]
    Unknown,
    #[serde(rename = "2.0")]
    V2,
    #[serde(rename = "3.0")]
    V30,
    #[serde(rename = "3.1")]
    V31,
    #[serde(rename = "4.0")]
    V40,
}

impl CvssVersion {
    pub fn label(self) -> &'static str {
        match self {
            CvssVersion::Unknown => "CVSS (version not given)",
            CvssVersion::V2 => "CVSS v2",
            CvssVersion::V30 => "CVSS v3.0",
            CvssVersion::V31 => "CVSS v3.1",
            CvssVersion::V40 => "CVSS v4.0",
        }
    }

    /// The version a vector string declares (`CVSS:3.1/...`; no prefix is v2).
    pub fn of_vector(vector: &str) -> CvssVersion {
        if vector.starts_with("CVSS:4.0/") {
            CvssVersion::V40
        } else if vector.starts_with("CVSS:3.1/") {
            CvssVersion::V31
        } else if vector.starts_with("CVSS:3.0/") {
            CvssVersion::V30
        } else if vector.starts_with("CVSS:") {
            CvssVersion::Unknown
        } else {
            CvssVersion::V2
        }
    }

    /// From a scanner's version label (`3.1`, `CVSSv31`, `V3`...).
    pub fn from_label(label: &str) -> CvssVersion {
        let l: String = label
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let l = l.trim_start_matches("cvss").trim_start_matches('v');
        match l {
            "4" | "40" => CvssVersion::V40,
            "31" => CvssVersion::V31,
            "3" | "30" => CvssVersion::V30,
            "2" | "20" => CvssVersion::V2,
            _ => CvssVersion::Unknown,
        }
    }
}

/// One CVSS assessment a scanner passed on.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Cvss {
    pub version: CvssVersion,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Who scored it (`nvd`, `ghsa`, `redhat`...), when said.
    pub source: String,
}

impl Cvss {
    /// A vector (and optional score); the version comes from the vector.
    pub fn from_vector(vector: &str, score: Option<f64>, source: &str) -> Cvss {
        Cvss {
            version: CvssVersion::of_vector(vector),
            vector: Some(vector.to_owned()),
            score: score.filter(|s| s.is_finite()),
            source: source.to_owned(),
        }
    }
}

/// The program that produced findings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Scanner {
    pub name: String,
    /// As the report says (`0.66.0`), or `unknown` when it does not say.
    pub version: String,
}

impl Scanner {
    pub fn new(name: &str, version: Option<&str>) -> Scanner {
        Scanner {
            name: name.to_owned(),
            version: version
                .filter(|v| !v.trim().is_empty())
                .unwrap_or("unknown")
                .to_owned(),
        }
    }

    pub fn label(&self) -> String {
        format!("{} {}", self.name, self.version)
    }
}

/// One vulnerability on one package, as one scanner reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanFinding {
    /// The id as reported (`CVE-2021-44228`, `GHSA-...`).
    pub id: String,
    /// Other ids of the same vulnerability (CVE aliases of a GHSA...).
    pub aliases: Vec<String>,
    pub package: String,
    pub version: Option<String>,
    pub purl: Option<Purl>,
    pub cvss: Vec<Cvss>,
    /// EPSS as the scanner reported it (grype): `(probability, percentile)`.
    pub epss: Option<(f64, f64)>,
    /// The scanner's own severity word.
    pub severity: Option<String>,
    pub fixed_in: Vec<String>,
    pub scanner: Scanner,
    /// Where in the report (a pointer).
    pub pointer: String,
}

impl ScanFinding {
    /// The id the tool uses for the vulnerability: its CVE when it has
    /// one (the id or an alias), else the id as reported, upper-cased.
    pub fn canonical_id(&self) -> String {
        canonical_id(&self.id, &self.aliases)
    }

    /// The package at its version, for merging and VEX matching.
    pub fn versioned_key(&self) -> String {
        match &self.purl {
            Some(p) if p.version.is_some() => p.versioned_key(),
            Some(p) => format!(
                "{}@{}",
                p.package_key(),
                self.version.as_deref().unwrap_or("")
            ),
            None => format!(
                "name:{}@{}",
                self.package.to_ascii_lowercase(),
                self.version.as_deref().unwrap_or("")
            ),
        }
    }

    /// The package whatever its version.
    pub fn package_key(&self) -> String {
        match &self.purl {
            Some(p) => p.package_key(),
            None => format!("name:{}", self.package.to_ascii_lowercase()),
        }
    }
}

/// The CVE among `id` and `aliases`, else `id`; upper-cased.
pub fn canonical_id(id: &str, aliases: &[String]) -> String {
    std::iter::once(id)
        .chain(aliases.iter().map(String::as_str))
        .find(|i| i.to_ascii_uppercase().starts_with("CVE-"))
        .unwrap_or(id)
        .trim()
        .to_ascii_uppercase()
}

/// A report of one scanner run.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanReport {
    /// `grype JSON`, `trivy JSON`, `osv-scanner JSON`, `CycloneDX`, `SARIF`.
    pub format: &'static str,
    pub scanners: Vec<Scanner>,
    pub findings: Vec<ScanFinding>,
}

/// Read a findings file of any supported format. This is the entry point a
/// fuzz target calls.
pub fn parse_findings(bytes: &[u8]) -> Result<ScanReport, InputError> {
    // Each reader drops the byte order mark (one, as every reader does).
    // The large formats are read typed (no intermediate JSON tree): a
    // 20,000-match grype report stays small in memory.
    let head = sniff(bytes);
    // The sniff only says a key of that name appears near the start; the
    // typed readers confirm it is at the root, else the formats are told
    // apart on the parsed document below.
    if head.contains("\"matches\"")
        && !head.contains("\"runs\"")
        && let Some(report) = grype::parse_if_rooted(bytes)?
    {
        return Ok(report);
    }
    if (head.contains("\"SchemaVersion\"") || head.contains("\"Results\""))
        && let Some(report) = trivy::parse_if_rooted(bytes)?
    {
        return Ok(report);
    }
    let value = crate::input::parse_json(bytes, "findings report")?;
    if value.get("bomFormat").is_some() {
        cyclonedx::read(&value)
    } else if value.get("runs").is_some() {
        sarif::read(&value)
    } else if value.get("results").is_some() {
        osv::read(&value)
    } else if value.get("matches").is_some() {
        grype::read_value(&value)
    } else if value.get("SchemaVersion").is_some() || value.get("Results").is_some() {
        trivy::read_value(&value)
    } else {
        Err(InputError::new(
            "/ (the document root)",
            "a grype JSON report (`matches`), a trivy JSON report (`SchemaVersion`, `Results`), an osv-scanner JSON report (`results`), a CycloneDX BOM with `vulnerabilities`, or SARIF 2.1.0 (`runs`)",
            match &value {
                Value::Object(map) => format!(
                    "an object with the keys {}",
                    map.keys().take(8).cloned().collect::<Vec<_>>().join(", ")
                ),
                other => crate::input::describe(other),
            },
            "run the scanner with its JSON output (grype -o json, trivy --format json, osv-scanner --format json)",
        ))
    }
}

/// The first top-level keys of a JSON object, cheaply: the first 4 KiB.
fn sniff(bytes: &[u8]) -> String {
    let end = bytes.len().min(4096);
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// Read `T` from JSON bytes. The plain serde_json pass runs first; only
/// when it fails does a second, path-tracking pass find the JSON pointer for
/// the error. Tracking every key on every read cost about a fifth of the
/// time of reading a 20,000-match grype report, and the error (the same
/// input, the same deserializer) is the same either way.
pub(crate) fn typed_from_slice<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    what: &str,
    hint: &str,
) -> Result<T, InputError> {
    // serde_json skips the bytes of members it ignores without checking
    // them, so UTF-8 is checked here for the whole document, and nothing
    // but whitespace may follow it.
    let text = crate::input::json_text(bytes, what)?;
    let mut de = serde_json::Deserializer::from_str(text);
    match T::deserialize(&mut de) {
        Ok(value) => {
            crate::input::json_end(&mut de, what)?;
            Ok(value)
        }
        Err(_) => {
            let mut de = serde_json::Deserializer::from_str(text);
            let value = serde_path_to_error::deserialize(&mut de)
                .map_err(|e| typed_error(&e, what, hint))?;
            crate::input::json_end(&mut de, what)?;
            Ok(value)
        }
    }
}

/// Read `T` from a parsed JSON tree, with the same two passes as
/// [`typed_from_slice`].
pub(crate) fn typed_from_value<T: serde::de::DeserializeOwned>(
    value: &Value,
    what: &str,
    hint: &str,
) -> Result<T, InputError> {
    if let Ok(typed) = T::deserialize(value) {
        return Ok(typed);
    }
    serde_path_to_error::deserialize(value).map_err(|e| typed_error(&e, what, hint))
}

/// An error from a typed read, with the pointer serde_path_to_error found.
fn typed_error(
    error: &serde_path_to_error::Error<serde_json::Error>,
    what: &str,
    hint: &str,
) -> InputError {
    let inner = error.inner();
    let mut pointer = String::new();
    for segment in error.path().iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            serde_path_to_error::Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&crate::input::token(key));
            }
            serde_path_to_error::Segment::Enum { variant } => {
                pointer.push('/');
                pointer.push_str(&crate::input::token(variant));
            }
            serde_path_to_error::Segment::Unknown => pointer.push_str("/?"),
        }
    }
    let at = if pointer.is_empty() {
        format!("line {} column {}", inner.line(), inner.column())
    } else {
        format!(
            "{pointer} (line {} column {})",
            inner.line(),
            inner.column()
        )
    };
    InputError::new(at, format!("a valid {what}"), inner.to_string(), hint)
}

/// One vulnerability on one package after merging every scanner's report.
#[derive(Debug, Clone, PartialEq)]
pub struct Vulnerability {
    /// [`canonical_id`].
    pub id: String,
    /// Every id any scanner used for it (sorted, without `id`).
    pub aliases: Vec<String>,
    pub package: String,
    pub version: Option<String>,
    pub purl: Option<Purl>,
    pub key: String,
    pub package_key: String,
    pub cvss: Vec<Cvss>,
    pub epss: Option<(f64, f64)>,
    pub fixed_in: Vec<String>,
    /// Which scanners reported it.
    pub scanners: Vec<Scanner>,
    /// Where: `file#pointer`, one per report.
    pub sources: Vec<String>,
}

impl Vulnerability {
    /// Every id, the canonical one first.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    pub fn label(&self) -> String {
        let name = self
            .purl
            .as_ref()
            .map(Purl::display_name)
            .unwrap_or_else(|| self.package.clone());
        match &self.version {
            Some(v) => format!("{} on {name}@{v}", self.id),
            None => format!("{} on {name}", self.id),
        }
    }
}

/// Merge the findings of every report: one [`Vulnerability`] per
/// (vulnerability, package at version). Ids are joined through aliases, so a
/// GHSA from one scanner and its CVE from another are one finding.
pub fn merge(reports: &[(String, ScanReport)]) -> Vec<Vulnerability> {
    let mut by_key: BTreeMap<(String, String), Vulnerability> = BTreeMap::new();
    // Findings with a purl first; one without (SARIF) joins the finding of
    // the same id, package name and version that has one.
    let mut ordered: Vec<(&String, &ScanFinding)> = reports
        .iter()
        .flat_map(|(file, report)| report.findings.iter().map(move |f| (file, f)))
        .collect();
    ordered.sort_by_key(|(_, f)| f.purl.is_none());
    let mut by_name: HashMap<(String, String, String), String> = HashMap::new();
    for (file, f) in ordered {
        {
            let id = f.canonical_id();
            let version = f
                .version
                .clone()
                .or_else(|| f.purl.as_ref().and_then(|p| p.version.clone()))
                .unwrap_or_default();
            let key = match &f.purl {
                Some(p) => {
                    for name in [
                        p.name.to_ascii_lowercase(),
                        p.display_name().to_ascii_lowercase(),
                        f.package.to_ascii_lowercase(),
                    ] {
                        by_name
                            .entry((id.clone(), name, version.clone()))
                            .or_insert_with(|| f.versioned_key());
                    }
                    f.versioned_key()
                }
                None => by_name
                    .get(&(id.clone(), f.package.to_ascii_lowercase(), version.clone()))
                    .cloned()
                    .unwrap_or_else(|| f.versioned_key()),
            };
            let entry = by_key
                .entry((id.clone(), key.clone()))
                .or_insert_with(|| Vulnerability {
                    id: id.clone(),
                    aliases: Vec::new(),
                    package: f.package.clone(),
                    version: f
                        .version
                        .clone()
                        .or_else(|| f.purl.as_ref().and_then(|p| p.version.clone())),
                    purl: f.purl.clone(),
                    key: key.clone(),
                    package_key: f.package_key(),
                    cvss: Vec::new(),
                    epss: None,
                    fixed_in: Vec::new(),
                    scanners: Vec::new(),
                    sources: Vec::new(),
                });
            for alias in std::iter::once(&f.id).chain(&f.aliases) {
                let alias = alias.trim().to_ascii_uppercase();
                if alias != entry.id && !entry.aliases.contains(&alias) {
                    entry.aliases.push(alias);
                }
            }
            if entry.purl.is_none() {
                entry.purl = f.purl.clone();
            }
            for c in &f.cvss {
                if !entry.cvss.contains(c) {
                    entry.cvss.push(c.clone());
                }
            }
            if entry.epss.is_none() {
                entry.epss = f.epss;
            }
            for v in &f.fixed_in {
                if !entry.fixed_in.contains(v) {
                    entry.fixed_in.push(v.clone());
                }
            }
            if !entry.scanners.contains(&f.scanner) {
                entry.scanners.push(f.scanner.clone());
            }
            let source = format!("{file}#{}", f.pointer);
            if !entry.sources.contains(&source) {
                entry.sources.push(source);
            }
        }
    }
    let mut out: Vec<Vulnerability> = by_key.into_values().collect();
    for v in &mut out {
        v.aliases.sort();
        v.scanners.sort();
    }
    out
}

/// Map an ecosystem name (OSV, trivy) to a purl type.
pub fn purl_type(ecosystem: &str) -> Option<&'static str> {
    Some(match ecosystem.to_ascii_lowercase().as_str() {
        "npm" | "node-pkg" | "yarn" | "pnpm" => "npm",
        "pypi" | "pip" | "pipenv" | "poetry" | "python-pkg" => "pypi",
        "go" | "gomod" | "gobinary" | "golang" => "golang",
        "crates.io" | "cargo" | "rust-binary" => "cargo",
        "maven" | "jar" | "pom" | "gradle" => "maven",
        "rubygems" | "bundler" | "gemspec" | "gem" => "gem",
        "packagist" | "composer" => "composer",
        "nuget" | "dotnet-core" => "nuget",
        "debian" | "ubuntu" | "deb" => "deb",
        "alpine" | "apk" | "wolfi" | "chainguard" => "apk",
        "redhat" | "centos" | "rocky" | "alma" | "amazon" | "oracle" | "rpm" | "suse" => "rpm",
        "hex" => "hex",
        "pub" => "pub",
        "swifturl" | "swift" => "swift",
        "conan" => "conan",
        _ => return None,
    })
}

/// Build a purl for a package known by ecosystem, name and version.
pub fn purl_for(ecosystem: &str, name: &str, version: Option<&str>) -> Option<Purl> {
    let ty = purl_type(ecosystem)?;
    let (namespace, name) = match ty {
        "maven" => match name.split_once(':') {
            Some((g, a)) => (Some(g.to_owned()), a.to_owned()),
            None => (None, name.to_owned()),
        },
        "npm" if name.starts_with('@') => match name.split_once('/') {
            Some((scope, n)) => (Some(scope.to_owned()), n.to_owned()),
            None => (None, name.to_owned()),
        },
        "golang" | "composer" => match name.rsplit_once('/') {
            Some((ns, n)) => (Some(ns.to_owned()), n.to_owned()),
            None => (None, name.to_owned()),
        },
        _ => (None, name.to_owned()),
    };
    let enc = |s: &str| {
        s.replace('%', "%25")
            .replace('@', "%40")
            .replace('?', "%3F")
            .replace('#', "%23")
    };
    let mut text = format!("pkg:{ty}/");
    if let Some(ns) = namespace {
        text.push_str(&ns.split('/').map(enc).collect::<Vec<_>>().join("/"));
        text.push('/');
    }
    text.push_str(&enc(&name));
    if let Some(v) = version.filter(|v| !v.is_empty()) {
        text.push('@');
        text.push_str(&enc(v));
    }
    Purl::parse(&text).ok()
}
