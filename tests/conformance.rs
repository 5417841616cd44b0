//! Conformance: onboard the stub consumer with `ci-intel init`, then let the
//! real tools a user runs agree: check-jsonschema (GitHub's workflow and
//! action schemas, Renovate's schema, our config schema), zizmor (no
//! findings), Renovate in local platform mode (extracts every hub reference
//! with its digest and version), renovate-config-validator (the hub preset),
//! and `ci-intel doctor`. The same tools check this repository's own
//! `.github/`, `actions/` and `action.yml`.
//!
//! The tools come from `.ci/run` (CI_INTEL_ZIZMOR, CI_INTEL_CHECK_JSONSCHEMA,
//! CI_INTEL_RENOVATE, CI_INTEL_RENOVATE_CONFIG_VALIDATOR) or PATH. Without
//! them a test prints SKIPPED and why, unless CI_INTEL_REQUIRE_TOOLS is set
//! (as in .ci/run), where a missing tool fails.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use ci_intel_workspace_tests::hub::{build_bin, copy_dir, repo_root};
use serde_json::Value;

const HUB: &str = "acme/ci-intel";
const VERSION: &str = "v1.4.0";
const SHA: &str = "8f3c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c";

fn tool(var: &str, name: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var) {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// The tool, or None after printing why the test is skipped (or panicking
/// when CI requires the tools).
fn require(var: &str, name: &str) -> Option<PathBuf> {
    let found = tool(var, name);
    if found.is_none() {
        let why = format!("{name} not found (set {var} or put it on PATH; .ci/run installs it)");
        if std::env::var_os("CI_INTEL_REQUIRE_TOOLS").is_some() {
            panic!("CI_INTEL_REQUIRE_TOOLS is set but {why}");
        }
        eprintln!("SKIPPED: {why}");
    }
    found
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn text(output: &Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn git(dir: &Path, args: &[&str]) {
    let output = run(Command::new("git")
        .args([
            "-c",
            "user.name=conformance",
            "-c",
            "user.email=conformance@example.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir));
    assert!(output.status.success(), "git {args:?}: {}", text(&output));
}

/// The stub consumer, onboarded with the real `ci-intel init`, committed.
fn onboarded_consumer() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("consumer");
    copy_dir(&repo_root().join("tests/fixtures/consumer-stub"), &repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "stub consumer"]);
    let ci_intel = build_bin("ci-intel", "ci-intel").unwrap();
    let started = Instant::now();
    let output = run(Command::new(&ci_intel)
        .args(["init", "--hub", HUB, "--version", VERSION, "--sha", SHA])
        .arg(&repo));
    let wall = started.elapsed();
    assert!(output.status.success(), "ci-intel init: {}", text(&output));
    println!(
        "onboarding wall time (ci-intel init): {} ms",
        wall.as_millis()
    );
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "onboard ci-intel"]);
    (dir, repo)
}

fn workflow_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    files
}

fn action_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![root.join("action.yml")];
    for entry in std::fs::read_dir(root.join("actions")).unwrap() {
        let path = entry.unwrap().path().join("action.yml");
        if path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn check_jsonschema(bin: &Path, schema_args: &[&str], files: &[PathBuf]) {
    assert!(!files.is_empty(), "nothing to validate for {schema_args:?}");
    let output = run(Command::new(bin).args(schema_args).args(files));
    assert!(
        output.status.success(),
        "check-jsonschema {schema_args:?} {files:?}: {}",
        text(&output)
    );
}

/// zizmor on `paths` (offline): its JSON output must list no finding.
fn zizmor_clean(bin: &Path, cwd: &Path, paths: &[PathBuf]) {
    let output = run(Command::new(bin)
        .args(["--offline", "--no-progress", "--format", "json"])
        .args(paths)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .current_dir(cwd));
    let findings: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("zizmor JSON ({e}): {}", text(&output)));
    assert_eq!(
        findings,
        Value::Array(vec![]),
        "zizmor findings: {}",
        text(&output)
    );
    assert!(output.status.success(), "zizmor: {}", text(&output));
}

/// Renovate in local platform mode over `repo` (a git repository): the
/// github-actions dependencies it extracts. Lookups are forced off so it
/// makes no network call; the hub preset (not fetchable offline) is ignored.
fn renovate_extract(bin: &Path, repo: &Path) -> Vec<Value> {
    let work = tempfile::tempdir().unwrap();
    let report = work.path().join("report.json");
    let config = work.path().join("global.json");
    let global = serde_json::json!({
        "platform": "local",
        "onboarding": false,
        "reportType": "file",
        "reportPath": report,
        "baseDir": work.path().join("base"),
        "ignorePresets": [format!("github>{HUB}//templates/renovate/default.json5#{VERSION}")],
        "force": {
            "enabledManagers": ["github-actions"],
            "ignorePaths": [],
            "packageRules": [{"matchPackageNames": ["*"], "enabled": false}]
        }
    });
    std::fs::write(&config, global.to_string()).unwrap();
    let output = run(Command::new(bin)
        .env("RENOVATE_CONFIG_FILE", &config)
        .env("LOG_LEVEL", "warn")
        .env("LOG_FORMAT", "json")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITHUB_COM_TOKEN")
        .env_remove("RENOVATE_TOKEN")
        .current_dir(repo));
    assert!(output.status.success(), "renovate: {}", text(&output));
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(&report)
            .unwrap_or_else(|e| panic!("renovate wrote no report ({e}): {}", text(&output))),
    )
    .unwrap();
    let problems = report["problems"].as_array().cloned().unwrap_or_default();
    let hard: Vec<&Value> = problems
        .iter()
        .filter(|p| p["level"].as_u64().unwrap_or(0) >= 50)
        .collect();
    assert!(hard.is_empty(), "renovate reported errors: {hard:#?}");
    let files = report["repositories"]["local"]["packageFiles"]["github-actions"]
        .as_array()
        .unwrap_or_else(|| panic!("no github-actions package files in the report: {report:#}"));
    files
        .iter()
        .flat_map(|f| {
            let name = f["packageFile"].clone();
            f["deps"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |mut d| {
                    d["packageFile"] = name.clone();
                    d
                })
        })
        .collect()
}

