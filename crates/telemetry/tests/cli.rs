//! The `ci-intel-telemetry` binary, end to end.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn tool() -> Command {
    let mut cmd = Command::cargo_bin("ci-intel-telemetry").unwrap();
    // Never inherit the Actions environment of whoever runs the tests.
    for var in [
        "GITHUB_ACTIONS",
        "GITHUB_OUTPUT",
        "GITHUB_ENV",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_EVENT_PATH",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

#[test]
fn the_original_contract_example_fails_naming_each_defect() {
    let original = fixture("contract/pipeline_run.v1.2.example.original.json");
    let contract = fixture("contract/pipeline_run.v1.2.schema.json");
    let output = tool()
        .args(["validate", "--format", "json", "--schema"])
        .arg(&contract)
        .arg(&original)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&output).unwrap();
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("/canary: property `canary` is not allowed")),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.starts_with("/image_digest:")),
        "{messages:#?}"
    );
}

#[test]
fn the_corrected_schema_accepts_canary_but_still_rejects_the_digest_typo() {
    let original = fixture("contract/pipeline_run.v1.2.example.original.json");
    tool()
        .args(["validate"])
        .arg(&original)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("/image_digest:"))
        .stdout(predicate::str::contains("/canary").not());
}

#[test]
fn the_corrected_example_validates_against_the_corrected_schema() {
    tool()
        .arg("validate")
        .arg(repo_file("schemas/examples/pipeline_run.v1.2.example.json"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 record(s) in 1 file(s), 0 invalid: allow",
        ));
}

#[test]
fn the_corrected_example_needs_the_schema_correction() {
    // Against the contract as written, only the undeclared canary object fails.
    let contract = fixture("contract/pipeline_run.v1.2.schema.json");
    tool()
        .args(["validate", "--schema"])
        .arg(&contract)
        .arg(repo_file("schemas/examples/pipeline_run.v1.2.example.json"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("/canary"))
        .stdout(predicate::str::contains("/image_digest").not());
}

#[test]
fn ndjson_errors_carry_file_line_and_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let good =
        std::fs::read_to_string(repo_file("schemas/examples/pipeline_run.v1.2.example.json"))
            .unwrap();
    let good: serde_json::Value = serde_json::from_str(&good).unwrap();
    let mut bad = good.clone();
    bad["status"] = "green".into();
    let file = dir.path().join("runs.ndjson");
    std::fs::write(&file, format!("{good}\n{bad}\n{{truncated\n")).unwrap();
    tool()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "runs.ndjson:2: high [pipeline-run-schema] /status:",
        ))
        .stdout(predicate::str::contains(
            "runs.ndjson:3:2: high [pipeline-run-json] invalid JSON",
        ))
        .stderr(predicate::str::contains(
            "3 record(s) in 1 file(s), 2 invalid: deny",
        ));
}

#[test]
fn an_empty_file_is_denied_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("empty.ndjson");
    std::fs::write(&file, "").unwrap();
    tool()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("an empty input is not a pass"));
    tool()
        .args(["validate", "--allow-empty"])
        .arg(&file)
        .assert()
        .success();
}

#[test]
fn unreadable_input_is_exit_2_naming_the_file() {
    tool()
        .args(["validate", "/nonexistent/runs.ndjson"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/runs.ndjson"));
    tool()
        .args([
            "validate",
            "--schema",
            "/nonexistent/schema.json",
            "x.ndjson",
        ])
        .assert()
        .code(2);
    tool().args(["validate"]).assert().code(2);
    tool().args(["frobnicate"]).assert().code(2);
}

#[test]
fn validate_writes_runner_outputs_and_a_summary_inside_actions() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("output");
    let summary = dir.path().join("summary");
    tool()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["validate", "--format", "github"])
        .arg(fixture("contract/pipeline_run.v1.2.example.original.json"))
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("::error file="));
    let outputs =
        ci_intel_core::runner::parse_key_value_file(&std::fs::read_to_string(&output).unwrap())
            .unwrap();
    assert_eq!(outputs["records"], "1");
    assert_eq!(outputs["invalid"], "1");
    assert_eq!(outputs["result"], "deny");
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .contains("| 1 | 1 | 1 | deny |")
    );
}

