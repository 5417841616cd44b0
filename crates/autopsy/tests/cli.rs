//! The command line end to end: formats, files, exit codes, standard
//! input, JUnit causes, the pipeline_run fragment against the contract,
//! repository rules, unclassified failures, the gate.

#![allow(clippy::unwrap_used)]

mod support;

use assert_cmd::Command;
use serde_json::Value;

fn autopsy(dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("ci-intel-autopsy").unwrap();
    cmd.current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_WORKSPACE");
    cmd
}

const RUST_LOG: &str = "2026-01-01T00:00:00.0000000Z ##[group]Run cargo build\n2026-01-01T00:00:01.0000000Z    Compiling app v0.1.0 (/home/runner/work/app/app)\n2026-01-01T00:00:01.1000000Z error[E0308]: mismatched types\n2026-01-01T00:00:01.2000000Z  --> src/main.rs:4:18\n2026-01-01T00:00:01.3000000Z   |\n2026-01-01T00:00:01.4000000Z error: could not compile `app` (bin \"app\") due to 1 previous error\n2026-01-01T00:00:02.0000000Z ##[error]Process completed with exit code 101.\n";

#[test]
fn json_names_the_failing_code_and_the_log_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("job.log"), RUST_LOG).unwrap();
    let out = autopsy(dir.path())
        .args(["classify", "--no-repo-rules", "--format", "json", "job.log"])
        .assert()
        .success();
    let value: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let top = &value["root_causes"][0];
    assert_eq!(top["rule"], "rustc-error");
    assert_eq!(top["rank"], 1);
    assert_eq!(top["log_line"], 3);
    assert_eq!(top["file"], "src/main.rs");
    assert_eq!(top["line"], 4);
    assert_eq!(top["column"], 18);
    assert_eq!(top["message"], "E0308: mismatched types");
    assert_eq!(top["step"], "Run cargo build");
    assert_eq!(value["root_causes"][1]["rule"], "cli-error");
    assert_eq!(value["logs"][0]["exit_codes"], serde_json::json!([101]));
    assert_eq!(value["stats"]["classified"], 1);
}

#[test]
fn the_pipeline_run_fragment_validates_against_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("job.log"), RUST_LOG).unwrap();
    autopsy(dir.path())
        .args([
            "classify",
            "--no-repo-rules",
            "--format",
            "human",
            "--pipeline-run-output",
            "fragment.json",
            "job.log",
        ])
        .assert()
        .success();
    let fragment: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("fragment.json")).unwrap())
            .unwrap();
    let root = ci_intel_testkit::workspace_root();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("schemas/pipeline_run.v1.2.schema.json")).unwrap(),
    )
    .unwrap();
    // The record's `autopsy` property, with the schema's definitions.
    let mut sub = schema["properties"]["autopsy"].clone();
    if let Some(defs) = schema.get("$defs") {
        sub["$defs"] = defs.clone();
    }
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&sub)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&fragment["autopsy"])
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{fragment:#}");
    let first = &fragment["autopsy"]["root_causes"][0];
    assert_eq!(first["pattern"], "rustc-error");
    assert_eq!(first["file"], "src/main.rs");
    assert_eq!(first["severity"], "error");
}

#[test]
fn sarif_and_annotations_point_at_the_failing_code() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("job.log"), RUST_LOG).unwrap();
    let out = autopsy(dir.path())
        .args([
            "classify",
            "--no-repo-rules",
            "--format",
            "github",
            "job.log",
        ])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.lines()
            .any(|l| l.starts_with("::error file=src/main.rs,line=4,col=18,title=rustc-error")),
        "{text}"
    );
    let out = autopsy(dir.path())
        .args([
            "classify",
            "--no-repo-rules",
            "--format",
            "sarif",
            "job.log",
        ])
        .assert()
        .success();
    let sarif: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let result = results
        .iter()
        .find(|r| r["ruleId"] == "rustc-error")
        .unwrap();
    assert_eq!(result["ruleId"], "rustc-error");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/main.rs"
    );
}