fn is_sha(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_version(value: &Value) -> bool {
    value.as_str().is_some_and(|s| {
        let core = s.strip_prefix('v').unwrap_or(s);
        core.split('.').count() == 3
            && core
                .split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    })
}

#[test]
fn onboarding_is_idempotent_and_doctor_agrees() {
    let (_dir, repo) = onboarded_consumer();
    let ci_intel = build_bin("ci-intel", "ci-intel").unwrap();
    let again = run(Command::new(&ci_intel)
        .args(["init", "--hub", HUB, "--version", VERSION, "--sha", SHA])
        .arg(&repo));
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("nothing changed"),
        "{}",
        text(&again)
    );
    let status = run(Command::new("git")
        .args(["status", "--porcelain"])
        .current_dir(&repo));
    assert!(
        status.stdout.is_empty(),
        "second init changed files: {}",
        text(&status)
    );

    let doctor = run(Command::new(&ci_intel).arg("doctor").arg(&repo));
    assert!(doctor.status.success(), "doctor: {}", text(&doctor));
    assert!(
        String::from_utf8_lossy(&doctor.stdout).contains("hub references: 1"),
        "{}",
        text(&doctor)
    );

    let check = run(Command::new(&ci_intel).arg("check").arg(&repo));
    assert!(check.status.success(), "check: {}", text(&check));
}