fn actions_env(cmd: &mut Command, dir: &Path) {
    let event = dir.join("event.json");
    std::fs::write(&event, r#"{"pull_request": {"number": 77}}"#).unwrap();
    cmd.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REPOSITORY", "acme/app")
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .env("GITHUB_REF_NAME", "77/merge")
        .env("GITHUB_HEAD_REF", "feature/x")
        .env("GITHUB_RUN_ID", "123456")
        .env("GITHUB_RUN_ATTEMPT", "1")
        .env("GITHUB_JOB", "test")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_OUTPUT", dir.join("output"))
        .env("GITHUB_ENV", dir.join("env"))
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ENVIRONMENT", "github-hosted")
        .current_dir(dir);
}

#[test]
fn start_then_emit_appends_a_record_that_validates() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("junit/unit.xml"), dir.path().join("unit.xml")).unwrap();
    std::fs::create_dir_all(dir.path().join("reports/it")).unwrap();
    std::fs::copy(
        fixture("junit/integration.xml"),
        dir.path().join("reports/it/integration.xml"),
    )
    .unwrap();

    let mut start = tool();
    actions_env(&mut start, dir.path());
    start.arg("start").assert().success();
    let exported = ci_intel_core::runner::parse_key_value_file(
        &std::fs::read_to_string(dir.path().join("env")).unwrap(),
    )
    .unwrap();
    let started_at = exported["CI_INTEL_STARTED_AT"].clone();

    for _ in 0..2 {
        let mut emit = tool();
        actions_env(&mut emit, dir.path());
        emit.env("CI_INTEL_STARTED_AT", &started_at)
            .args([
                "emit",
                "--output",
                "telemetry/runs.ndjson",
                "--junit",
                "unit.xml",
                "--junit",
                "reports/**/*.xml",
                "--policy",
                "two_person=allow:two approvers",
            ])
            .assert()
            .success();
    }
    let text = std::fs::read_to_string(dir.path().join("telemetry/runs.ndjson")).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let record = &lines[0];
    assert_eq!(record["branch"], "feature/x");
    assert_eq!(record["pr"], 77);
    assert_eq!(
        record["status"], "failed",
        "a JUnit failure makes the run failed"
    );
    assert_eq!(record["tests"]["total"], 5);
    assert_eq!(record["tests"]["failed"], 1);
    assert_eq!(record["tests"]["skipped"], 1);
    assert_eq!(record["tests"]["duration_ms"], 3250);
    assert_eq!(record["policies"][0]["id"], "two_person");
    assert_eq!(record["started_at"], started_at.as_str());
    assert_eq!(
        lines[0]["run_id"], lines[1]["run_id"],
        "same attempt, same run_id"
    );

    let outputs = ci_intel_core::runner::parse_key_value_file(
        &std::fs::read_to_string(dir.path().join("output")).unwrap(),
    )
    .unwrap();
    assert_eq!(outputs["run-id"], record["run_id"].as_str().unwrap());

    tool()
        .arg("validate")
        .arg(dir.path().join("telemetry/runs.ndjson"))
        .assert()
        .success();
}

#[test]
fn emit_refuses_a_junit_pattern_that_matches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut emit = tool();
    actions_env(&mut emit, dir.path());
    emit.env("CI_INTEL_STARTED_AT", "2025-01-01T00:00:00Z")
        .args([
            "emit",
            "--output",
            "runs.ndjson",
            "--junit",
            "missing/*.xml",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`missing/*.xml` matched no file"));
    assert!(!dir.path().join("runs.ndjson").exists());
}

#[test]
fn emit_refuses_broken_junit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.xml"), "<testsuite><testcase>").unwrap();
    let mut emit = tool();
    actions_env(&mut emit, dir.path());
    emit.env("CI_INTEL_STARTED_AT", "2025-01-01T00:00:00Z")
        .args(["emit", "--output", "runs.ndjson", "--junit", "bad.xml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.xml"));
}

#[test]
fn migrate_is_idempotent_and_its_output_validates() {
    let dir = tempfile::tempdir().unwrap();
    let once = dir.path().join("once.ndjson");
    let twice = dir.path().join("twice.ndjson");
    tool()
        .arg("migrate")
        .arg(fixture("v1.1/runs.ndjson"))
        .arg("--output")
        .arg(&once)
        .assert()
        .success();
    tool()
        .arg("migrate")
        .arg(&once)
        .arg("--output")
        .arg(&twice)
        .assert()
        .success();
    let a = std::fs::read_to_string(&once).unwrap();
    assert_eq!(a, std::fs::read_to_string(&twice).unwrap());
    for line in a.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(record["schema"], "pipeline_run.v1.2");
        assert_eq!(record["flakiness_index"], 0.02);
        assert!(
            record["tests"]["resilience"]
                .get("flakiness_index")
                .is_none()
        );
        assert_eq!(record["policies"], serde_json::json!([]));
    }
    tool().arg("validate").arg(&once).assert().success();
}

