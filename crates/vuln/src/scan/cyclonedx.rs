//! CycloneDX `vulnerabilities[]` as findings (grype `-o cyclonedx-json`,
//! trivy `--format cyclonedx --scanners vuln`): each vulnerability's
//! `affects[].ref` names a component of the same BOM by `bom-ref`.

use std::collections::HashMap;

use serde_json::Value;

use super::{Cvss, CvssVersion, ScanFinding, ScanReport, Scanner};
use crate::input::{InputError, Obj};

const HINT: &str = "pass the scanner's CycloneDX output (grype -o cyclonedx-json, trivy --format cyclonedx --scanners vuln) unchanged";

/// The tools a CycloneDX BOM says made it (1.4 array, 1.5+ `components`).
pub fn tools(value: &Value) -> Vec<Scanner> {
    let tools = value.pointer("/metadata/tools");
    let list: Vec<&Value> = match tools {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(Value::Object(map)) => map
            .get("components")
            .and_then(Value::as_array)
            .map(|c| c.iter().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    list.into_iter()
        .filter_map(|t| {
            let name = t.get("name").and_then(Value::as_str)?;
            Some(Scanner::new(name, t.get("version").and_then(Value::as_str)))
        })
        .collect()
}

/// A rating as a CVSS assessment, when its method is CVSS.
pub fn rating(rating: &Value) -> Option<Cvss> {
    let method = rating.get("method").and_then(Value::as_str).unwrap_or("");
    let version = match method {
        "CVSSv4" => CvssVersion::V40,
        "CVSSv31" => CvssVersion::V31,
        "CVSSv3" => CvssVersion::V30,
        "CVSSv2" => CvssVersion::V2,
        _ => return None,
    };
    let source = rating
        .pointer("/source/name")
        .and_then(Value::as_str)
        .unwrap_or("cyclonedx")
        .to_owned();
    let score = rating.get("score").and_then(Value::as_f64);
    let vector = rating.get("vector").and_then(Value::as_str).map(|v| {
        let prefix = match version {
            CvssVersion::V40 => "CVSS:4.0/",
            CvssVersion::V31 => "CVSS:3.1/",
            CvssVersion::V30 => "CVSS:3.0/",
            _ => "",
        };
        let bare = v.trim_start_matches('(').trim_end_matches(')');
        if bare.starts_with("CVSS:") || prefix.is_empty() {
            bare.to_owned()
        } else {
            format!("{prefix}{bare}")
        }
    });
    if vector.is_none() && score.is_none() {
        return None;
    }
    Some(Cvss {
        version,
        vector,
        score,
        source,
    })
}

/// Read the findings of a CycloneDX BOM.
pub fn read(value: &Value) -> Result<ScanReport, InputError> {
    let root = crate::input::root_object(value, "CycloneDX BOM", HINT)?;
    let scanners = tools(value);
    let scanner = scanners
        .first()
        .cloned()
        .unwrap_or_else(|| Scanner::new("cyclonedx", None));
    let mut components: HashMap<&str, &Value> = HashMap::new();
    let mut stack: Vec<&Value> = root.opt_array("components", HINT)?.iter().collect();
    if let Some(c) = value.pointer("/metadata/component") {
        stack.push(c);
    }
    while let Some(c) = stack.pop() {
        if let Some(r) = c.get("bom-ref").and_then(Value::as_str) {
            components.insert(r, c);
        }
        if let Some(Value::Array(nested)) = c.get("components") {
            stack.extend(nested);
        }
    }
    let mut findings = Vec::new();
    for (i, vuln) in root.opt_array("vulnerabilities", HINT)?.iter().enumerate() {
        let vp = format!("/vulnerabilities/{i}");
        let v = Obj::new(vuln, &vp);
        let id = v.req_str("id", HINT)?;
        let cvss: Vec<Cvss> = v
            .opt_array("ratings", HINT)?
            .iter()
            .filter_map(rating)
            .collect();
        let aliases: Vec<String> = v
            .opt_array("references", HINT)?
            .iter()
            .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect();
        for (a, affect) in v.opt_array("affects", HINT)?.iter().enumerate() {
            let Some(reference) = affect.get("ref").and_then(Value::as_str) else {
                return Err(InputError::missing(
                    &format!("{vp}/affects/{a}/ref"),
                    "the `ref` of an affected component",
                    HINT,
                ));
            };
            let local = reference.rsplit_once('#').map_or(reference, |(_, r)| r);
            let component = components.get(reference).or_else(|| components.get(local));
            let (name, version, purl) = match component {
                Some(c) => (
                    c.get("name")
                        .and_then(Value::as_str)
                        .unwrap_or(local)
                        .to_owned(),
                    c.get("version").and_then(Value::as_str).map(str::to_owned),
                    c.get("purl")
                        .and_then(Value::as_str)
                        .and_then(|p| crate::purl::Purl::parse(p).ok()),
                ),
                None => match crate::purl::Purl::parse(local) {
                    Ok(p) => (p.display_name(), p.version.clone(), Some(p)),
                    Err(_) => {
                        return Err(InputError::new(
                            format!("{vp}/affects/{a}/ref"),
                            "the bom-ref of a component of this BOM (or a purl)",
                            crate::input::quote(reference),
                            "keep the vulnerabilities in the BOM that lists their components",
                        ));
                    }
                },
            };
            findings.push(ScanFinding {
                id: id.to_owned(),
                aliases: aliases.clone(),
                package: name,
                version,
                purl,
                cvss: cvss.clone(),
                epss: None,
                severity: None,
                fixed_in: Vec::new(),
                scanner: scanner.clone(),
                pointer: format!("{vp}/affects/{a}"),
            });
        }
    }
    Ok(ScanReport {
        format: "CycloneDX",
        scanners: if scanners.is_empty() {
            vec![scanner]
        } else {
            scanners
        },
        findings,
    })
}
