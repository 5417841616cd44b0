#![allow(clippy::unwrap_used)]
//! Every gate rule fires on its `fires` fixture (snapshot of the findings)
//! and stays quiet on its `quiet` one; every rule is documented; the gate
//! skips an unconfigured repository and denies a broken allowlist.

use std::path::{Path, PathBuf};

use ci_intel_core::checkout::Checkout;
use ci_intel_core::config::{Sections, load_from_texts};
use ci_intel_core::gate::{DynGate, GateContext, GateStatus};
use ci_intel_core::{Finding, RunnerEnv};
use ci_intel_egress::config::EgressConfig;
use ci_intel_egress::rules::{self, Ctx, RULES};
use ci_intel_egress::{EgressGate, gate};

fn fixture(rule: &str, case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rule)
        .join(case)
}

fn findings(dir: &Path) -> Vec<Finding> {
    let path = dir.join(".ci-intel/config.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let loaded = load_from_texts(
        None,
        Some((Path::new(".ci-intel/config.yml"), &text)),
        &Sections::partial([gate::section()]),
    )
    .unwrap();
    let config: EgressConfig = loaded.section("egress").unwrap();
    rules::check(&Ctx {
        config: &config,
        file: ".ci-intel/config.yml",
        text: Some(&text),
    })
}

fn run_gate(dir: &Path) -> ci_intel_core::gate::GateResult {
    let text = std::fs::read_to_string(dir.join(".ci-intel/config.yml")).unwrap_or_default();
    let sections = Sections::complete([DynGate::section(&EgressGate)]);
    let loaded = load_from_texts(
        None,
        Some((Path::new(".ci-intel/config.yml"), &text)),
        &sections,
    )
    .unwrap();
    let checkout = Checkout::open(dir).unwrap();
    let env = RunnerEnv::default();
    let ctx = GateContext {
        checkout: &checkout,
        core: &loaded.config,
        env: &env,
        now: chrono::Utc::now(),
    };
    DynGate::evaluate(&EgressGate, &loaded, &ctx)
}

#[test]
fn every_rule_fires_and_stays_quiet_on_its_fixtures() {
    for rule in RULES {
        let fired: Vec<Finding> = findings(&fixture(rule.id, "fires"))
            .into_iter()
            .filter(|f| f.rule_id == rule.id)
            .collect();
        assert!(!fired.is_empty(), "{} did not fire", rule.id);
        insta::assert_json_snapshot!(format!("{}-fires", rule.id), fired);
        let quiet = findings(&fixture(rule.id, "quiet"));
        assert!(
            quiet.is_empty(),
            "{} quiet fixture has findings: {quiet:#?}",
            rule.id
        );
    }
}

#[test]
fn the_builtin_smoke_targets_are_checked_when_none_are_configured() {
    let found = findings(&fixture("smoke-inconsistent", "builtin-fires"));
    let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(found.len(), 2, "{messages:#?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("api.github.com:443 must be reachable"))
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("example.com:443 must be unreachable"))
    );
    assert!(
        found
            .iter()
            .all(|f| f.severity == ci_intel_core::Severity::Medium)
    );
}

#[test]
fn every_rule_is_documented() {
    for rule in RULES {
        let doc = rules::doc_of(rule.id).unwrap_or_else(|| panic!("{} has no docs", rule.id));
        for heading in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Fix",
        ] {
            assert!(doc.contains(heading), "{}: {heading}", rule.id);
        }
    }
    assert_eq!(rules::DOCS.len(), RULES.len());
}

#[test]
fn findings_point_at_the_line_of_the_entry() {
    let found = findings(&fixture("invalid-entry", "fires"));
    let cidr = found
        .iter()
        .find(|f| f.message.contains("10.0.0.1/8"))
        .unwrap();
    assert_eq!(cidr.location.as_ref().unwrap().line, Some(7));
}

#[test]
fn the_gate_skips_nothing_configured_and_denies_a_broken_allowlist() {
    let empty = tempfile::tempdir().unwrap();
    let result = run_gate(empty.path());
    assert_eq!(result.status, GateStatus::Skip, "{}", result.checked);
    assert!(
        result.checked.contains("no egress allowlist"),
        "{}",
        result.checked
    );

    let broken = run_gate(&fixture("invalid-entry", "fires"));
    assert_eq!(broken.status, GateStatus::Deny, "{}", broken.checked);
    assert_eq!(broken.inputs.len(), 1);
    assert_eq!(broken.inputs[0].path, ".ci-intel/config.yml");

    let good = run_gate(&fixture("invalid-entry", "quiet"));
    assert_eq!(good.status, GateStatus::Pass, "{:#?}", good.findings);

    // allow_empty: false turns "nothing configured" into a denial.
    let strict = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(strict.path().join(".ci-intel")).unwrap();
    std::fs::write(
        strict.path().join(".ci-intel/config.yml"),
        "egress:\n  allow_empty: false\n",
    )
    .unwrap();
    assert_eq!(run_gate(strict.path()).status, GateStatus::Deny);
}

#[test]
fn an_org_locked_allowlist_may_only_shrink() {
    let org = "lock: [egress.allow]\negress:\n  allow: [pypi.org, crates.io]\n";
    let sections = Sections::partial([gate::section()]);
    let narrower = load_from_texts(
        Some((Path::new("org.yml"), org)),
        Some((Path::new("c.yml"), "egress:\n  allow: [pypi.org]\n")),
        &sections,
    );
    assert!(narrower.is_ok());
    let wider = load_from_texts(
        Some((Path::new("org.yml"), org)),
        Some((
            Path::new("c.yml"),
            "egress:\n  allow: [pypi.org, evil.example]\n",
        )),
        &sections,
    );
    let err = wider.unwrap_err();
    assert!(err.message.contains("egress.allow"), "{}", err.message);
    assert_eq!(err.code, ci_intel_core::ExitCode::Usage);
}
