//! The binary: formats, exit codes, error messages, locks, the Actions
//! outputs, `--diff` against a real git repository.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The binary, run in `dir` (so no repository configuration is picked up
/// unless the test writes one), without an Actions environment.
fn tool(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("ci-intel-tests").unwrap();
    command.current_dir(dir);
    for var in [
        "GITHUB_ACTIONS",
        "GITHUB_OUTPUT",
        "GITHUB_STEP_SUMMARY",
        "CI_INTEL_ORG_POLICY",
    ] {
        command.env_remove(var);
    }
    command
}

fn run(command: &mut Command) -> (i32, String, String) {
    let output = command.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn report() -> PathBuf {
    // 3 killed, 1 survived, 1 not covered: 60 %.
    fixtures().join("mutation-score-low/fires/below-fail/reports/mutation.json")
}

#[test]
fn mutation_scores_and_judges_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(tool(dir.path()).arg("mutation").arg(report()));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with("mutation score 60.00 % (3 of 5 valid mutants detected"),
        "{stdout}"
    );

    let (code, stdout, _) = run(tool(dir.path()).arg("mutation").arg(report()).args([
        "--fail-below",
        "80",
        "--format",
        "json",
    ]));
    assert_eq!(code, 1);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["score_percent"], 60.0);
    assert_eq!(json["verdict"], "deny");
    assert_eq!(json["counts"]["survived"], 1);
    let resilience = &json["pipeline_run"]["tests"]["resilience"];
    assert_eq!(resilience["mutants_total"], 5);
    assert_eq!(resilience["killed"], 3);
    assert_eq!(resilience["equiv"], 0);
    assert_eq!(resilience["score"], 0.6);
    assert_eq!(json["top_survivors"].as_array().unwrap().len(), 2);

    let (code, stdout, _) = run(tool(dir.path())
        .arg("mutation")
        .arg(report())
        .args(["--format", "sarif"]));
    assert_eq!(code, 0);
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["ruleId"], "surviving-mutant");
    assert_eq!(results[0]["level"], "note");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );

    let (_, stdout, _) = run(tool(dir.path())
        .arg("mutation")
        .arg(report())
        .args(["--format", "markdown"]));
    assert!(
        stdout.contains("| all mutants | 60.00 % | n/a | 3 | 0 | 1 | 1 | 0 | 5 |"),
        "{stdout}"
    );
    assert!(stdout.contains("#### Surviving mutants"), "{stdout}");

    let (_, stdout, _) = run(tool(dir.path())
        .arg("mutation")
        .arg(report())
        .args(["--format", "github"]));
    assert!(
        stdout.contains("::notice file=src/calc.js,line=3"),
        "{stdout}"
    );
}

#[test]
fn mutation_writes_the_pipeline_run_fields_and_the_actions_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = dir.path().join("outputs");
    let summary = dir.path().join("summary.md");
    std::fs::write(&outputs, "").unwrap();
    let baseline = fixtures().join("mutation-score-drop/fires/dropped/reports/main.json");
    let (code, _, stderr) = run(tool(dir.path())
        .arg("mutation")
        .arg(report())
        .arg("--baseline")
        .arg(&baseline)
        .args(["--pipeline-run", "run.json"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary));
    assert_eq!(code, 0, "{stderr}");
    let fields: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap())
            .unwrap();
    // 60 % now, 75 % on the baseline.
    let delta = fields["tests"]["resilience"]["delta_vs_main"]
        .as_f64()
        .unwrap();
    assert!((delta + 0.15).abs() < 1e-9, "{delta}");
    let outputs = std::fs::read_to_string(&outputs).unwrap();
    assert!(
        outputs.contains("score<<") || outputs.contains("score="),
        "{outputs}"
    );
    assert!(outputs.contains("60.00"), "{outputs}");
    assert!(outputs.contains("-15.00"), "{outputs}");
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .contains("### Mutation testing: warn")
    );
}

