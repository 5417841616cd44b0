//! SARIF 2.1.0 from grype and trivy. SARIF has no package field: trivy
//! writes `Package:` and `Installed Version:` lines in each result's
//! message, grype in each rule's help text (its rule ids are
//! `<vulnerability>-<package>`). SARIF carries no CVSS vector; the rule's
//! `security-severity` is taken as the CVSS base score of unknown version.

use serde_json::Value;

use super::{Cvss, CvssVersion, ScanFinding, ScanReport, Scanner};
use crate::input::{InputError, Obj};

const HINT: &str =
    "pass grype's or trivy's SARIF output (grype -o sarif, trivy --format sarif) unchanged";

fn line_value<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Read the results of every run.
pub fn read(value: &Value) -> Result<ScanReport, InputError> {
    let root = crate::input::root_object(value, "SARIF log", HINT)?;
    let mut findings = Vec::new();
    let mut scanners = Vec::new();
    for (r, run) in root.opt_array("runs", HINT)?.iter().enumerate() {
        let rp = format!("/runs/{r}");
        let driver = run.pointer("/tool/driver").unwrap_or(&Value::Null);
        let name = driver
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("sarif");
        let scanner = Scanner::new(
            &name.to_ascii_lowercase(),
            driver
                .get("semanticVersion")
                .or_else(|| driver.get("version"))
                .and_then(Value::as_str),
        );
        scanners.push(scanner.clone());
        let rules = driver.get("rules").and_then(Value::as_array);
        let run_obj = Obj::new(run, &rp);
        for (i, result) in run_obj.opt_array("results", HINT)?.iter().enumerate() {
            let pointer = format!("{rp}/results/{i}");
            let res = Obj::new(result, &pointer);
            let rule_id = res.req_str("ruleId", HINT)?;
            let rule = rules.and_then(|rules| {
                result
                    .get("ruleIndex")
                    .and_then(Value::as_u64)
                    .and_then(|i| rules.get(usize::try_from(i).ok()?))
                    .filter(|r| r.get("id").and_then(Value::as_str) == Some(rule_id))
                    .or_else(|| {
                        rules
                            .iter()
                            .find(|r| r.get("id").and_then(Value::as_str) == Some(rule_id))
                    })
            });
            let message = result
                .pointer("/message/text")
                .and_then(Value::as_str)
                .unwrap_or("");
            let help = rule
                .and_then(|r| r.pointer("/help/text"))
                .and_then(Value::as_str)
                .unwrap_or("");
            // trivy: the result's message; grype: the rule's help.
            let package = line_value(message, "Package:").or_else(|| line_value(help, "Package:"));
            let version =
                line_value(message, "Installed Version:").or_else(|| line_value(help, "Version:"));
            let Some(package) = package else {
                return Err(InputError::new(
                    format!("{pointer}/message/text"),
                    "a `Package:` line (trivy) or a rule whose help has `Package:` (grype)",
                    crate::input::quote(message),
                    "use grype's or trivy's own SARIF output; SARIF from other tools names no package",
                ));
            };
            let id = line_value(help, "Vulnerability")
                .or_else(|| line_value(message, "Vulnerability"))
                .map(|v| v.split_whitespace().next().unwrap_or(v))
                .unwrap_or(rule_id);
            let score = rule
                .and_then(|r| r.pointer("/properties/security-severity"))
                .and_then(|s| match s {
                    Value::String(t) => t.parse::<f64>().ok(),
                    other => other.as_f64(),
                });
            findings.push(ScanFinding {
                id: id.to_owned(),
                aliases: Vec::new(),
                package: package.to_owned(),
                version: version.map(str::to_owned),
                purl: None,
                cvss: score
                    .map(|s| Cvss {
                        version: CvssVersion::Unknown,
                        vector: None,
                        score: Some(s),
                        source: "sarif security-severity".to_owned(),
                    })
                    .into_iter()
                    .collect(),
                epss: None,
                severity: line_value(message, "Severity:").map(str::to_owned),
                fixed_in: Vec::new(),
                scanner: scanner.clone(),
                pointer,
            });
        }
    }
    Ok(ScanReport {
        format: "SARIF",
        scanners,
        findings,
    })
}