#[test]
fn a_branch_pin_is_refused_by_init_and_caught_by_doctor() {
    let (_dir, repo) = onboarded_consumer();
    let ci_intel = build_bin("ci-intel", "ci-intel").unwrap();
    let refused = run(Command::new(&ci_intel)
        .args([
            "init",
            "--hub",
            HUB,
            "--version",
            VERSION,
            "--sha",
            "main",
            "--force",
        ])
        .arg(&repo));
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    let workflow = repo.join(".github/workflows/ci-intel.yml");
    let pinned = std::fs::read_to_string(&workflow).unwrap();
    std::fs::write(
        &workflow,
        pinned.replace(&format!("@{SHA} # {VERSION}"), "@main"),
    )
    .unwrap();
    let doctor = run(Command::new(&ci_intel).arg("doctor").arg(&repo));
    assert_eq!(
        doctor.status.code(),
        Some(1),
        "doctor must deny a branch pin: {}",
        text(&doctor)
    );
    assert!(
        String::from_utf8_lossy(&doctor.stdout).contains("hub-ref-not-sha"),
        "{}",
        text(&doctor)
    );
}

#[test]
fn check_jsonschema_accepts_the_onboarded_consumer_and_this_repository() {
    let Some(bin) = require("CI_INTEL_CHECK_JSONSCHEMA", "check-jsonschema") else {
        return;
    };
    let (_dir, repo) = onboarded_consumer();
    check_jsonschema(
        &bin,
        &["--builtin-schema", "vendor.github-workflows"],
        &workflow_files(&repo),
    );
    check_jsonschema(
        &bin,
        &["--builtin-schema", "vendor.renovate"],
        &[repo.join("renovate.json")],
    );
    let config_schema = repo_root().join("schemas/config.schema.json");
    check_jsonschema(
        &bin,
        &["--schemafile", config_schema.to_str().unwrap()],
        &[repo.join(".ci-intel/config.yml")],
    );

    let root = repo_root();
    check_jsonschema(
        &bin,
        &["--builtin-schema", "vendor.github-workflows"],
        &workflow_files(&root),
    );
    check_jsonschema(
        &bin,
        &["--builtin-schema", "vendor.github-actions"],
        &action_files(&root),
    );
    check_jsonschema(
        &bin,
        &["--builtin-schema", "vendor.renovate"],
        &[root.join("templates/renovate/renovate.json")],
    );
    let manifest_schema = root.join("schemas/dist-manifest.schema.json");
    check_jsonschema(
        &bin,
        &["--schemafile", manifest_schema.to_str().unwrap()],
        &[root.join("dist/manifest.json")],
    );
}

#[test]
fn check_jsonschema_is_a_real_gate() {
    let Some(bin) = require("CI_INTEL_CHECK_JSONSCHEMA", "check-jsonschema") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yml");
    std::fs::write(&bad, "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    bogus-key: 1\n    steps: [{run: echo}]\n").unwrap();
    let output = run(Command::new(&bin)
        .args(["--builtin-schema", "vendor.github-workflows"])
        .arg(&bad));
    assert!(
        !output.status.success(),
        "an invalid workflow must fail: {}",
        text(&output)
    );
}

#[test]
fn zizmor_finds_nothing_in_the_consumer_or_this_repository() {
    let Some(bin) = require("CI_INTEL_ZIZMOR", "zizmor") else {
        return;
    };
    let (_dir, repo) = onboarded_consumer();
    zizmor_clean(&bin, &repo, std::slice::from_ref(&repo));
    let root = repo_root();
    let mut paths = workflow_files(&root);
    paths.extend(action_files(&root));
    zizmor_clean(&bin, &root, &paths);
}

#[test]
fn zizmor_is_a_real_gate() {
    let Some(bin) = require("CI_INTEL_ZIZMOR", "zizmor") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(
        workflows.join("bad.yml"),
        "on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@main\n      - run: echo ${{ github.event.pull_request.title }}\n",
    )
    .unwrap();
    let output = run(Command::new(&bin)
        .args(["--offline", "--no-progress", "--format", "json"])
        .arg(dir.path()));
    let findings: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        findings.as_array().is_some_and(|f| !f.is_empty()),
        "zizmor must flag this: {}",
        text(&output)
    );
}

