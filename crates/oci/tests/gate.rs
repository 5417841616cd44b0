//! The `oci` gate under the shared gate policy: offline, over OCI layouts
//! listed in `.ci-intel/config.yml` (a copy of the real regclient layout).

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use ci_intel_core::checkout::Checkout;
use ci_intel_core::config::{Sections, load_from_texts};
use ci_intel_core::gate::{DynGate, GateContext, GateResult, GateStatus};
use ci_intel_core::{ExitCode, RunnerEnv};
use ci_intel_oci::OciGate;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn decide(checkout_dir: &Path, config: &str) -> GateResult {
    let sections = Sections::complete([DynGate::section(&OciGate)]);
    let loaded = load_from_texts(
        None,
        Some((Path::new(".ci-intel/config.yml"), config)),
        &sections,
    )
    .expect("config loads");
    let checkout = Checkout::open(checkout_dir).unwrap();
    let env = RunnerEnv::default();
    let ctx = GateContext {
        checkout: &checkout,
        core: &loaded.config,
        env: &env,
        now: chrono::Utc::now(),
    };
    DynGate::evaluate(&OciGate, &loaded, &ctx)
}

fn with_layout() -> Option<tempfile::TempDir> {
    let layout = common::testrepo()?;
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&layout, &dir.path().join("build/image"));
    Some(dir)
}

const TYPES: &str = "  types:\n    sbom: [application/example.sbom]\n    signature: [application/example.signature]\n";

#[test]
fn nothing_listed_is_a_skip_by_the_hub_default_and_a_denial_when_not_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let result = decide(dir.path(), "");
    assert_eq!(result.status, GateStatus::Skip);
    assert!(result.checked.contains("no OCI layout listed"));
    let result = decide(dir.path(), "oci:\n  allow_empty: false\n");
    assert_eq!(result.status, GateStatus::Deny);
}

#[test]
fn allow_when_the_required_referrers_hang_on_the_image() {
    let Some(dir) = with_layout() else { return };
    let config = format!(
        "oci:\n  require: [sbom, signature]\n{TYPES}  layouts:\n    - path: build/image\n      image: v2\n"
    );
    let result = decide(dir.path(), &config);
    assert_eq!(result.status, GateStatus::Pass, "{:#?}", result.findings);
    assert_eq!(result.inputs[0].path, "build/image/index.json");
    assert!(
        result.subjects[0]
            .path
            .ends_with("@sha256:dfae8f425735a5e3a72e40d6609e03079995511d48157c74d54801ff4430491e")
    );
}

#[test]
fn deny_when_provenance_is_missing_even_if_fail_on_is_critical() {
    let Some(dir) = with_layout() else { return };
    let config = format!(
        "fail_on: critical\noci:\n  require: [sbom, provenance]\n{TYPES}  layouts:\n    - path: build/image\n      image: v2\n"
    );
    let result = decide(dir.path(), &config);
    assert_eq!(result.status, GateStatus::Deny);
    assert_eq!(result.findings.len(), 1);
    assert_eq!(result.findings[0].rule_id, "oci-required-missing");
}

#[test]
fn deny_a_listed_layout_that_is_absent() {
    let dir = tempfile::tempdir().unwrap();
    let result = decide(
        dir.path(),
        "oci:\n  layouts:\n    - path: build/image\n      image: v1\n",
    );
    assert_eq!(result.status, GateStatus::Deny);
    assert_eq!(result.findings[0].rule_id, "oci-subject-missing");
}

#[test]
fn an_unknown_required_kind_is_a_configuration_error() {
    let Some(dir) = with_layout() else { return };
    let result = decide(
        dir.path(),
        "oci:\n  require: [sbom, blessing]\n  layouts:\n    - path: build/image\n      image: v2\n",
    );
    assert_eq!(result.status, GateStatus::Error(ExitCode::Usage));
    assert!(result.checked.contains("blessing"), "{}", result.checked);
}

#[test]
fn a_layout_entry_can_only_add_requirements() {
    let Some(dir) = with_layout() else { return };
    let config = format!(
        "oci:\n  require: [sbom]\n{TYPES}  layouts:\n    - path: build/image\n      image: v2\n      require: [signature]\n    - path: build/image\n      image: v2\n      require: [vex]\n"
    );
    let result = decide(dir.path(), &config);
    assert_eq!(result.status, GateStatus::Deny);
    assert_eq!(result.findings.len(), 1);
    assert!(result.findings[0].message.contains("no vex referrer"));
}
