//! `ci-intel-policy audit` end to end: formats, exit codes, empty input,
//! configuration errors, and a broken file among good ones.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use predicates::prelude::*;

#[path = "support/cli.rs"]
mod cli;
use cli::audit;

const SHA: &str = "3d3c42e5aac5ba805825da76410c181273ba90b1";

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn clean_workflow() -> String {
    format!(
        "name: ci\non: push\npermissions: {{}}\nconcurrency:\n  group: ci\n  cancel-in-progress: true\njobs:\n  build:\n    name: build\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n      - uses: actions/checkout@{SHA} # v7.0.1\n        with:\n          persist-credentials: false\n"
    )
}

#[test]
fn a_clean_repository_passes_even_pedantic() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/ci.yml", &clean_workflow());
    audit(dir.path())
        .args([".", "--persona", "pedantic"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no findings"));
}

#[test]
fn json_has_flat_findings_with_positions_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n",
    );
    let out = audit(dir.path())
        .args(["--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let first = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "unpinned-uses")
        .unwrap();
    assert_eq!(first["file"], ".github/workflows/ci.yml");
    assert_eq!(first["line"], 7);
    assert_eq!(first["column"], 15);
    assert_eq!(first["severity"], "high");
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .contains("actions/checkout@v4")
    );
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(json["summary"]["verdict"], "deny");
    assert_eq!(json["summary"]["by_rule"]["unpinned-uses"], 1);
    assert_eq!(json["summary"]["by_rule"]["floating-ref"], 1);
}

#[test]
fn sarif_and_github_formats() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ok\n",
    );
    let out = audit(dir.path())
        .args(["--format", "sarif", "--sarif-output", "copy.sarif"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let sarif: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "excessive-permissions");
    // The single job without `permissions:` (`build:`, line 3); the
    // workflow-level finding is pedantic for a single-job workflow.
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert_eq!(
        std::fs::read(dir.path().join("copy.sarif")).unwrap(),
        out,
        "--sarif-output writes the same log"
    );
    audit(dir.path())
        .args(["--format", "github"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "::warning file=.github/workflows/ci.yml,line=3,col=3",
        ));
}

#[test]
fn a_broken_file_is_a_finding_and_the_others_are_still_audited() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".github/workflows/a-broken.yml",
        "on: push\njobs: [\n",
    );
    write(
        dir.path(),
        ".github/workflows/b-bad.yml",
        "on: pull_request_target\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo\n",
    );
    write(dir.path(), ".github/workflows/c-binary.yml", "\u{0}\u{ff}");
    std::fs::write(
        dir.path().join(".github/workflows/d-latin1.yml"),
        [0x6f, 0xe9, 0x0a],
    )
    .unwrap();
    let out = audit(dir.path())
        .args(["--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let rules: Vec<(&str, &str)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["file"].as_str().unwrap(), f["rule"].as_str().unwrap()))
        .collect();
    assert!(
        rules.contains(&(".github/workflows/a-broken.yml", "parse-error")),
        "{rules:?}"
    );
    assert!(
        rules.contains(&(".github/workflows/b-bad.yml", "dangerous-triggers")),
        "{rules:?}"
    );
    assert!(
        rules.contains(&(".github/workflows/c-binary.yml", "parse-error")),
        "{rules:?}"
    );
    assert!(
        rules.contains(&(".github/workflows/d-latin1.yml", "parse-error")),
        "{rules:?}"
    );
    assert_eq!(json["summary"]["files"], 4);
}

#[test]
fn nothing_to_audit_is_a_denial_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".github")).unwrap();
    audit(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing was checked"));
    audit(dir.path()).arg("--allow-empty").assert().code(0);
}

#[test]
fn missing_paths_and_bad_configs_are_usage_errors_that_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/ci.yml", &clean_workflow());
    audit(dir.path())
        .arg("no/such/dir")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/dir"));
    write(
        dir.path(),
        ".ci-intel/config.yml",
        "policy:\n  rules:\n    unpined-uses:\n      enabled: false\n",
    );
    audit(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(".ci-intel/config.yml:3"))
        .stderr(predicate::str::contains("did you mean `unpinned-uses`?"));
    write(
        dir.path(),
        ".ci-intel/config.yml",
        "policy:\n  trigger_allowlist:\n    - path: x.yml\n      reason: r\n      owner: o\n      expires: 2026-13-45\n",
    );
    audit(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "policy.trigger_allowlist[0].expires",
        ));
}

