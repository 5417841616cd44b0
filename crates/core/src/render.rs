//! Renderers for a [`Report`]: `human`, `json`, `sarif` (2.1.0) and `github`
//! (workflow-command annotations).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::commands::WorkflowCommand;
use crate::findings::{Finding, Report, Severity};

/// The output formats every tool accepts with `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Readable lines for a terminal.
    Human,
    /// The report as JSON (`{"tool":..,"findings":[..]}`).
    Json,
    /// SARIF 2.1.0, uploadable to GitHub code scanning.
    Sarif,
    /// GitHub workflow-command annotations (`::error file=..::`).
    Github,
}

/// Render a report in the chosen format. The result ends with a newline.
pub fn render(report: &Report, format: OutputFormat) -> String {
    match format {
        OutputFormat::Human => human(report),
        OutputFormat::Json => {
            let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
            text.push('\n');
            text
        }
        OutputFormat::Sarif => {
            let mut text = serde_json::to_string_pretty(&sarif(report)).unwrap_or_default();
            text.push('\n');
            text
        }
        OutputFormat::Github => github(report),
    }
}

fn human(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let place = finding
            .location
            .as_ref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        // Continuation lines are indented so each finding stays one block.
        let message = finding.message.replace('\n', "\n    ");
        let _ = writeln!(
            out,
            "{place}{} [{}] {message}",
            finding.severity, finding.rule_id
        );
        if let Some(fix) = &finding.fix_hint {
            let _ = writeln!(out, "  fix: {fix}");
        }
    }
    let mut counts: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
    for finding in &report.findings {
        *counts
            .entry(std::cmp::Reverse(finding.severity))
            .or_default() += 1;
    }
    if counts.is_empty() {
        let _ = writeln!(out, "{}: no findings", report.tool.name);
    } else {
        let parts: Vec<String> = counts
            .iter()
            .map(|(sev, n)| format!("{n} {}", sev.0))
            .collect();
        let _ = writeln!(
            out,
            "{}: {} finding(s): {}",
            report.tool.name,
            report.findings.len(),
            parts.join(", ")
        );
    }
    out
}

/// The SARIF 2.1.0 log for a report.
pub fn sarif(report: &Report) -> Value {
    // Rules seen in findings but not declared still get a descriptor, so that
    // every result's ruleIndex points somewhere valid.
    let mut rule_ids: Vec<String> = report.rules.iter().map(|r| r.id.to_owned()).collect();
    for finding in &report.findings {
        if !rule_ids.contains(&finding.rule_id) {
            rule_ids.push(finding.rule_id.clone());
        }
    }
    let rules: Vec<Value> = rule_ids
        .iter()
        .map(|id| {
            let meta = report.rules.iter().find(|r| r.id == id);
            let mut rule = json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": meta.map(|m| m.title).unwrap_or(id) },
            });
            if let Some(meta) = meta {
                rule["defaultConfiguration"] =
                    json!({ "level": meta.default_severity.sarif_level() });
                rule["properties"] =
                    json!({ "security-severity": meta.default_severity.security_severity() });
                if let Some(uri) = meta.help_uri {
                    rule["helpUri"] = json!(uri);
                }
            }
            rule
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| sarif_result(f, rule_ids.iter().position(|id| *id == f.rule_id)))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": report.tool.name,
                    "version": report.tool.version,
                    "semanticVersion": report.tool.version,
                    "informationUri": report.tool.information_uri,
                    "rules": rules,
                }
            },
            "originalUriBaseIds": {
                "%SRCROOT%": { "description": { "text": "The repository root." } }
            },
            "results": results,
        }]
    })
}

