//! trivy's JSON report (`trivy --format json`, SchemaVersion 2):
//! `Results[].Vulnerabilities[]` with the package (name, installed version,
//! `PkgIdentifier.PURL`) and CVSS per source.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::{Cvss, ScanFinding, ScanReport, Scanner, typed_from_slice, typed_from_value};
use crate::input::InputError;

const HINT: &str = "pass the report of `trivy ... --format json` unchanged";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Report {
    #[serde(default)]
    trivy: Option<TrivyInfo>,
    /// Only its presence is read: with `Results`, what makes a document a
    /// trivy report (a key of that name deeper down does not).
    #[serde(default)]
    schema_version: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    results: Option<Vec<TargetResult>>,
}

impl Report {
    /// A document without `SchemaVersion` or `Results` at its root is no
    /// trivy report, never an empty one (that would pass as "no findings").
    fn checked(self) -> Result<Report, InputError> {
        if self.schema_version.is_none() && self.results.is_none() {
            return Err(InputError::new(
                "/ (the document root)",
                "a trivy JSON report, with `SchemaVersion` or `Results` at its root",
                "an object with neither key at its root",
                HINT,
            ));
        }
        Ok(self)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrivyInfo {
    #[serde(default)]
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TargetResult {
    #[serde(default)]
    target: Option<String>,
    #[serde(default, rename = "Type")]
    kind: Option<String>,
    #[serde(default)]
    vulnerabilities: Vec<Vuln>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Vuln {
    #[serde(rename = "VulnerabilityID")]
    id: String,
    pkg_name: String,
    #[serde(default)]
    installed_version: Option<String>,
    #[serde(default)]
    fixed_version: Option<String>,
    #[serde(default)]
    pkg_identifier: Option<PkgIdentifier>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default, rename = "CVSS")]
    cvss: BTreeMap<String, TrivyCvss>,
    #[serde(default, rename = "VendorIDs")]
    vendor_ids: Vec<String>,
}

#[derive(Deserialize)]
struct PkgIdentifier {
    #[serde(default, rename = "PURL")]
    purl: Option<String>,
}

#[derive(Deserialize)]
struct TrivyCvss {
    #[serde(default, rename = "V2Vector")]
    v2_vector: Option<String>,
    #[serde(default, rename = "V3Vector")]
    v3_vector: Option<String>,
    #[serde(default, rename = "V40Vector")]
    v40_vector: Option<String>,
    #[serde(default, rename = "V2Score")]
    v2_score: Option<f64>,
    #[serde(default, rename = "V3Score")]
    v3_score: Option<f64>,
    #[serde(default, rename = "V40Score")]
    v40_score: Option<f64>,
}

/// Read a trivy JSON report from bytes.
pub fn parse(bytes: &[u8]) -> Result<ScanReport, InputError> {
    let report: Report = typed_from_slice(bytes, "trivy JSON report", HINT)?;
    Ok(convert(report.checked()?))
}

/// Read bytes that look like a trivy report: `None` when the keys that make
/// one are not at the document's root (the caller tries the other formats).
pub fn parse_if_rooted(bytes: &[u8]) -> Result<Option<ScanReport>, InputError> {
    let report: Report = typed_from_slice(bytes, "trivy JSON report", HINT)?;
    Ok(report.checked().ok().map(convert))
}

/// Read a trivy JSON report already parsed.
pub fn read_value(value: &Value) -> Result<ScanReport, InputError> {
    let report: Report = typed_from_value(value, "trivy JSON report", HINT)?;
    Ok(convert(report.checked()?))
}

fn convert(report: Report) -> ScanReport {
    let scanner = Scanner::new(
        "trivy",
        report.trivy.as_ref().and_then(|t| t.version.as_deref()),
    );
    let mut findings = Vec::new();
    for (r, result) in report.results.unwrap_or_default().into_iter().enumerate() {
        let _ = &result.target;
        for (i, v) in result.vulnerabilities.into_iter().enumerate() {
            let mut cvss = Vec::new();
            for (source, c) in &v.cvss {
                for (vector, score) in [
                    (&c.v40_vector, c.v40_score),
                    (&c.v3_vector, c.v3_score),
                    (&c.v2_vector, c.v2_score),
                ] {
                    if let Some(vector) = vector.as_deref().filter(|s| !s.is_empty()) {
                        cvss.push(Cvss::from_vector(vector, score, source));
                    }
                }
            }
            let (purl, _) =
                crate::sbom::read_purl(v.pkg_identifier.as_ref().and_then(|p| p.purl.as_deref()));
            let purl = purl.or_else(|| {
                result
                    .kind
                    .as_deref()
                    .and_then(|k| super::purl_for(k, &v.pkg_name, v.installed_version.as_deref()))
            });
            findings.push(ScanFinding {
                id: v.id,
                aliases: v.vendor_ids,
                package: v.pkg_name,
                version: v.installed_version,
                purl,
                cvss,
                epss: None,
                severity: v.severity,
                fixed_in: v
                    .fixed_version
                    .map(|f| {
                        f.split(',')
                            .map(|s| s.trim().to_owned())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
                scanner: scanner.clone(),
                pointer: format!("/Results/{r}/Vulnerabilities/{i}"),
            });
        }
    }
    ScanReport {
        format: "trivy JSON",
        scanners: vec![scanner],
        findings,
    }
}
