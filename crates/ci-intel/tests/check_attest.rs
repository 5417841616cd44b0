#![allow(clippy::unwrap_used)]
//! The `attest` gate of `ci-intel check`, on real slsa-github-generator and
//! BCR provenance from ../shared/corpus/slsa. Tests that need the corpus
//! skip with a printed reason when it is absent (a plain clone), unless
//! `CI_INTEL_REQUIRE_CORPUS` is set, as .ci/run does.

use std::path::{Path, PathBuf};

use ci_intel::check::{GateStatus, check};
use ci_intel_attest::gate::MISSING_ARTIFACT;
use ci_intel_core::ExitCode;

fn corpus(sub: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI_INTEL_REQUIRE_CORPUS").is_none(),
        "CI_INTEL_REQUIRE_CORPUS is set but {} is absent",
        dir.display()
    );
    println!(
        "SKIPPED: ../shared/corpus/{sub} is absent (a plain clone); .ci/run runs this with the corpus"
    );
    None
}

/// A repository with `files` copied from the corpus into `dist/` and the
/// given config.
fn repo(slsa: &Path, files: &[&str], config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    std::fs::create_dir_all(dir.path().join(".ci-intel")).unwrap();
    for file in files {
        let name = Path::new(file).file_name().unwrap();
        std::fs::copy(slsa.join(file), dir.path().join("dist").join(name)).unwrap();
    }
    std::fs::write(dir.path().join(".ci-intel/config.yml"), config).unwrap();
    dir
}

fn attest_gate(outcome: &ci_intel::check::CheckOutcome) -> &ci_intel::check::GateResult {
    outcome.gates.iter().find(|g| g.id == "attest").unwrap()
}

const GENERIC: &str = "gha_generic/v2.1.0/binary-linux-amd64-push-v14.2";

#[test]
fn configured_provenance_that_verifies_passes_the_gate() {
    let Some(slsa) = corpus("slsa") else { return };
    let dir = repo(
        &slsa,
        &[GENERIC, &format!("{GENERIC}.intoto.jsonl")],
        "attest:\n  artifacts:\n    - paths: [dist/binary-linux-amd64-push-v14.2]\n      provenance: dist/binary-linux-amd64-push-v14.2.intoto.jsonl\n      source_uri: github.com/slsa-framework/example-package\n      source_tag: v14.2\n",
    );
    let outcome = check(dir.path(), None, false);
    let gate = attest_gate(&outcome);
    assert_eq!(gate.status, GateStatus::Pass, "{gate:?}");
    assert!(
        gate.checked.contains("1 artifact verification"),
        "{}",
        gate.checked
    );
    assert_eq!(outcome.exit, ExitCode::Pass, "{outcome:?}");
}

#[test]
fn the_wrong_tag_denies_even_when_fail_on_is_critical() {
    let Some(slsa) = corpus("slsa") else { return };
    // fail_on: critical must not turn a failed verification into a warning.
    let dir = repo(
        &slsa,
        &[GENERIC, &format!("{GENERIC}.intoto.jsonl")],
        "fail_on: critical\nattest:\n  artifacts:\n    - paths: [dist/binary-linux-amd64-push-v14.2]\n      provenance: dist/binary-linux-amd64-push-v14.2.intoto.jsonl\n      source_uri: github.com/slsa-framework/example-package\n      source_tag: v14.1\n",
    );
    let outcome = check(dir.path(), None, false);
    let gate = attest_gate(&outcome);
    assert_eq!(gate.status, GateStatus::Deny, "{gate:?}");
    assert!(!gate.findings.is_empty());
    assert_eq!(outcome.exit, ExitCode::Deny);
}

#[test]
fn a_malicious_attestation_from_another_signer_denies() {
    let Some(slsa) = corpus("slsa") else { return };
    let dir = repo(
        &slsa,
        &[
            "bcr/MODULE-wrong-signer.bazel",
            "bcr/MODULE-wrong-signer.bazel.intoto.jsonl",
        ],
        "attest:\n  artifacts:\n    - paths: [dist/MODULE-wrong-signer.bazel]\n      provenance: dist/MODULE-wrong-signer.bazel.intoto.jsonl\n      source_uri: github.com/aspect-build/rules_lint\n      signer_workflow: bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml\n",
    );
    let outcome = check(dir.path(), None, false);
    let gate = attest_gate(&outcome);
    assert_eq!(gate.status, GateStatus::Deny, "{gate:?}");
    let messages: Vec<&str> = gate.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("signer") || m.contains("loosebazooka")),
        "{messages:?}"
    );
}

#[test]
fn a_configured_artifact_that_is_missing_denies() {
    let Some(slsa) = corpus("slsa") else { return };
    let dir = repo(
        &slsa,
        &[&format!("{GENERIC}.intoto.jsonl")],
        "attest:\n  artifacts:\n    - paths: [dist/binary-linux-amd64-push-v14.2]\n      provenance: dist/binary-linux-amd64-push-v14.2.intoto.jsonl\n      source_uri: github.com/slsa-framework/example-package\n",
    );
    let outcome = check(dir.path(), None, false);
    let gate = attest_gate(&outcome);
    assert_eq!(gate.status, GateStatus::Deny, "{gate:?}");
    assert_eq!(gate.findings.len(), 1);
    assert_eq!(gate.findings[0].rule_id, MISSING_ARTIFACT);
}

