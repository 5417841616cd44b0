#![allow(clippy::unwrap_used)]
//! The `tests` gate of `ci-intel check`: a plain repository skips it, an
//! expired quarantine entry denies, a malformed quarantine list is a
//! configuration error, and a configured mutation threshold judges the
//! configured report.

use ci_intel::check::{GateStatus, check, table};
use ci_intel_core::ExitCode;

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn tests_gate(outcome: &ci_intel::check::CheckOutcome) -> &ci_intel::check::GateResult {
    outcome.gates.iter().find(|g| g.id == "tests").unwrap()
}

const REPORT: &str = r#"{"schemaVersion":"2","thresholds":{"high":80,"low":60},"files":{"src/a.js":{"language":"javascript","source":"","mutants":[
  {"id":"1","mutatorName":"EqualityOperator","location":{"start":{"line":1,"column":1},"end":{"line":1,"column":2}},"status":"Killed"},
  {"id":"2","mutatorName":"EqualityOperator","location":{"start":{"line":2,"column":1},"end":{"line":2,"column":2}},"status":"Survived"}]}}}"#;

#[test]
fn a_plain_repository_skips_the_tests_gate() {
    let dir = repo(&[("README.md", "# nothing to see\n")]);
    let outcome = check(dir.path(), None, false);
    let gate = tests_gate(&outcome);
    assert_eq!(gate.status, GateStatus::Skip, "{}", table(&outcome));
    assert!(
        gate.checked.contains("tests.allow_empty: true"),
        "{}",
        gate.checked
    );
    assert_eq!(outcome.exit, ExitCode::Pass);
}

#[test]
fn an_expired_quarantine_entry_denies() {
    let dir = repo(&[(
        ".ci-intel/quarantine.yml",
        "version: 1\nquarantine:\n  - test: \"app::t\"\n    owner: \"@team\"\n    reason: \"#1\"\n    expires: 2020-01-01\n",
    )]);
    let outcome = check(dir.path(), None, false);
    let gate = tests_gate(&outcome);
    assert_eq!(gate.status, GateStatus::Deny, "{}", table(&outcome));
    assert_eq!(gate.findings[0].rule_id, "quarantine-expired");
    assert_eq!(gate.inputs[0].path, ".ci-intel/quarantine.yml");
    assert_eq!(outcome.exit, ExitCode::Deny);
}

#[test]
fn a_malformed_quarantine_list_is_a_configuration_error() {
    let dir = repo(&[(
        ".ci-intel/quarantine.yml",
        "version: 1\nquarantine: [{test: a}]\n",
    )]);
    let outcome = check(dir.path(), None, false);
    assert_eq!(
        tests_gate(&outcome).status,
        GateStatus::Error(ExitCode::Usage),
        "{}",
        table(&outcome)
    );
    assert_eq!(outcome.exit, ExitCode::Usage);
}

#[test]
fn a_mutation_threshold_judges_the_configured_report() {
    let dir = repo(&[
        ("reports/mutation.json", REPORT),
        (
            ".ci-intel/config.yml",
            "tests:\n  mutation:\n    reports: [reports/mutation.json]\n    fail_below: 75\n",
        ),
    ]);
    let outcome = check(dir.path(), None, false);
    let gate = tests_gate(&outcome);
    assert_eq!(gate.status, GateStatus::Deny, "{}", table(&outcome));
    assert!(
        gate.checked
            .contains("mutation: score 50.00 % of 2 mutant(s)"),
        "{}",
        gate.checked
    );
    assert!(
        gate.findings
            .iter()
            .any(|f| f.rule_id == "mutation-score-low")
    );
    // An org lock keeps a repository from lowering the threshold.
    let org = dir.path().join("org.yml");
    std::fs::write(
        &org,
        "tests:\n  mutation:\n    fail_below: 90\nlock: [tests.mutation.fail_below]\n",
    )
    .unwrap();
    let outcome = check(dir.path(), Some(&org), false);
    assert_eq!(outcome.exit, ExitCode::Usage, "{}", table(&outcome));
}
