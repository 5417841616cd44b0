//! What we write validates against the schemas we publish in
//! `schemas/evidence/`, and the validation is real: broken documents fail.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::time::{Instant, SystemTime};

use serde_json::Value;

use ci_intel_core::config::{Sections, load_from_texts};
use ci_intel_core::gate::{GateResult, GateStatus, Input};
use ci_intel_core::{Finding, Location, Severity};
use ci_intel_evidence::statement::{self, RunContext, ToolRef};

fn validator(text: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(text).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn statement_value(status: GateStatus) -> Value {
    let loaded = load_from_texts(None, None, &Sections::partial([])).unwrap();
    let mut result = GateResult::bare(
        "policy",
        "policy",
        status,
        "3 files",
        (SystemTime::now(), Instant::now()),
    );
    result.inputs = vec![Input {
        path: "a.yml".into(),
        sha256: "ab".repeat(32),
    }];
    result.subjects = vec![Input {
        path: "dist/app.tar.gz".into(),
        sha256: "cd".repeat(32),
    }];
    result.findings = (0..205)
        .map(|i| {
            Finding::new(
                "rule",
                Severity::Low,
                "m",
                Some(Location::at("a.yml", i + 1, None)),
                &i.to_string(),
            )
        })
        .collect();
    let run = RunContext {
        commit: "0123456789abcdef0123456789abcdef01234567".into(),
        repository: "https://github.com/acme/app".into(),
        tool: ToolRef {
            name: "ci-intel".into(),
            version: "0.1.0".into(),
        },
        config_digest: loaded.digest(),
        layers: vec!["hub defaults".into()],
        effective: loaded.effective,
    };
    serde_json::to_value(statement::gate_statement(&result, &run)).unwrap()
}

#[test]
fn gate_statements_validate_for_every_status() {
    let validator = validator(statement::GATE_STATEMENT_SCHEMA);
    for status in [
        GateStatus::Pass,
        GateStatus::Warn,
        GateStatus::Deny,
        GateStatus::Skip,
        GateStatus::Error(ci_intel_core::ExitCode::Infra),
    ] {
        let value = statement_value(status);
        assert_eq!(
            errors(&validator, &value),
            Vec::<String>::new(),
            "{status:?}"
        );
        assert_eq!(
            value["predicate"]["findings"]["listed"]
                .as_array()
                .unwrap()
                .len(),
            200
        );
        assert_eq!(value["predicate"]["findings"]["omitted"], 5);
    }
}

#[test]
fn the_schema_rejects_broken_statements() {
    let validator = validator(statement::GATE_STATEMENT_SCHEMA);
    let good = statement_value(GateStatus::Pass);
    let mut broken = Vec::new();
    let mut v = good.clone();
    v["subject"][0]["digest"]["gitCommit"] = "main".into();
    broken.push(v);
    let mut v = good.clone();
    v["predicate"]["verdict"] = "allowed".into();
    broken.push(v);
    let mut v = good.clone();
    v["predicateType"] = "https://slsa.dev/provenance/v1".into();
    broken.push(v);
    let mut v = good.clone();
    v["predicate"].as_object_mut().unwrap().remove("inputs");
    broken.push(v);
    let mut v = good.clone();
    v["predicate"]["finishedOn"] = "yesterday".into();
    broken.push(v);
    let mut v = good;
    v["predicate"]["config"]["digest"] = "abc".into();
    broken.push(v);
    for value in broken {
        assert!(!validator.is_valid(&value), "accepted: {value}");
    }
}

#[test]
fn the_manifest_schema_accepts_our_manifests() {
    let validator = validator(include_str!(
        "../../../schemas/evidence/manifest.v1.schema.json"
    ));
    let files: ci_intel_evidence::bundle::Files = [
        ("gates/policy.intoto.json".to_owned(), b"x".to_vec()),
        ("memo.md".to_owned(), b"# memo".to_vec()),
    ]
    .into_iter()
    .collect();
    let manifest = ci_intel_evidence::bundle::manifest_of(
        &files,
        "v1.2.3",
        &"5a".repeat(32),
        "0123456789abcdef0123456789abcdef01234567",
        "2030-01-02T03:04:05Z",
    );
    let value = serde_json::to_value(&manifest).unwrap();
    assert_eq!(errors(&validator, &value), Vec::<String>::new());
    let mut bad = value;
    bad["files"][0]["path"] = "/etc/passwd".into();
    assert!(!validator.is_valid(&bad));
}
