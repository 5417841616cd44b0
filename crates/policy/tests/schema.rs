//! `schema-violation`: an invalid workflow, action or dependabot.yml is a
//! finding (and a denial), never a silent pass; the file's other rules
//! still run; a file's role comes from where it is. And the verdict per
//! file agrees with check-jsonschema's (the tool the schemas come from) on
//! the real-world corpus.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use chrono::NaiveDate;
use ci_intel_core::config;
use ci_intel_core::config::Sections;
use ci_intel_policy::audit::model::DocKind;
use ci_intel_policy::audit::{Options, audit_text};
use ci_intel_policy::config::{Persona, PolicyConfig};

fn options() -> Options {
    let loaded = config::load_from_texts(
        None,
        None,
        &Sections::partial([ci_intel_policy::gate::section()]),
    )
    .unwrap();
    let policy: PolicyConfig = loaded.section("policy").unwrap();
    Options::new(
        &policy,
        Persona::Regular,
        Some("acme/app".into()),
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
    )
    .unwrap()
}

/// `(line, message)` of each schema-violation finding.
fn violations(text: &str, kind: DocKind) -> Vec<(u32, String)> {
    audit_text("f.yml", text, Some(kind), &options())
        .into_iter()
        .filter(|f| f.rule_id == "schema-violation")
        .map(|f| (f.location.unwrap().line.unwrap(), f.message))
        .collect()
}

const VALID: &str = "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make\n";

#[test]
fn a_valid_workflow_has_no_violation() {
    assert_eq!(violations(VALID, DocKind::Workflow), []);
}

/// Each broken variant of `VALID` is one finding naming the line and key.
#[test]
fn each_schema_error_is_a_finding_naming_line_and_key() {
    for (what, text, line, key) in [
        (
            "a job without runs-on or uses",
            VALID.replace("    runs-on: ubuntu-24.04\n", ""),
            4,
            "`jobs.build` lacks the required key `runs-on`",
        ),
        (
            "an unknown top-level key",
            VALID.replace("permissions: {}", "permisions: {}"),
            2,
            "unknown key `permisions`",
        ),
        (
            "permissions: with a null value",
            VALID.replace("permissions: {}", "permissions:"),
            2,
            "`permissions`",
        ),
        (
            "a wrong type",
            VALID.replace("    steps:", "    timeout-minutes: [5]\n    steps:"),
            6,
            "`jobs.build.timeout-minutes` must be a number, not a list",
        ),
    ] {
        let found = violations(&text, DocKind::Workflow);
        assert_eq!(found.len(), 1, "{what}: {found:?}");
        assert_eq!(found[0].0, line, "{what}: {found:?}");
        assert!(found[0].1.contains(key), "{what}: {found:?}");
    }
}

#[test]
fn the_other_rules_still_run_on_an_invalid_file() {
    let text = "on: push\npermisions: {}\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n";
    let rules: BTreeSet<String> = audit_text("f.yml", text, Some(DocKind::Workflow), &options())
        .into_iter()
        .map(|f| f.rule_id)
        .collect();
    assert!(rules.contains("schema-violation"), "{rules:?}");
    assert!(rules.contains("unpinned-uses"), "{rules:?}");
}

#[test]
fn actions_and_dependabot_are_checked_against_their_own_schema() {
    let action = "name: a\ndescription: d\nruns:\n  using: composite\n  steps:\n    - run: make\n";
    let found = violations(action, DocKind::Action);
    assert!(
        found.len() == 1 && found[0].1.contains("`run:` without `shell:`"),
        "{found:?}"
    );
    assert_eq!(
        violations(
            &action.replace("- run: make", "- run: make\n      shell: bash"),
            DocKind::Action
        ),
        []
    );
    let dependabot = "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: fortnightly\n";
    let found = violations(dependabot, DocKind::Dependabot);
    assert!(
        found.len() == 1 && found[0].0 == 6 && found[0].1.contains("interval"),
        "{found:?}"
    );
    assert_eq!(
        violations(
            &dependabot.replace("fortnightly", "weekly"),
            DocKind::Dependabot
        ),
        []
    );
}

