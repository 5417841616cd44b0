//! osv-scanner's JSON report (`osv-scanner --format json`):
//! `results[].packages[]` with the package (name, version, ecosystem) and
//! its OSV records (`id`, `aliases`, `severity[]` vectors).

use serde_json::Value;

use super::{Cvss, ScanFinding, ScanReport, Scanner};
use crate::input::{InputError, Obj};

const HINT: &str = "pass the report of `osv-scanner --format json` unchanged";

/// Read an osv-scanner JSON report.
pub fn read(value: &Value) -> Result<ScanReport, InputError> {
    let root = crate::input::root_object(value, "osv-scanner report", HINT)?;
    // osv-scanner's JSON does not carry its version.
    let scanner = Scanner::new("osv-scanner", None);
    let mut findings = Vec::new();
    for (r, result) in root.opt_array("results", HINT)?.iter().enumerate() {
        let rp = format!("/results/{r}");
        let result = Obj::new(result, &rp);
        for (p, package) in result.opt_array("packages", HINT)?.iter().enumerate() {
            let pp = format!("{rp}/packages/{p}");
            let pkg = Obj::new(package, &pp);
            let info_value = pkg.get("package").ok_or_else(|| {
                InputError::missing(&pkg.at("package"), "the package object", HINT)
            })?;
            let info_p = pkg.at("package");
            let info = Obj::new(info_value, &info_p);
            let name = info.req_str("name", HINT)?;
            let version = info.opt_str("version", HINT)?;
            let ecosystem = info.opt_str("ecosystem", HINT)?.unwrap_or("");
            let purl = info
                .opt_str("purl", HINT)?
                .and_then(|p| crate::purl::Purl::parse(p).ok())
                .or_else(|| super::purl_for(ecosystem, name, version));
            for (v, vuln) in pkg.opt_array("vulnerabilities", HINT)?.iter().enumerate() {
                let vp = format!("{pp}/vulnerabilities/{v}");
                let vuln = Obj::new(vuln, &vp);
                let id = vuln.req_str("id", HINT)?;
                let aliases = vuln
                    .opt_array("aliases", HINT)?
                    .iter()
                    .filter_map(|a| a.as_str().map(str::to_owned))
                    .collect();
                let mut cvss = Vec::new();
                for sev in vuln.opt_array("severity", HINT)? {
                    let kind = sev.get("type").and_then(Value::as_str).unwrap_or("");
                    if let Some(score) = sev.get("score").and_then(Value::as_str)
                        && kind.starts_with("CVSS")
                    {
                        cvss.push(Cvss::from_vector(score, None, "osv"));
                    }
                }
                let fixed_in = vuln
                    .opt_array("affected", HINT)?
                    .iter()
                    .flat_map(|a| {
                        a.get("ranges")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                    })
                    .flat_map(|r| {
                        r.get("events")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                    })
                    .filter_map(|e| e.get("fixed").and_then(Value::as_str).map(str::to_owned))
                    .collect();
                findings.push(ScanFinding {
                    id: id.to_owned(),
                    aliases,
                    package: name.to_owned(),
                    version: version.map(str::to_owned),
                    purl: purl.clone(),
                    cvss,
                    epss: None,
                    severity: None,
                    fixed_in,
                    scanner: scanner.clone(),
                    pointer: vp,
                });
            }
        }
    }
    Ok(ScanReport {
        format: "osv-scanner JSON",
        scanners: vec![scanner],
        findings,
    })
}
