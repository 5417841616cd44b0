//! Our SARIF output validates against the official SARIF 2.1.0 schema, and
//! the validation is real: a broken log is refused.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use ci_intel_core::findings::{Finding, Location, Report, RuleMeta, Severity, ToolInfo};
use ci_intel_core::render::{OutputFormat, render, sarif};
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let text = include_str!("data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(text).expect("schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .expect("schema compiles")
}

fn report() -> Report {
    let rules = vec![RuleMeta {
        id: "rule-a",
        title: "Rule A",
        default_severity: Severity::Medium,
        help_uri: Some("https://example.com/rule-a"),
    }];
    let findings = vec![
        Finding::new(
            "rule-a",
            Severity::Critical,
            "with a full region",
            Some(Location {
                file: "src/a.rs".into(),
                line: Some(3),
                column: Some(5),
                end_line: Some(4),
                end_column: Some(1),
            }),
            "a",
        )
        .with_fix("do b"),
        Finding::new(
            "rule-a",
            Severity::Info,
            "file only",
            Some(Location::file("b.yml")),
            "b",
        ),
        Finding::new("undeclared", Severity::Low, "no location", None, "c"),
    ];
    Report::new(ToolInfo::new("ci-intel-test", "1.2.3"), rules, findings)
}

#[test]
fn sarif_output_validates_against_the_2_1_0_schema() {
    let validator = validator();
    let log: Value = serde_json::from_str(&render(&report(), OutputFormat::Sarif)).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn an_empty_report_is_valid_sarif_too() {
    let empty = Report::new(ToolInfo::new("t", "0.0.1"), vec![], vec![]);
    assert!(validator().is_valid(&sarif(&empty)));
}

#[test]
fn the_schema_check_rejects_broken_logs() {
    let validator = validator();
    let mut log = sarif(&report());
    log["version"] = Value::String("2.0.0".into());
    assert!(!validator.is_valid(&log), "wrong version must fail");

    let mut log = sarif(&report());
    let located = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .position(|r| r["locations"][0]["physicalLocation"]["region"].is_object())
        .expect("a result with a region");
    log["runs"][0]["results"][located]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(!validator.is_valid(&log), "startLine 0 must fail");

    let mut log = sarif(&report());
    log["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    assert!(!validator.is_valid(&log), "unknown level must fail");
}