#[test]
fn migrate_in_place_rewrites_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("runs.ndjson");
    std::fs::copy(fixture("v1.1/runs.ndjson"), &file).unwrap();
    tool()
        .args(["migrate", "--in-place"])
        .arg(&file)
        .assert()
        .success();
    tool().arg("validate").arg(&file).assert().success();
}

#[test]
fn migrate_refuses_unknown_versions() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("runs.ndjson");
    std::fs::write(&file, "{\"schema\":\"pipeline_run.v0.9\"}\n").unwrap();
    tool()
        .arg("migrate")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("runs.ndjson:1: /schema"));
}

fn synth_cli(seed: &str, path: &Path) {
    tool()
        .args([
            "synth", "--seed", seed, "--runs", "600", "--repos", "3", "--output",
        ])
        .arg(path)
        .assert()
        .success();
}

#[test]
fn synth_with_the_same_seed_writes_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    synth_cli("42", &a);
    synth_cli("42", &b);
    synth_cli("43", &c);
    let (a, b, c) = (
        std::fs::read(a).unwrap(),
        std::fs::read(b).unwrap(),
        std::fs::read(c).unwrap(),
    );
    assert_eq!(a.iter().filter(|x| **x == b'\n').count(), 600);
    assert_eq!(a, b, "the same seed must give the same bytes");
    assert_ne!(a, c, "another seed must give other records");
    // Standard output gives the same bytes as --output.
    let out = tool()
        .args(["synth", "--seed", "42", "--runs", "600", "--repos", "3"])
        .output()
        .unwrap();
    assert_eq!(out.stdout, a);
}

#[test]
fn ingest_then_dora_health_and_report_from_the_default_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("runs.ndjson");
    synth_cli("9", &data);
    let run = |args: &[&str]| {
        let mut cmd = tool();
        cmd.current_dir(dir.path()).args(args);
        cmd
    };
    run(&["ingest", "runs.ndjson"])
        .assert()
        .success()
        .stderr(predicate::str::contains("600 inserted"));
    assert!(dir.path().join(".ci-intel/telemetry.db").exists());
    // Again: nothing new, still a pass.
    run(&["ingest", "runs.ndjson"])
        .assert()
        .success()
        .stderr(predicate::str::contains("0 inserted, 600 already loaded"));
    let out = run(&["dora", "--until", "2026-01-01", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let dora: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(dora["overall"]["deployments"].as_u64().unwrap() > 10);
    assert_eq!(dora["repos"].as_array().unwrap().len(), 3);
    run(&["dora", "--until", "2026-01-01"])
        .assert()
        .success()
        .stdout(predicate::str::contains("all repositories"));
    let out = run(&["health", "--until", "2026-01-01", "--format", "json"])
        .output()
        .unwrap();
    let health: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(health["overall"]["runs"], 600);
    run(&[
        "report",
        "--until",
        "2026-01-01",
        "--html",
        "out/report.html",
        "--markdown",
        "-",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains("```mermaid\nxychart-beta"));
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(html.starts_with("<!doctype html>") && html.contains("<svg"));
    // Outside the data: a hint, not an error.
    run(&["health", "--until", "2030-01-01", "--since", "30d"])
        .assert()
        .success()
        .stderr(predicate::str::contains("the newest run ended"));
}

#[test]
fn ingest_rejects_an_invalid_file_whole_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.ndjson");
    std::fs::write(&bad, "{\"schema\": \"pipeline_run.v1.2\"}\n").unwrap();
    tool()
        .current_dir(dir.path())
        .args(["ingest", "bad.ndjson", "--store", "t.db"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.ndjson:1: /: "))
        .stderr(predicate::str::contains("nothing of this file was loaded"));
}

#[test]
fn query_commands_never_create_a_store() {
    let dir = tempfile::tempdir().unwrap();
    tool()
        .current_dir(dir.path())
        .args(["dora"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no telemetry store at .ci-intel/telemetry.db",
        ));
    assert!(!dir.path().join(".ci-intel").exists());
    tool()
        .args(["dora", "--store", "mysql://x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown scheme `mysql`"));
}

#[test]
fn schema_prints_ddl_and_the_bigquery_schema() {
    let out = tool().args(["schema", "--bigquery"]).output().unwrap();
    assert!(out.status.success());
    let fields: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        fields
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "run_id")
    );
    tool()
        .args(["schema", "--dialect", "postgres"])
        .assert()
        .success()
        .stdout(predicate::str::contains("DOUBLE PRECISION"));
}
