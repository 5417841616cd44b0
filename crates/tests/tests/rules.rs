//! Every rule: its documentation, its fixtures (some must fire and deny,
//! some must not fire) run through the gate as `ci-intel check` runs it,
//! and an insta snapshot of the findings of every fixture.
//!
//! A fixture is a small repository: `.ci-intel/config.yml` and the files
//! it names (mutation reports, JUnit history, the quarantine list). Rules
//! whose findings are low or info set `fail_on` in their fixture, so each
//! rule has a fixture that denies; a fixture named `*-warns` must warn.
//!
//! `docs/tests.md` holds the rules' doc comments between markers; refresh
//! it with `UPDATE_DOCS=1 cargo test -p ci-intel-tests --test rules`.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::path::{Path, PathBuf};

use chrono::TimeZone;
use ci_intel_core::checkout::Checkout;
use ci_intel_core::config::{self, Sections};
use ci_intel_core::gate::{self, GateContext, GateResult, GateStatus};
use ci_intel_core::{OutputFormat, Report, RunnerEnv, render};
use ci_intel_tests::TestsGate;
use ci_intel_tests::rules::RULES;

const SECTIONS: [&str; 4] = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Fix",
];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rule_doc(id: &str) -> String {
    let path = crate_dir()
        .join("src/rules")
        .join(format!("{}.rs", id.replace('-', "_")));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| {
            l.strip_prefix("//! ")
                .unwrap_or(l.trim_start_matches("//!"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn cases(rule: &str, kind: &str) -> Vec<PathBuf> {
    let dir = crate_dir().join("tests/fixtures").join(rule).join(kind);
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| {
            d.map(|e| e.unwrap().path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Run the gate on a fixture repository on 2026-06-01.
pub fn run_gate(dir: &Path) -> GateResult {
    let config_path = dir.join(".ci-intel/config.yml");
    let text = std::fs::read_to_string(&config_path).ok();
    let loaded = config::load_from_texts(
        None,
        text.as_deref().map(|t| (config_path.as_path(), t)),
        &Sections::partial([ci_intel_tests::gate::section()]),
    )
    .unwrap();
    let checkout = Checkout::open(dir).unwrap();
    let env = RunnerEnv::default();
    let ctx = GateContext {
        checkout: &checkout,
        core: &loaded.config,
        env: &env,
        now: chrono::Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap(),
    };
    gate::evaluate(&TestsGate, &loaded, &ctx)
}

fn snapshot_name(rule: &str, kind: &str, case: &Path) -> String {
    format!(
        "{rule}__{kind}__{}",
        case.file_name().unwrap().to_string_lossy()
    )
}

#[test]
fn every_rule_is_documented() {
    for rule in RULES {
        let doc = rule_doc(rule.id);
        for section in SECTIONS {
            assert!(doc.contains(section), "{}: missing `{section}`", rule.id);
        }
    }
}

#[test]
fn every_rule_fires_and_denies_on_its_fixtures_and_stays_quiet_on_the_others() {
    for rule in RULES {
        let fires = cases(rule.id, "fires");
        let quiet = cases(rule.id, "quiet");
        assert!(!fires.is_empty(), "{}: no fixture under fires/", rule.id);
        assert!(!quiet.is_empty(), "{}: no fixture under quiet/", rule.id);
        for case in fires {
            let result = run_gate(&case);
            assert!(
                result.findings.iter().any(|f| f.rule_id == rule.id),
                "{} must fire on {}: {:?} {:?}",
                rule.id,
                case.display(),
                result.status,
                result.findings
            );
            // A fixture named `*-warns` shows the warning level of a rule.
            let expected = if case.to_string_lossy().ends_with("-warns") {
                GateStatus::Warn
            } else {
                GateStatus::Deny
            };
            assert_eq!(result.status, expected, "{} on {}", rule.id, case.display());
            let report = Report::new(
                ci_intel_core::ToolInfo::new("ci-intel-tests", "test"),
                Vec::new(),
                result.findings.clone(),
            );
            insta::assert_snapshot!(
                snapshot_name(rule.id, "fires", &case),
                format!(
                    "{}\n{}",
                    result.reason(),
                    render::render(&report, OutputFormat::Human)
                )
            );
        }
        for case in quiet {
            let result = run_gate(&case);
            assert!(
                !result.findings.iter().any(|f| f.rule_id == rule.id),
                "{} must not fire on {}: {:?}",
                rule.id,
                case.display(),
                result.findings
            );
            assert!(
                !matches!(result.status, GateStatus::Error(_)),
                "{}: {}",
                case.display(),
                result.checked
            );
        }
    }
}

#[test]
fn a_plain_repository_has_nothing_to_check_and_skips() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "hello\n").unwrap();
    let result = run_gate(dir.path());
    assert_eq!(result.status, GateStatus::Skip, "{}", result.checked);
    assert!(
        result.checked.contains("tests.allow_empty: true"),
        "{}",
        result.checked
    );
    // With allow_empty false, nothing to check denies.
    std::fs::create_dir_all(dir.path().join(".ci-intel")).unwrap();
    std::fs::write(
        dir.path().join(".ci-intel/config.yml"),
        "tests:\n  allow_empty: false\n",
    )
    .unwrap();
    assert_eq!(run_gate(dir.path()).status, GateStatus::Deny);
}

#[test]
fn a_malformed_quarantine_list_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".ci-intel")).unwrap();
    std::fs::write(
        dir.path().join(".ci-intel/quarantine.yml"),
        "version: 1\nquarantine:\n  - test: a\n    owner: o\n    expires: someday\n    reason: r\n",
    )
    .unwrap();
    let result = run_gate(dir.path());
    assert_eq!(
        result.status,
        GateStatus::Error(ci_intel_core::ExitCode::Usage)
    );
    assert!(
        result.checked.contains("quarantine[0].expires"),
        "{}",
        result.checked
    );
}

#[test]
fn the_evidence_names_every_input_with_its_digest() {
    let case = crate_dir().join("tests/fixtures/new-flaky-test/quiet/quarantined");
    let result = run_gate(&case);
    let paths: Vec<&str> = result.inputs.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            ".ci-intel/quarantine.yml",
            "junit/run-1/junit.xml",
            "junit/run-2/junit.xml"
        ]
    );
    assert!(result.inputs.iter().all(|i| i.sha256.len() == 64));
    assert_eq!(result.counts["runs"], 2);
    assert_eq!(result.counts["quarantined"], 1);
}