#[test]
fn config_turns_rules_off_and_overrides_severity() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ok\n",
    );
    write(
        dir.path(),
        "strict.yml",
        "policy:\n  rules:\n    excessive-permissions:\n      severity: critical\n",
    );
    audit(dir.path())
        .args(["--config", "strict.yml"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("critical [excessive-permissions]"));
    write(
        dir.path(),
        "off.yml",
        "policy:\n  rules:\n    excessive-permissions:\n      enabled: false\n",
    );
    audit(dir.path())
        .args(["--config", "off.yml"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no findings"));
}

#[test]
fn a_locked_pedantic_persona_cannot_be_loosened_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/ci.yml", &clean_workflow());
    write(
        dir.path(),
        "org.yml",
        "policy:\n  persona: pedantic\nlock: [policy.persona]\n",
    );
    audit(dir.path())
        .args(["--org-policy", "org.yml", "--persona", "regular"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("locked"));
    write(
        dir.path(),
        ".ci-intel/config.yml",
        "policy:\n  persona: regular\n",
    );
    audit(dir.path())
        .args(["--org-policy", "org.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("policy.persona"));
}

#[test]
fn a_folder_of_workflow_files_and_single_files_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "flat/one.yml", &clean_workflow());
    write(dir.path(), "flat/two.yaml", &clean_workflow());
    write(
        dir.path(),
        "actions/x/action.yml",
        "name: x\ndescription: x\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: echo \"${{ inputs.x }}\"\n",
    );
    audit(dir.path())
        .args(["flat", "--format", "json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"files\": 2"));
    audit(dir.path())
        .args(["actions"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "actions/x/action.yml:7:18: high [template-injection]",
        ));
}

#[test]
fn runner_outputs_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/ci.yml", &clean_workflow());
    let out = dir.path().join("out");
    let summary = dir.path().join("summary");
    audit(dir.path())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &out)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["--format", "github"])
        .assert()
        .code(0);
    let outputs =
        ci_intel_core::runner::parse_key_value_file(&std::fs::read_to_string(out).unwrap())
            .unwrap();
    assert_eq!(outputs["result"], "allow");
    assert_eq!(outputs["findings"], "0");
    assert_eq!(outputs["files"], "1");
    assert!(
        std::fs::read_to_string(summary)
            .unwrap()
            .contains("ci-intel policy audit")
    );
}

#[test]
fn a_pre_commit_config_is_discovered_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/ci.yml", &clean_workflow());
    write(
        dir.path(),
        ".pre-commit-config.yaml",
        "repos:\n  - repo: git://github.com/pre-commit/pre-commit-hooks\n    rev: v4.6.0\n    hooks:\n      - id: check-yaml\n",
    );
    audit(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            ".pre-commit-config.yaml:2:11: high [insecure-url-scheme]",
        ));
    write(
        dir.path(),
        ".pre-commit-config.yaml",
        "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.6.0\n    hooks:\n      - id: check-yaml\n",
    );
    audit(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no findings"));
}

#[test]
fn forbidden_uses_and_cooldown_settings_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/ci.yml", &clean_workflow());
    for (config, key) in [
        (
            "policy:\n  forbidden_uses:\n    allow: [\"*/*\"]\n",
            "policy.forbidden_uses.allow[0]",
        ),
        (
            "policy:\n  forbidden_uses:\n    deny: [\"a/b/*@v1\"]\n",
            "policy.forbidden_uses.deny[0]",
        ),
        (
            "policy:\n  forbidden_uses:\n    mystery: [\"actions/*\"]\n",
            "policy.forbidden_uses.mystery",
        ),
        (
            "policy:\n  dependabot_cooldown:\n    days: 0\n",
            "policy.dependabot_cooldown.days",
        ),
        (
            "policy:\n  dependabot_cooldown:\n    days: lol\n",
            "policy.dependabot_cooldown.days",
        ),
    ] {
        write(dir.path(), ".ci-intel/config.yml", config);
        audit(dir.path())
            .assert()
            .code(2)
            .stderr(predicate::str::contains(key));
    }
    write(
        dir.path(),
        ".ci-intel/config.yml",
        "policy:\n  forbidden_uses:\n    allow: [\"github/*\"]\n",
    );
    audit(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("[forbidden-uses]"));
    write(
        dir.path(),
        ".ci-intel/config.yml",
        "policy:\n  forbidden_uses:\n    allow: [\"actions/checkout\"]\n",
    );
    audit(dir.path()).assert().code(0);
}