#[test]
fn standard_input_markdown_and_stats() {
    let dir = tempfile::tempdir().unwrap();
    let out = autopsy(dir.path())
        .args([
            "classify",
            "--no-repo-rules",
            "--format",
            "markdown",
            "--stats",
            "-",
        ])
        .write_stdin(RUST_LOG)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.contains(
            "| 1 | **Rust compile error**: E0308: mismatched types | cargo | `src/main.rs:4` |"
        ),
        "{text}"
    );
    assert!(
        String::from_utf8_lossy(&out.get_output().stderr)
            .contains("1 input(s), 1 with a failure, 1 classified (100.0%)")
    );
}

#[test]
fn an_unexplained_failure_is_reported_never_as_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("job.log"),
        "step one\nsomething odd happened here\nlast words\n",
    )
    .unwrap();
    let out = autopsy(dir.path())
        .args([
            "classify",
            "--no-repo-rules",
            "--assume-failed",
            "--format",
            "json",
            "job.log",
        ])
        .assert()
        .success();
    let value: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(value["root_causes"], serde_json::json!([]));
    assert_eq!(value["logs"][0]["failed"], true);
    assert_eq!(value["logs"][0]["classified"], false);
    assert_eq!(
        value["logs"][0]["unclassified"]["lines"][2]["text"],
        "last words"
    );
    autopsy(dir.path())
        .args([
            "classify",
            "--no-repo-rules",
            "--assume-failed",
            "--fail-on-unclassified",
            "job.log",
        ])
        .assert()
        .code(1);
    // A runner error line with no rule: unclassified even without --assume-failed.
    std::fs::write(dir.path().join("job2.log"), "2026-01-01T00:00:00.0000000Z compiling\n2026-01-01T00:00:01.0000000Z ##[error]Process completed with exit code 3.\n").unwrap();
    let out = autopsy(dir.path())
        .args([
            "classify",
            "--no-repo-rules",
            "--format",
            "json",
            "job2.log",
        ])
        .assert()
        .success();
    let value: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(value["logs"][0]["failed"], true);
    assert!(
        value["logs"][0]["unclassified"]["message"]
            .as_str()
            .unwrap()
            .contains("no rule explains")
    );
}

#[test]
fn junit_failures_are_causes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("report.xml"),
        r#"<testsuite name="s"><testcase classname="tests.test_api" name="test_login" file="tests/test_api.py" line="7"><failure message="assert 401 == 200">E assert 401 == 200</failure></testcase></testsuite>"#,
    )
    .unwrap();
    let out = autopsy(dir.path())
        .args([
            "classify",
            "--no-repo-rules",
            "--format",
            "json",
            "--junit",
            "report.xml",
        ])
        .assert()
        .success();
    let value: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let top = &value["root_causes"][0];
    assert_eq!(top["rule"], "junit-test-failed");
    assert_eq!(top["test"], "tests.test_api::test_login");
    assert_eq!(top["file"], "tests/test_api.py");
    assert_eq!(top["line"], 7);
    std::fs::write(dir.path().join("bad.xml"), "<testsuite><testcase>").unwrap();
    autopsy(dir.path())
        .args(["classify", "--junit", "bad.xml"])
        .assert()
        .code(2);
}

#[test]
fn usage_and_unreadable_inputs_have_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    autopsy(dir.path()).args(["classify"]).assert().code(2);
    autopsy(dir.path())
        .args(["classify", "missing.log"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains("cannot read log missing.log"));
    autopsy(dir.path())
        .args(["classify", "--bogus"])
        .assert()
        .code(2);
}

