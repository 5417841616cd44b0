//! The `ci-intel` binary, end to end.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

fn ci_intel() -> Command {
    let mut cmd = Command::cargo_bin("ci-intel").unwrap();
    for var in [
        "GITHUB_ACTIONS",
        "GITHUB_OUTPUT",
        "GITHUB_ENV",
        "GITHUB_STEP_SUMMARY",
        "CI_INTEL_ORG_POLICY",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn onboarded() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ci_intel()
        .args([
            "init",
            "--hub",
            "acme/ci-intel",
            "--version",
            "v1.4.0",
            "--sha",
            SHA,
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "created     .github/workflows/ci-intel.yml",
        ));
    dir
}

#[test]
fn init_doctor_check_on_a_fresh_repository() {
    let dir = onboarded();
    ci_intel()
        .arg("doctor")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("hub references: 1"))
        .stdout(predicate::str::contains(format!(
            "acme/ci-intel/.github/workflows/hub.yml@{SHA} # v1.4.0  ok"
        )));
    ci_intel()
        .arg("check")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("hub_pins   pass"));
}

#[test]
fn init_refuses_a_branch_pin_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    ci_intel()
        .args([
            "init",
            "--hub",
            "acme/ci-intel",
            "--version",
            "v1.4.0",
            "--sha",
            "main",
        ])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("branch or tag"));
}

#[test]
fn doctor_denies_an_unpinned_hub_and_a_repository_without_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "jobs:\n  a:\n    uses: acme/ci-intel/.github/workflows/hub.yml@v1.4.0\n",
    );
    ci_intel()
        .arg("doctor")
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            ".github/workflows/ci.yml:3:11: high [hub-ref-not-sha]",
        ))
        .stdout(predicate::str::contains("NOT OK"));
    let empty = tempfile::tempdir().unwrap();
    write(empty.path(), ".github/workflows/ci.yml", "on: push\n");
    ci_intel()
        .arg("doctor")
        .arg(empty.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("no hub reference found"));
}

#[test]
fn check_refuses_a_repository_that_loosens_an_org_lock() {
    let dir = onboarded();
    write(dir.path(), ".ci-intel/config.yml", "fail_on: critical\n");
    let org = dir.path().join("org.yml");
    std::fs::write(&org, "fail_on: medium\nlock: [fail_on]\n").unwrap();
    ci_intel()
        .arg("check")
        .arg(dir.path())
        .arg("--org-policy")
        .arg(&org)
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "key `fail_on` is locked by the org policy at \"medium\"",
        ));
    // The same overlay from the environment.
    ci_intel()
        .env("CI_INTEL_ORG_POLICY", &org)
        .arg("doctor")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"critical\", which loosens it"));
}

#[test]
fn check_json_output_carries_policy_decisions() {
    let dir = onboarded();
    let output = ci_intel()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let value: serde_json::Value = serde_json::from_slice(&output).unwrap();
    assert_eq!(value["result"], "pass");
    let ids: Vec<&str> = value["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    // The pseudo-gate `config` first, then every registered gate in the
    // registry's order: the report must not drop or reorder a gate.
    let expected: Vec<String> = std::iter::once("ci-intel/config".to_owned())
        .chain(
            ci_intel::gates::GATES
                .iter()
                .map(|gate| format!("ci-intel/{}", gate.id())),
        )
        .collect();
    assert_eq!(ids, expected);
    assert!(ids.contains(&"ci-intel/policy"), "the policy gate reports");
    assert!(
        value["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["time_ns"].is_u64())
    );
}

#[test]
fn check_in_actions_writes_outputs_summary_and_annotations() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\npermissions: {}\njobs:\n  a:\n    uses: acme/ci-intel/.github/workflows/hub.yml@main\n",
    );
    let out = dir.path().join("out");
    let summary = dir.path().join("summary");
    ci_intel()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &out)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["check", "--format", "github"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "::error file=.github/workflows/ci.yml,line=5,col=11",
        ));
    let outputs =
        ci_intel_core::runner::parse_key_value_file(&std::fs::read_to_string(&out).unwrap())
            .unwrap();
    assert_eq!(outputs["result"], "deny");
    assert!(outputs["decisions"].contains("\"result\":\"deny\""));
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .contains("| hub_pins | deny | 1 |")
    );
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .contains("| policy | deny | 2 |")
    );
}

#[test]
fn unknown_tools_are_exit_2_and_found_tools_get_the_arguments() {
    ci_intel()
        .args(["no-such-tool", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ci-intel-no-such-tool"));
    let bin = tempfile::tempdir().unwrap();
    let script = bin.path().join("ci-intel-echo");
    std::fs::write(&script, "#!/bin/sh\necho \"args: $*\"\nexit 1\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = std::env::join_paths(
        [bin.path().to_path_buf()]
            .into_iter()
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    ci_intel()
        .env("PATH", path)
        .args(["echo", "--flag", "value"])
        .assert()
        .code(1)
        .stdout("args: --flag value\n");
}

#[test]
fn check_on_a_directory_that_does_not_exist_is_exit_2() {
    ci_intel()
        .args(["check", "/nonexistent/repo"])
        .assert()
        .code(2);
}

#[test]
fn check_gate_runs_only_the_named_gates_and_refuses_unknown_ids() {
    let dir = onboarded();
    let output = ci_intel()
        .args(["check", "--gate", "hub_pins", "--gate", "policy"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("hub_pins") && stdout.contains("policy"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("secrets "),
        "an unselected gate ran: {stdout}"
    );
    ci_intel()
        .args(["check", "--gate", "secret"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `secrets`?"));
    // A selection whose only gate skips is an empty run: denied.
    ci_intel()
        .args(["check", "--gate", "attest"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("nothing was checked"));
}

#[test]
fn check_list_names_every_gate_with_its_section_and_state() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".ci-intel/config.yml",
        "policy:\n  enabled: false\n",
    );
    let output = ci_intel()
        .args(["check", "--list"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    for id in ci_intel::gates::GATES.iter().map(|g| g.id()) {
        assert!(stdout.contains(id), "{id} missing: {stdout}");
    }
    let policy = stdout.lines().find(|l| l.starts_with("policy ")).unwrap();
    assert!(policy.contains(" no "), "{policy}");
    assert!(stdout.lines().any(|l| l.starts_with("telemetry ")
        && l.contains("gates.telemetry")
        && l.contains(" yes ")));
    write(dir.path(), ".ci-intel/config.yml", "polcy: {}\n");
    ci_intel()
        .args(["check", "--list"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `policy`?"));
}

#[test]
fn check_prints_step_outputs_on_a_terminal_only_when_verbose() {
    let dir = onboarded();
    ci_intel()
        .arg("check")
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("output result=").not());
    ci_intel()
        .args(["check", "--verbose"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("output result=pass"))
        .stderr(predicate::str::contains("output decisions="));
}
