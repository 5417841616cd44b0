#![allow(clippy::unwrap_used)]
//! The `vuln` gate of `ci-intel check`: the inputs named in the `vuln:`
//! section, judged by ci-intel-vuln's library; nothing configured is a
//! skip under the hub default.

use ci_intel::check::{GateStatus, check};
use ci_intel_core::ExitCode;

fn sbom() -> String {
    serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79", "version": 1,
        "metadata": {"component": {"type": "application", "bom-ref": "app", "name": "app", "version": "1.0.0", "purl": "pkg:github/acme/app@1.0.0"}},
        "components": [{"type": "library", "bom-ref": "a", "name": "a", "version": "1.0.0", "purl": "pkg:npm/a@1.0.0",
                        "licenses": [{"license": {"id": "MIT"}}]}],
        "dependencies": [{"ref": "app", "dependsOn": ["a"]}]
    })
    .to_string()
}

fn grype(vector: &str) -> String {
    serde_json::json!({"matches": [{
        "vulnerability": {"id": "CVE-2024-0001", "cvss": [{"version": "3.1", "vector": vector}]},
        "artifact": {"name": "a", "version": "1.0.0", "purl": "pkg:npm/a@1.0.0"}
    }], "descriptor": {"name": "grype", "version": "0.96.0"}})
    .to_string()
}

const CRITICAL: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
const LOW: &str = "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N";

fn repo(config: &str, vector: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".ci-intel")).unwrap();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    std::fs::write(dir.path().join(".ci-intel/config.yml"), config).unwrap();
    std::fs::write(dir.path().join("dist/sbom.cdx.json"), sbom()).unwrap();
    std::fs::write(dir.path().join("dist/grype.json"), grype(vector)).unwrap();
    // Build outputs are usually git-ignored; the gate finds them anyway.
    std::fs::write(dir.path().join(".gitignore"), "dist/\n").unwrap();
    dir
}

fn vuln_gate(outcome: &ci_intel::check::CheckOutcome) -> &ci_intel::check::GateResult {
    outcome.gates.iter().find(|g| g.id == "vuln").unwrap()
}

const CONFIG: &str = "vuln:\n  sboms: [dist/sbom.cdx.json]\n  findings: [dist/grype.json]\n";

#[test]
fn nothing_configured_is_a_skip_under_the_hub_default() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = check(dir.path(), None, false);
    let gate = vuln_gate(&outcome);
    assert_eq!(gate.status, GateStatus::Skip, "{gate:?}");
    assert!(
        gate.checked.contains("vuln.allow_empty: true"),
        "{}",
        gate.checked
    );
}

#[test]
fn a_risky_finding_denies_whatever_fail_on_says() {
    let dir = repo(&format!("fail_on: critical\n{CONFIG}"), CRITICAL);
    let outcome = check(dir.path(), None, false);
    let gate = vuln_gate(&outcome);
    assert_eq!(gate.status, GateStatus::Deny, "{gate:?}");
    assert!(gate.findings.iter().any(|f| f.rule_id == "vuln-risk"));
    assert_eq!(outcome.exit, ExitCode::Deny);
    // The evidence names both inputs with their digests.
    let paths: Vec<&str> = gate.inputs.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, ["dist/grype.json", "dist/sbom.cdx.json"]);
    assert!(gate.inputs.iter().all(|i| i.sha256.len() == 64));
    assert_eq!(gate.counts["blocking"], 1);
}

#[test]
fn a_low_risk_finding_passes() {
    let dir = repo(CONFIG, LOW);
    let outcome = check(dir.path(), None, false);
    let gate = vuln_gate(&outcome);
    assert_eq!(gate.status, GateStatus::Pass, "{gate:?}");
    assert_eq!(gate.counts["below_threshold"], 1);
}

#[test]
fn a_configured_input_that_is_missing_denies() {
    let dir = repo(
        "vuln:\n  sboms: [dist/missing.cdx.json]\n  findings: [dist/grype.json]\n",
        LOW,
    );
    let outcome = check(dir.path(), None, false);
    let gate = vuln_gate(&outcome);
    assert_eq!(gate.status, GateStatus::Deny, "{gate:?}");
    assert!(
        gate.findings
            .iter()
            .any(|f| f.rule_id == "input-missing" && f.message.contains("dist/missing.cdx.json"))
    );
}
