//! The `sarif` gate (the suppressions file) under core's shared policy: no file is a skip
//! (hub default `sarif.allow_empty: true`), a good file passes, a bad one
//! denies, a malformed one is a configuration error, and the org can lock
//! a lower `max_suppression_days`.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::path::Path;

use ci_intel_core::checkout::Checkout;
use ci_intel_core::config::{Sections, load_from_texts};
use ci_intel_core::gate::{DynGate, GateContext, GateStatus};
use ci_intel_core::{ExitCode, RunnerEnv};
use ci_intel_evidence::SuppressionsGate;
use ci_intel_evidence::config::{evidence_section, sarif_section};

fn decide(
    files: &[(&str, &str)],
    org: Option<&str>,
    repo: Option<&str>,
) -> ci_intel_core::gate::GateResult {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let target = dir.path().join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, text).unwrap();
    }
    let sections = Sections::complete([sarif_section(), evidence_section()]);
    let loaded = load_from_texts(
        org.map(|t| (Path::new("org.yml"), t)),
        repo.map(|t| (Path::new("config.yml"), t)),
        &sections,
    )
    .unwrap();
    let checkout = Checkout::open(dir.path()).unwrap();
    let env = RunnerEnv::default();
    let ctx = GateContext {
        checkout: &checkout,
        core: &loaded.config,
        env: &env,
        now: "2025-01-10T00:00:00Z".parse().unwrap(),
    };
    DynGate::evaluate(&SuppressionsGate, &loaded, &ctx)
}

const GOOD: &str = "suppressions:\n  - rule: r\n    path: a.yml\n    owner: alice\n    justification: j\n    created: 2025-01-01\n    expires: 2025-01-20\n";

#[test]
fn no_file_is_a_skip_and_a_good_file_passes() {
    let none = decide(&[("README.md", "x")], None, None);
    assert_eq!(none.status, GateStatus::Skip, "{}", none.checked);
    assert!(none.checked.contains("no .ci-intel/suppressions.yml"));
    let good = decide(&[(".ci-intel/suppressions.yml", GOOD)], None, None);
    assert_eq!(good.status, GateStatus::Pass, "{}", good.checked);
    assert_eq!(good.inputs.len(), 1);
    assert_eq!(good.counts["valid"], 1);
    let strict = decide(
        &[("README.md", "x")],
        None,
        Some("sarif:\n  allow_empty: false\n"),
    );
    assert_eq!(strict.status, GateStatus::Deny);
}

#[test]
fn expired_ownerless_and_too_long_suppressions_deny() {
    for bad in [
        GOOD.replace("2025-01-20", "2025-01-05"),
        GOOD.replace("    owner: alice\n", ""),
        GOOD.replace("2025-01-20", "2025-03-20"),
    ] {
        let result = decide(&[(".ci-intel/suppressions.yml", &bad)], None, None);
        assert_eq!(result.status, GateStatus::Deny, "{bad}");
    }
}

#[test]
fn an_org_lock_on_a_shorter_window_applies_and_cannot_be_loosened() {
    let org = "sarif:\n  max_suppression_days: 7\nlock: [sarif.max_suppression_days]\n";
    let result = decide(&[(".ci-intel/suppressions.yml", GOOD)], Some(org), None);
    assert_eq!(result.status, GateStatus::Deny, "19 days > 7");
    let sections = Sections::complete([sarif_section(), evidence_section()]);
    let err = load_from_texts(
        Some((Path::new("org.yml"), org)),
        Some((
            Path::new("config.yml"),
            "sarif:\n  max_suppression_days: 60\n",
        )),
        &sections,
    )
    .unwrap_err();
    assert_eq!(err.code, ExitCode::Usage);
    assert!(
        err.message.contains("sarif.max_suppression_days"),
        "{}",
        err.message
    );
}

#[test]
fn a_malformed_file_is_a_configuration_error() {
    let result = decide(
        &[(".ci-intel/suppressions.yml", "suppressions: [oops\n")],
        None,
        None,
    );
    assert_eq!(
        result.status,
        GateStatus::Error(ExitCode::Usage),
        "{}",
        result.checked
    );
    assert!(result.checked.contains(".ci-intel/suppressions.yml"));
}