fn sarif_result(finding: &Finding, rule_index: Option<usize>) -> Value {
    let mut message = finding.message.clone();
    if let Some(fix) = &finding.fix_hint {
        message.push_str("\nFix: ");
        message.push_str(fix);
    }
    let mut result = json!({
        "ruleId": finding.rule_id,
        "level": finding.severity.sarif_level(),
        "message": { "text": message },
        "partialFingerprints": { "ciIntelFingerprint/v1": finding.fingerprint },
        "properties": {
            "severity": finding.severity.as_str(),
            "confidence": finding.confidence,
        },
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if let Some(location) = &finding.location {
        let mut physical = json!({
            "artifactLocation": { "uri": location.file, "uriBaseId": "%SRCROOT%" }
        });
        if let Some(line) = location.line {
            let mut region = json!({ "startLine": line });
            if let Some(col) = location.column {
                region["startColumn"] = json!(col);
            }
            if let Some(end) = location.end_line {
                region["endLine"] = json!(end);
            }
            if let Some(end) = location.end_column {
                region["endColumn"] = json!(end);
            }
            physical["region"] = region;
        }
        result["locations"] = json!([{ "physicalLocation": physical }]);
    }
    result
}

fn github(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let level = match finding.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "notice",
        };
        let mut message = finding.message.clone();
        if let Some(fix) = &finding.fix_hint {
            message.push_str("\nFix: ");
            message.push_str(fix);
        }
        let mut command = WorkflowCommand::new(level, message);
        if let Some(loc) = &finding.location {
            command = command.property("file", loc.file.clone());
            for (key, value) in [
                ("line", loc.line),
                ("col", loc.column),
                ("endLine", loc.end_line),
                ("endColumn", loc.end_column),
            ] {
                if let Some(value) = value {
                    command = command.property(key, value.to_string());
                }
            }
        }
        command = command.property(
            "title",
            format!("{} ({})", finding.rule_id, finding.severity),
        );
        out.push_str(&command.render());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Location, RuleMeta, ToolInfo};

    pub(crate) fn sample_report() -> Report {
        let rules = vec![RuleMeta {
            id: "unpinned-hub-ref",
            title: "Hub reference is not pinned to a full commit SHA",
            default_severity: Severity::High,
            help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/doctor.md"),
        }];
        let findings = vec![
            Finding::new(
                "unpinned-hub-ref",
                Severity::High,
                "acme/ci-intel is referenced by `@main`, a branch",
                Some(Location {
                    file: ".github/workflows/ci,1.yml".into(),
                    line: Some(12),
                    column: Some(11),
                    end_line: Some(12),
                    end_column: Some(60),
                }),
                "acme/ci-intel@main",
            )
            .with_fix("pin to the 40-hex commit SHA with a `# vX.Y.Z` comment"),
            Finding::new(
                "no-location",
                Severity::Low,
                "100% odd\nsecond line",
                None,
                "x",
            ),
        ];
        Report::new(ToolInfo::new("ci-intel-test", "0.1.0"), rules, findings)
    }

    #[test]
    fn human_output_snapshot() {
        insta::assert_snapshot!(render(&sample_report(), OutputFormat::Human));
    }

    #[test]
    fn json_output_snapshot() {
        insta::assert_snapshot!(render(&sample_report(), OutputFormat::Json));
    }

    #[test]
    fn github_output_escapes_and_snapshot() {
        let text = render(&sample_report(), OutputFormat::Github);
        assert!(text.lines().all(|l| l.starts_with("::")), "{text}");
        assert!(text.contains("file=.github/workflows/ci%2C1.yml"));
        assert!(text.contains("100%25 odd%0Asecond line"));
        insta::assert_snapshot!(text);
    }

    #[test]
    fn sarif_has_fingerprints_and_rule_indexes() {
        let log = sarif(&sample_report());
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        for result in results {
            assert!(
                result["partialFingerprints"]["ciIntelFingerprint/v1"]
                    .as_str()
                    .is_some_and(|fp| fp.len() == 32)
            );
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(
                log["runs"][0]["tool"]["driver"]["rules"][index]["id"],
                result["ruleId"]
            );
        }
        insta::assert_json_snapshot!(log);
    }
}
