#![allow(clippy::unwrap_used)]
//! The `secrets` gate of `ci-intel check`: a committed credential denies, the
//! summary never shows its value, and a baseline entry (owner, reason,
//! expiry) is honoured only until it expires.

use ci_intel::check::{GateStatus, check, table};
use ci_intel_core::ExitCode;
use ci_intel_secrets::detect::synthetic::fake;

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn secrets_gate(outcome: &ci_intel::check::CheckOutcome) -> &ci_intel::check::GateResult {
    outcome.gates.iter().find(|g| g.id == "secrets").unwrap()
}

#[test]
fn a_committed_token_denies_without_showing_it() {
    let token = fake("ghp", "check-gate").unwrap();
    let dir = repo(&[("deploy.sh", &format!("export GH_TOKEN={token}\n"))]);
    let outcome = check(dir.path(), None, false);
    let gate = secrets_gate(&outcome);
    assert_eq!(gate.status, GateStatus::Deny, "{}", table(&outcome));
    assert_eq!(gate.findings.len(), 1);
    assert_eq!(gate.findings[0].rule_id, "github-pat-classic");
    assert_eq!(outcome.exit, ExitCode::Deny);
    let everything = format!(
        "{}{:?}{}",
        table(&outcome),
        outcome.findings(),
        serde_json::to_string(
            &outcome
                .gates
                .iter()
                .map(|g| g.decision())
                .collect::<Vec<_>>()
        )
        .unwrap()
    );
    assert!(
        !everything.contains(&token),
        "the token leaked into check's output"
    );
}

#[test]
fn a_clean_tree_passes_and_disabling_the_gate_is_recorded_as_a_skip() {
    let dir = repo(&[("README.md", "# nothing to see\n")]);
    let outcome = check(dir.path(), None, false);
    assert_eq!(secrets_gate(&outcome).status, GateStatus::Pass);
    assert!(secrets_gate(&outcome).checked.contains("1 file(s) scanned"));
    std::fs::create_dir_all(dir.path().join(".ci-intel")).unwrap();
    std::fs::write(
        dir.path().join(".ci-intel/config.yml"),
        "secrets:\n  enabled: false\n",
    )
    .unwrap();
    let outcome = check(dir.path(), None, true);
    assert_eq!(secrets_gate(&outcome).status, GateStatus::Skip);
}

#[test]
fn an_org_locked_allowlist_cannot_be_widened_by_the_repository() {
    let token = fake("ghp", "locked").unwrap();
    let dir = repo(&[
        ("ops/deploy.sh", &format!("GH_TOKEN={token}\n")),
        (
            ".ci-intel/config.yml",
            "secrets:\n  allowlist:\n    paths: [\"ops/**\"]\n",
        ),
        (
            "org.yml",
            "secrets:\n  allowlist:\n    paths: []\nlock: [secrets.allowlist.paths]\n",
        ),
    ]);
    let outcome = check(dir.path(), Some(&dir.path().join("org.yml")), false);
    assert_eq!(outcome.exit, ExitCode::Usage, "{}", table(&outcome));
    // Without the org overlay the repository's allowlist applies.
    let outcome = check(dir.path(), None, false);
    assert_eq!(
        secrets_gate(&outcome).status,
        GateStatus::Pass,
        "{}",
        table(&outcome)
    );
}

#[test]
fn a_malformed_baseline_is_a_configuration_error_not_a_pass() {
    let dir = repo(&[
        ("README.md", "# nothing to see\n"),
        (".ci-intel/secrets-baseline.json", "{ not json"),
    ]);
    let outcome = check(dir.path(), None, false);
    let gate = secrets_gate(&outcome);
    assert_eq!(
        gate.status,
        GateStatus::Error(ExitCode::Usage),
        "{}",
        table(&outcome)
    );
    assert!(
        gate.checked.contains("secrets-baseline.json"),
        "{}",
        gate.checked
    );
    assert_eq!(outcome.exit, ExitCode::Usage);
}