#[test]
fn unreadable_reports_are_usage_errors_naming_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(report())
        .unwrap()
        .replacen("\"Survived\"", "\"Undead\"", 1);
    std::fs::write(dir.path().join("bad.json"), text).unwrap();
    let (code, _, stderr) = run(tool(dir.path()).args(["mutation", "bad.json"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bad.json: field `/files/src~1calc.js/mutants/2/status`"),
        "{stderr}"
    );
    assert!(stderr.contains("`Undead`"), "{stderr}");
    let (code, _, stderr) = run(tool(dir.path()).args(["mutation", "missing.json"]));
    assert_eq!(code, 2, "{stderr}");
    let (code, _, _) = run(tool(dir.path()).args(["mutation"]));
    assert_eq!(code, 2);
}

#[test]
fn an_org_lock_cannot_be_loosened_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("org.yml"),
        "tests:\n  mutation:\n    fail_below: 80\nlock: [tests.mutation.fail_below]\n",
    )
    .unwrap();
    let (code, _, stderr) = run(tool(dir.path()).arg("mutation").arg(report()).args([
        "--org-policy",
        "org.yml",
        "--fail-below",
        "50",
    ]));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("tests.mutation.fail_below is locked"),
        "{stderr}"
    );
    // Tighter is fine, and the lock's own value denies 60 %.
    let (code, _, _) = run(tool(dir.path()).arg("mutation").arg(report()).args([
        "--org-policy",
        "org.yml",
        "--fail-below",
        "90",
    ]));
    assert_eq!(code, 1);
    let (code, _, _) = run(tool(dir.path())
        .arg("mutation")
        .arg(report())
        .args(["--org-policy", "org.yml"]));
    assert_eq!(code, 1);
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[test]
fn diff_judges_only_the_mutants_on_changed_lines() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    std::fs::create_dir_all(repo.join("src")).unwrap();
    let lines: Vec<String> = (1..=10).map(|i| format!("line {i}")).collect();
    std::fs::write(repo.join("src/calc.js"), lines.join("\n") + "\n").unwrap();
    git(repo, &["init", "-q"]);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "base"]);
    let mut changed = lines;
    changed[2] = "line 3 changed".to_owned();
    std::fs::write(repo.join("src/calc.js"), changed.join("\n") + "\n").unwrap();
    // Mutants on lines 1, 2, 5 (killed), 3 (survived), 4 (no coverage).
    let (code, stdout, stderr) = run(tool(repo).arg("mutation").arg(report()).args([
        "--diff",
        "HEAD",
        "--fail-below",
        "50",
        "--format",
        "json",
    ]));
    assert_eq!(code, 1, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["scope"], "mutants on lines changed since HEAD");
    assert_eq!(json["scope_counts"]["survived"], 1);
    assert_eq!(json["scope_counts"]["killed"], 0);
    assert_eq!(json["scope_score_percent"], 0.0);
    // The whole report's score is still there.
    assert_eq!(json["score_percent"], 60.0);
    let (code, _, stderr) = run(tool(repo)
        .arg("mutation")
        .arg(report())
        .args(["--diff", "no-such-rev"]));
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = run(tool(repo)
        .arg("mutation")
        .arg(report())
        .args(["--diff", "--output=x"]));
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn flake_reports_the_index_and_denies_a_new_flaky_test() {
    let dir = tempfile::tempdir().unwrap();
    let history = fixtures().join("new-flaky-test/fires/on-the-newest-run/junit");
    let (code, stdout, stderr) = run(tool(dir.path())
        .args([
            "flake",
            "--format",
            "json",
            "--pipeline-run",
            "run.json",
            "--history",
        ])
        .arg(&history));
    assert_eq!(code, 1, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["runs"], 3);
    assert_eq!(json["flaky_runs"], 1);
    assert_eq!(json["flaky_tests"][0]["test"], "app::b");
    assert_eq!(json["flaky_tests"][0]["new"], true);
    assert_eq!(json["current_runs"][0], "run-3");
    let fields: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap())
            .unwrap();
    assert!((fields["flakiness_index"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);

    // Quarantined, it passes.
    std::fs::write(
        dir.path().join("q.yml"),
        "version: 1\nquarantine:\n  - {test: \"app::b\", owner: \"@t\", reason: \"#1\", expires: 2999-01-01}\n",
    )
    .unwrap();
    let (code, stdout, _) = run(tool(dir.path())
        .args(["flake", "--quarantine", "q.yml", "--history"])
        .arg(&history));
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("[quarantined]"), "{stdout}");
    // A malformed list is exit 2; a missing one named on the command line too.
    std::fs::write(
        dir.path().join("bad.yml"),
        "version: 1\nquarantine: [{test: a}]\n",
    )
    .unwrap();
    let (code, _, stderr) = run(tool(dir.path())
        .args(["flake", "--quarantine", "bad.yml", "--history"])
        .arg(&history));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("quarantine list bad.yml: field `quarantine[0]`"),
        "{stderr}"
    );
    let (code, _, _) = run(tool(dir.path())
        .args(["flake", "--quarantine", "none.yml", "--history"])
        .arg(&history));
    assert_eq!(code, 2);
    // A history that is not JUnit names the file.
    std::fs::create_dir_all(dir.path().join("h/run-1")).unwrap();
    std::fs::write(dir.path().join("h/run-1/x.xml"), "<html/>").unwrap();
    let (code, _, stderr) = run(tool(dir.path()).args(["flake", "--history", "h"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("x.xml"), "{stderr}");
}

#[test]
fn shard_prints_the_shards_the_matrix_and_selections() {
    let dir = tempfile::tempdir().unwrap();
    let history = fixtures().join("flake-index-high/fires/over/junit");
    let (code, stdout, stderr) = run(tool(dir.path())
        .args([
            "shard",
            "--shards",
            "3",
            "--format",
            "json",
            "--runner",
            "nextest",
            "--history",
        ])
        .arg(&history));
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let shards = json["shards"].as_array().unwrap();
    assert_eq!(shards.len(), 3);
    let mut all: Vec<&str> = shards
        .iter()
        .flat_map(|s| {
            s["tests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
        })
        .collect();
    all.sort_unstable();
    assert_eq!(all, ["app a", "app b"]);
    assert_eq!(shards[0]["index"], 1);
    assert!(shards[0]["predicted_ms"].as_u64().unwrap() > 0);
    assert!(
        shards[0]["selection"][0]
            .as_str()
            .unwrap()
            .starts_with("(binary_id(app) & (test(=")
    );

    let (code, stdout, _) = run(tool(dir.path())
        .args(["shard", "--shards", "2", "--format", "matrix", "--history"])
        .arg(&history));
    assert_eq!(code, 0);
    let matrix: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(matrix["include"][1]["shard"], 2);
    assert_eq!(stdout.trim().lines().count(), 1);

    let (code, stdout, _) = run(tool(dir.path())
        .args([
            "shard",
            "--shards",
            "2",
            "--select",
            "1",
            "--runner",
            "pytest",
            "--history",
        ])
        .arg(&history));
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let (code, _, _) = run(tool(dir.path())
        .args([
            "shard",
            "--shards",
            "2",
            "--select",
            "3",
            "--runner",
            "go",
            "--history",
        ])
        .arg(&history));
    assert_eq!(code, 2);
    let (code, _, _) = run(tool(dir.path())
        .args(["shard", "--shards", "0", "--history"])
        .arg(&history));
    assert_eq!(code, 2);

    // --tests: tests without history get their suite's median.
    std::fs::write(dir.path().join("tests.txt"), "app a\napp brand-new\n").unwrap();
    let (code, stdout, _) = run(tool(dir.path())
        .args([
            "shard",
            "--shards",
            "1",
            "--format",
            "json",
            "--runner",
            "nextest",
            "--tests",
            "tests.txt",
            "--history",
        ])
        .arg(&history));
    assert_eq!(code, 0);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        json["shards"][0]["tests"],
        serde_json::json!(["app a", "app brand-new"])
    );
    assert_eq!(json["shards"][0]["predicted_ms"], 100);
}

#[test]
fn shard_backtest_measures_the_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let history = fixtures().join("quarantine-release/fires/clean-runs/junit");
    let (code, stdout, stderr) = run(tool(dir.path())
        .args([
            "shard",
            "--backtest",
            "--shards",
            "2",
            "--min-history",
            "1",
            "--format",
            "json",
            "--export-plan",
            "plan.json",
            "--history",
        ])
        .arg(&history));
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["measured_runs"], 3);
    let ours = &json["strategies"][0];
    // Every test takes 50 ms in every run: predicted exactly, split evenly.
    assert_eq!(ours["mape_percent"], 0.0);
    assert_eq!(ours["mean_max_over_ideal"], 1.0);
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("plan.json")).unwrap())
            .unwrap();
    assert_eq!(plan["steps"].as_array().unwrap().len(), 3);
    assert_eq!(plan["steps"][0]["durations"]["app::a"], 0.05);
    // Too little history to measure anything is a usage error.
    let (code, _, stderr) = run(tool(dir.path())
        .args(["shard", "--backtest", "--min-history", "10", "--history"])
        .arg(&history));
    assert_eq!(code, 2, "{stderr}");
}