#[test]
fn renovate_recognises_every_hub_reference_with_digest_and_version() {
    let Some(bin) = require("CI_INTEL_RENOVATE", "renovate") else {
        return;
    };
    let (_dir, repo) = onboarded_consumer();
    let deps = renovate_extract(&bin, &repo);

    // What we know is there: every hub reference ci-intel's own scanner sees.
    let mut expected = BTreeSet::new();
    for file in workflow_files(&repo) {
        let rel = file
            .strip_prefix(&repo)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for reference in ci_intel::refs::extract(&rel, &std::fs::read_to_string(&file).unwrap()) {
            if reference.repository().as_deref() == Some(HUB) {
                expected.insert((rel.clone(), reference.raw.clone()));
            }
        }
    }
    assert!(
        !expected.is_empty(),
        "the onboarded consumer must reference the hub"
    );
    for (file, raw) in &expected {
        let found = deps.iter().find(|d| {
            d["packageFile"] == file.as_str()
                && d["replaceString"]
                    .as_str()
                    .is_some_and(|s| s.starts_with(raw.as_str()))
        });
        let dep =
            found.unwrap_or_else(|| panic!("Renovate did not extract {raw} in {file}: {deps:#?}"));
        assert_eq!(dep["depName"], HUB);
        assert_eq!(dep["currentDigest"], SHA, "{dep:#}");
        assert_eq!(dep["currentValue"], VERSION, "{dep:#}");
        assert_eq!(dep["datasource"], "github-tags", "{dep:#}");
    }
    // The consumer's own pinned action is understood the same way.
    assert!(
        deps.iter().any(|d| d["depName"] == "actions/checkout"
            && is_sha(&d["currentDigest"])
            && is_version(&d["currentValue"])),
        "{deps:#?}"
    );
    println!(
        "Renovate extracted {} hub reference(s) with digest {SHA} and version {VERSION}",
        expected.len()
    );
}

#[test]
fn renovate_sees_every_third_party_action_of_this_repository_pinned() {
    let Some(bin) = require("CI_INTEL_RENOVATE", "renovate") else {
        return;
    };
    let root = repo_root();
    if !root.join(".git").exists() {
        eprintln!(
            "SKIPPED: {} is not a git checkout (Renovate's local platform reads git's index)",
            root.display()
        );
        return;
    }
    let deps = renovate_extract(&bin, &root);
    let actions: Vec<&Value> = deps
        .iter()
        .filter(|d| d["datasource"] == "github-tags" || d["depType"] == "action")
        .collect();
    assert!(
        actions.len() >= 5,
        "expected the workflows' pinned actions: {deps:#?}"
    );
    for dep in &actions {
        assert!(
            is_sha(&dep["currentDigest"]) && is_version(&dep["currentValue"]),
            "{} in {} is not pinned to a SHA with a version comment: {dep:#}",
            dep["depName"],
            dep["packageFile"]
        );
    }
}

#[test]
fn the_hub_renovate_preset_is_valid_for_renovate() {
    let Some(bin) = require(
        "CI_INTEL_RENOVATE_CONFIG_VALIDATOR",
        "renovate-config-validator",
    ) else {
        return;
    };
    let preset = repo_root().join("templates/renovate/default.json5");
    let output = run(Command::new(&bin).arg("--strict").arg(&preset));
    assert!(
        output.status.success(),
        "renovate-config-validator: {}",
        text(&output)
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("renovate.json");
    std::fs::write(
        &bad,
        "{\"packageRules\": [{\"matchManagers\": [\"github-actions\"], \"pinDigestz\": true}]}",
    )
    .unwrap();
    let output = run(Command::new(&bin).arg("--strict").arg(&bad));
    assert!(
        !output.status.success(),
        "the validator must refuse an unknown option: {}",
        text(&output)
    );
}