#[test]
fn repository_rules_extend_the_pack_and_broken_ones_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".ci-intel/autopsy")).unwrap();
    std::fs::write(
        dir.path().join(".ci-intel/autopsy/acme.toml"),
        "id = \"acme-migration-failed\"\ntool = \"acme\"\ntitle = \"A migration failed\"\npriority = 99\nseverity = \"error\"\nkeywords = [\"migration\"]\npattern = '^Migration (?P<name>\\S+) failed: (?P<reason>.+)$'\ncaptures = [\"name\", \"reason\"]\nmessage = \"{name}: {reason}\"\nsuggestion = \"Fix the migration.\"\ndocs = \"https://acme.example/docs\"\nexamples = { fires = [\"Migration 0042 failed: duplicate column\"], quiet = [\"Migration 0042 applied\"] }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("job.log"),
        format!("Migration 0042 failed: duplicate column\n{RUST_LOG}"),
    )
    .unwrap();
    let out = autopsy(dir.path())
        .args(["classify", "--format", "json", "job.log"])
        .assert()
        .success();
    let value: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(value["root_causes"][0]["rule"], "acme-migration-failed");
    assert_eq!(value["root_causes"][0]["message"], "0042: duplicate column");
    autopsy(dir.path())
        .args(["rules"])
        .assert()
        .success()
        .stdout(predicates::str::contains("acme-migration-failed"));
    std::fs::write(
        dir.path().join(".ci-intel/autopsy/broken.toml"),
        "id = \"x-y\"\npriority = 500\n",
    )
    .unwrap();
    // The valid rules still run and the report is written; the exit says the config is wrong.
    autopsy(dir.path())
        .args(["classify", "--format", "json", "job.log"])
        .assert()
        .code(2)
        .stdout(predicates::str::contains("acme-migration-failed"))
        .stderr(predicates::str::contains(
            ".ci-intel/autopsy/broken.toml:2: rule `x-y`: `priority` is 500",
        ));
    autopsy(dir.path()).args(["rules"]).assert().code(2);
}

#[test]
fn the_gate_checks_repository_rules_and_skips_without_them() {
    use ci_intel_autopsy::config::AutopsyConfig;
    use ci_intel_autopsy::gate::check_files;
    let config = AutopsyConfig::default();
    let good = "id = \"acme-x\"\ntool = \"acme\"\ntitle = \"t\"\npriority = 50\nseverity = \"warn\"\nkeywords = [\"acme\"]\npattern = 'acme broke'\ncaptures = []\nsuggestion = \"s\"\ndocs = \"https://acme.example\"\nexamples = { fires = [\"acme broke\"], quiet = [\"acme ok\"] }\n";
    assert!(
        check_files(&config, &[("r/a.toml".to_owned(), good.to_owned())])
            .unwrap()
            .is_empty()
    );
    let untested = good.replace(
        "examples = { fires = [\"acme broke\"], quiet = [\"acme ok\"] }\n",
        "",
    );
    let findings = check_files(&config, &[("r/a.toml".to_owned(), untested.clone())]).unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].rule_id, "autopsy-rule-untested");
    assert_eq!(findings[0].severity, ci_intel_core::Severity::Low);
    let strict = AutopsyConfig {
        require_examples: true,
        ..AutopsyConfig::default()
    };
    assert_eq!(
        check_files(&strict, &[("r/a.toml".to_owned(), untested)]).unwrap()[0].severity,
        ci_intel_core::Severity::High
    );
    for (bad, expected) in [
        (
            good.replace("'acme broke'", "'acme (broke'"),
            "not a valid regular expression",
        ),
        (
            good.replace("priority = 50", "priority = -1"),
            "`priority` is -1",
        ),
        (
            good.replace("https://acme.example", "http://acme.example"),
            "https://",
        ),
        (
            good.replace("id = \"acme-x\"", "id = \"pytest-short-summary\""),
            "set `override = true`",
        ),
        (
            good.replace("quiet = [\"acme ok\"]", "quiet = [\"acme broke again\"]"),
            "listed under `quiet`",
        ),
    ] {
        let findings = check_files(&config, &[("r/a.toml".to_owned(), bad)]).unwrap();
        assert!(
            findings.iter().any(|f| f.rule_id == "autopsy-rule-invalid"
                && f.message.contains(expected)
                && f.location.as_ref().is_some_and(|l| l.line.is_some())),
            "{expected}: {findings:?}"
        );
    }
}
