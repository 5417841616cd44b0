//! grype's JSON report (`grype -o json`): `matches[]` with the
//! vulnerability (CVSS, EPSS, fix), its related vulnerabilities (the NVD
//! record of a GHSA...) and the artifact (name, version, purl).

use serde::Deserialize;
use serde_json::Value;

use super::{
    Cvss, CvssVersion, ScanFinding, ScanReport, Scanner, typed_from_slice, typed_from_value,
};
use crate::input::InputError;

const HINT: &str = "pass the report of `grype -o json` unchanged";

#[derive(Deserialize)]
struct Report {
    /// Required at the root: a document that only mentions `"matches"`
    /// deeper down is no grype report, never an empty one.
    #[serde(default)]
    matches: Option<Vec<Match>>,
    #[serde(default)]
    descriptor: Option<Descriptor>,
}

#[derive(Deserialize)]
struct Descriptor {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

#[derive(Deserialize)]
struct Match {
    vulnerability: Vuln,
    #[serde(default, rename = "relatedVulnerabilities")]
    related: Vec<Vuln>,
    artifact: Artifact,
}

#[derive(Deserialize)]
struct Vuln {
    id: String,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    cvss: Vec<GrypeCvss>,
    #[serde(default)]
    epss: Vec<Epss>,
    #[serde(default)]
    fix: Option<Fix>,
}

#[derive(Deserialize)]
struct GrypeCvss {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    vector: Option<String>,
    #[serde(default)]
    metrics: Option<Metrics>,
    #[serde(default)]
    source: Option<String>,
}

#[derive(Deserialize)]
struct Metrics {
    #[serde(default, rename = "baseScore")]
    base_score: Option<f64>,
}

#[derive(Deserialize)]
struct Epss {
    #[serde(default)]
    epss: Option<f64>,
    #[serde(default)]
    percentile: Option<f64>,
}

#[derive(Deserialize)]
struct Fix {
    #[serde(default)]
    versions: Vec<String>,
}

#[derive(Deserialize)]
struct Artifact {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    purl: Option<String>,
}

impl Report {
    /// A document without `matches` at its root is no grype report, never
    /// an empty one (that would pass as "no findings").
    fn checked(self) -> Result<Report, InputError> {
        if self.matches.is_none() {
            return Err(InputError::new(
                "/ (the document root)",
                "a grype JSON report, with `matches` at its root",
                "an object without `matches` at its root",
                HINT,
            ));
        }
        Ok(self)
    }
}

/// Read a grype JSON report from bytes.
pub fn parse(bytes: &[u8]) -> Result<ScanReport, InputError> {
    let report: Report = typed_from_slice(bytes, "grype JSON report", HINT)?;
    Ok(convert(report.checked()?))
}

/// Read bytes that look like a grype report: `None` when the keys that make
/// one are not at the document's root (the caller tries the other formats).
pub fn parse_if_rooted(bytes: &[u8]) -> Result<Option<ScanReport>, InputError> {
    let report: Report = typed_from_slice(bytes, "grype JSON report", HINT)?;
    Ok(report.checked().ok().map(convert))
}

/// Read a grype JSON report already parsed.
pub fn read_value(value: &Value) -> Result<ScanReport, InputError> {
    let report: Report = typed_from_value(value, "grype JSON report", HINT)?;
    Ok(convert(report.checked()?))
}

fn cvss_of(items: &[GrypeCvss], fallback_source: &str) -> Vec<Cvss> {
    items
        .iter()
        .filter_map(|c| {
            let score = c.metrics.as_ref().and_then(|m| m.base_score);
            let source = c
                .source
                .clone()
                .unwrap_or_else(|| fallback_source.to_owned());
            match (&c.vector, score) {
                (Some(v), _) if !v.is_empty() => {
                    let mut cvss = Cvss::from_vector(v, score, &source);
                    if cvss.version == CvssVersion::V2
                        && let Some(label) = &c.version
                    {
                        cvss.version = CvssVersion::from_label(label);
                    }
                    Some(cvss)
                }
                (_, Some(s)) => Some(Cvss {
                    version: c
                        .version
                        .as_deref()
                        .map(CvssVersion::from_label)
                        .unwrap_or(CvssVersion::Unknown),
                    vector: None,
                    score: Some(s),
                    source,
                }),
                _ => None,
            }
        })
        .collect()
}

fn convert(report: Report) -> ScanReport {
    let scanner = Scanner::new(
        report
            .descriptor
            .as_ref()
            .and_then(|d| d.name.as_deref())
            .unwrap_or("grype"),
        report
            .descriptor
            .as_ref()
            .and_then(|d| d.version.as_deref())
            .filter(|v| !v.starts_with('[')),
    );
    let findings = report
        .matches
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let mut cvss = cvss_of(&m.vulnerability.cvss, "grype");
            for related in &m.related {
                cvss.extend(cvss_of(&related.cvss, "nvd"));
            }
            let aliases: Vec<String> = m
                .related
                .iter()
                .map(|r| r.id.clone())
                .filter(|id| *id != m.vulnerability.id)
                .collect();
            let epss = m
                .vulnerability
                .epss
                .iter()
                .find_map(|e| Some((e.epss?, e.percentile?)));
            let (purl, _) = crate::sbom::read_purl(m.artifact.purl.as_deref());
            let purl = purl.or_else(|| {
                m.artifact.kind.as_deref().and_then(|k| {
                    super::purl_for(k, &m.artifact.name, m.artifact.version.as_deref())
                })
            });
            ScanFinding {
                id: m.vulnerability.id,
                aliases,
                package: m.artifact.name,
                version: m.artifact.version,
                purl,
                cvss,
                epss,
                severity: m.vulnerability.severity,
                fixed_in: m.vulnerability.fix.map(|f| f.versions).unwrap_or_default(),
                scanner: scanner.clone(),
                pointer: format!("/matches/{i}"),
            }
        })
        .collect();
    ScanReport {
        format: "grype JSON",
        scanners: vec![scanner],
        findings,
    }
}