#[test]
fn a_missing_bundle_is_an_error_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".ci-intel")).unwrap();
    std::fs::write(dir.path().join("app"), b"bytes").unwrap();
    std::fs::write(
        dir.path().join(".ci-intel/config.yml"),
        "attest:\n  artifacts:\n    - paths: [app]\n      bundle: app.sigstore.json\n      cert_identity: https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main\n      cert_oidc_issuer: https://token.actions.githubusercontent.com\n",
    )
    .unwrap();
    let outcome = check(dir.path(), None, false);
    let gate = attest_gate(&outcome);
    assert!(
        matches!(gate.status, GateStatus::Error(ExitCode::Infra)),
        "{gate:?}"
    );
    assert!(
        gate.checked.contains("attest.artifacts[0]"),
        "{}",
        gate.checked
    );
    assert_eq!(outcome.exit, ExitCode::Infra);
}

#[test]
fn a_malformed_bundle_or_provenance_denies_with_the_reason() {
    // Present but malformed evidence proves nothing: a denial with a
    // `bundle-format` finding, as `ci-intel-attest` exits 1, not an error
    // (a missing file stays exit 3, above).
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".ci-intel")).unwrap();
    std::fs::write(dir.path().join("app"), b"bytes").unwrap();
    std::fs::write(dir.path().join("app.sigstore.json"), b"{\"mediaType\": 1}").unwrap();
    std::fs::write(dir.path().join("app.intoto.jsonl"), b"not json\n").unwrap();
    for (config, needle) in [
        (
            "attest:\n  artifacts:\n    - paths: [app]\n      bundle: app.sigstore.json\n      cert_identity: https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main\n      cert_oidc_issuer: https://token.actions.githubusercontent.com\n",
            "field `mediaType` must be a string",
        ),
        (
            "attest:\n  artifacts:\n    - paths: [app]\n      provenance: app.intoto.jsonl\n      source_uri: github.com/acme/app\n",
            "invalid JSON",
        ),
    ] {
        std::fs::write(dir.path().join(".ci-intel/config.yml"), config).unwrap();
        let outcome = check(dir.path(), None, false);
        let gate = attest_gate(&outcome);
        assert_eq!(gate.status, GateStatus::Deny, "{config}: {gate:?}");
        assert_eq!(gate.findings.len(), 1, "{gate:?}");
        assert_eq!(gate.findings[0].rule_id, "bundle-format");
        assert!(
            gate.findings[0].message.contains(needle),
            "{}",
            gate.findings[0].message
        );
        assert_eq!(outcome.exit, ExitCode::Deny);
    }
}

#[test]
fn an_entry_that_leaves_the_signer_open_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".ci-intel")).unwrap();
    std::fs::write(dir.path().join("app"), b"bytes").unwrap();
    for (config, expected) in [
        (
            "attest:\n  artifacts:\n    - paths: [app]\n      bundle: app.sigstore.json\n",
            "needs `cert_identity`",
        ),
        (
            "attest:\n  artifacts:\n    - paths: [app]\n",
            "neither `bundle` nor `provenance`",
        ),
        (
            "attest:\n  artifacts:\n    - paths: [app]\n      provenance: app.intoto.jsonl\n",
            "needs `source_uri`",
        ),
        // Two ref policies in one entry: the tag used to win silently.
        (
            "attest:\n  artifacts:\n    - paths: [app]\n      provenance: app.intoto.jsonl\n      source_uri: github.com/o/r\n      source_tag: v1.2.3\n      source_versioned_tag: v1\n",
            "source_tag and source_versioned_tag are given together",
        ),
        (
            "attest:\n  artifacts:\n    - paths: [app]\n      provenance: app.intoto.jsonl\n      source_uri: github.com/o/r\n      source_branch: main\n      source_tag: v1\n",
            "source_tag and source_branch are given together",
        ),
        (
            "attest:\n  artifacts:\n    - paths: [app]\n      provenance: app.intoto.jsonl\n      source_uri: github.com/o/r\n      source_versioned_tag: one\n",
            "source_versioned_tag `one` is not a semver version",
        ),
    ] {
        std::fs::write(dir.path().join(".ci-intel/config.yml"), config).unwrap();
        let outcome = check(dir.path(), None, false);
        let gate = attest_gate(&outcome);
        assert!(
            matches!(gate.status, GateStatus::Error(ExitCode::Usage)),
            "{config}: {gate:?}"
        );
        assert!(
            gate.checked.contains(expected),
            "{config}: {}",
            gate.checked
        );
    }
}

#[test]
fn no_artifact_configured_skips_only_when_allowed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".ci-intel")).unwrap();
    std::fs::write(dir.path().join(".ci-intel/config.yml"), "version: 1\n").unwrap();
    let outcome = check(dir.path(), None, true);
    assert_eq!(attest_gate(&outcome).status, GateStatus::Skip);
    std::fs::write(
        dir.path().join(".ci-intel/config.yml"),
        "attest:\n  allow_empty: false\n",
    )
    .unwrap();
    let outcome = check(dir.path(), None, true);
    assert_eq!(attest_gate(&outcome).status, GateStatus::Deny);
}