const DOCS_BEGIN: &str = "<!-- rules:begin (generated from crates/tests/src/rules/*.rs; UPDATE_DOCS=1 cargo test -p ci-intel-tests --test rules) -->";
const DOCS_END: &str = "<!-- rules:end -->";

#[test]
fn docs_tests_md_carries_every_rules_documentation() {
    let mut generated = String::new();
    for rule in RULES {
        // The rule's sections sit below its own heading.
        let doc: Vec<String> = rule_doc(rule.id)
            .lines()
            .map(|l| match l.strip_prefix("## ") {
                Some(title) => format!("#### {title}"),
                None => l.to_owned(),
            })
            .collect();
        generated.push_str(&format!("\n### `{}`\n\n{}\n", rule.id, doc.join("\n")));
    }
    let docs_path = crate_dir().join("../../docs/tests.md");
    let docs = std::fs::read_to_string(&docs_path).unwrap_or_default();
    let (Some(begin), Some(end)) = (docs.find(DOCS_BEGIN), docs.find(DOCS_END)) else {
        panic!("docs/tests.md must hold the rules between `{DOCS_BEGIN}` and `{DOCS_END}`");
    };
    let current = &docs[begin + DOCS_BEGIN.len()..end];
    let wanted = format!("{generated}\n");
    if current != wanted {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            let updated = format!("{}{DOCS_BEGIN}{wanted}{}", &docs[..begin], &docs[end..]);
            std::fs::write(&docs_path, updated).unwrap();
        } else {
            panic!(
                "docs/tests.md is out of date with the rules' doc comments; run UPDATE_DOCS=1 cargo test -p ci-intel-tests --test rules"
            );
        }
    }
}