/// Messages name keys and what the schema wants, never the value found.
#[test]
fn messages_never_repeat_the_value() {
    let marker = "Zq7vX3kWp9";
    for text in [
        VALID.replace("permissions: {}", &format!("permissions: {marker}")),
        VALID.replace(
            "    steps:",
            &format!("    timeout-minutes: {marker}\n    steps:"),
        ),
        VALID.replace(
            "    steps:",
            &format!("    continue-on-error: {marker}\n    steps:"),
        ),
        VALID.replace(
            "      - run: make",
            &format!("      - run: make\n        shell: [{marker}]"),
        ),
    ] {
        let found = violations(&text, DocKind::Workflow);
        assert!(!found.is_empty(), "{text}");
        for (_, message) in &found {
            assert!(!message.contains(marker), "{message}");
        }
    }
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Through the CLI: an invalid file denies (exit 1), whatever its name; a
/// valid one passes.
#[test]
fn the_cli_denies_an_invalid_workflow_and_reads_roles_from_location() {
    let dir = tempfile::tempdir().unwrap();
    let pinned = "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n      - run: make\n";
    write(dir.path(), ".github/workflows/ci.yml", pinned);
    let run = |dir: &Path| {
        Command::cargo_bin("ci-intel-policy")
            .unwrap()
            .current_dir(dir)
            .env_remove("CI_INTEL_ORG_POLICY")
            .env_remove("GITHUB_ACTIONS")
            .env_remove("GITHUB_OUTPUT")
            .env_remove("GITHUB_STEP_SUMMARY")
            .args(["audit", ".", "--format", "json"])
            .output()
            .unwrap()
    };
    let out = run(dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    write(
        dir.path(),
        ".github/workflows/ci.yml",
        &pinned.replace("timeout-minutes: 5", "timeout-minutes: soon"),
    );
    let out = run(dir.path());
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "schema-violation")
        .unwrap();
    assert_eq!(finding["file"], ".github/workflows/ci.yml");
    assert_eq!(finding["line"], 6);

    // A valid dependabot configuration under .github/workflows is a
    // workflow there, and not a valid one.
    write(dir.path(), ".github/workflows/ci.yml", pinned);
    write(
        dir.path(),
        ".github/workflows/dependabot.yml",
        "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: weekly\n",
    );
    let out = run(dir.path());
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(".github/workflows/dependabot.yml")
            && stdout.contains("not a valid workflow"),
        "{stdout}"
    );
}

/// On the 1,503 real workflows, the files with a schema violation are
/// exactly those check-jsonschema (the source of the schemas) rejects.
#[test]
fn agrees_with_check_jsonschema_on_the_real_world_corpus() {
    let Some(corpus) = ci_intel_testkit::corpus("workflows/realworld") else {
        return;
    };
    let Some(tool) = ci_intel_testkit::tool("CI_INTEL_CHECK_JSONSCHEMA", "check-jsonschema") else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() > 1000, "{}", files.len());

    let opts = options();
    let mut ours = BTreeSet::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        if audit_text(&name, &text, Some(DocKind::Workflow), &opts)
            .iter()
            .any(|f| f.rule_id == "schema-violation")
        {
            ours.insert(name);
        }
    }

    let out = std::process::Command::new(&tool)
        .args(["--builtin-schema", "vendor.github-workflows", "-o", "json"])
        .args(&files)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "check-jsonschema output: {e}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let theirs: BTreeSet<String> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let file = e["filename"].as_str().unwrap();
            Path::new(file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    // Files check-jsonschema cannot parse (its YAML reader refuses a tab in
    // a plain scalar, which GitHub accepts) are left out of the comparison.
    let unparsed: BTreeSet<String> = report["parse_errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    let file = e["filename"].as_str().unwrap();
                    Path::new(file)
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect()
        })
        .unwrap_or_default();
    let ours: BTreeSet<String> = ours.difference(&unparsed).cloned().collect();
    assert!(
        theirs.len() > 10,
        "check-jsonschema rejected only {theirs:?}"
    );
    let only_ours: Vec<_> = ours.difference(&theirs).collect();
    let only_theirs: Vec<_> = theirs.difference(&ours).collect();
    assert!(
        only_ours.is_empty() && only_theirs.is_empty(),
        "only ci-intel-policy rejects {only_ours:?}; only check-jsonschema rejects {only_theirs:?}"
    );
}
