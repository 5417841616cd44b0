//! The binary: exit codes 0/1/2/3 with messages that name the file, where
//! in it, what was expected and what to do; output formats; `diff`;
//! `--refresh` against a loopback HTTP server only.

#![allow(clippy::unwrap_used)]

use std::path::Path;
#[cfg(feature = "refresh")]
use std::sync::Arc;
#[cfg(feature = "refresh")]
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;
use ci_intel_testkit::corpus;
use predicates::prelude::*;
use serde_json::json;

const NOW: &str = "2025-08-26T00:00:00Z";

fn vuln(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("ci-intel-vuln").unwrap();
    cmd.current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("CI_INTEL_ORG_POLICY");
    cmd
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn unreadable_or_malformed_inputs_exit_2_or_3_naming_the_place() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "broken.json",
        "{\n  \"bomFormat\": \"CycloneDX\",\n  oops\n}",
    );
    vuln(dir.path())
        .args(["check", "--sbom", "broken.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "SBOM broken.json: at line 3 column 3: expected a JSON SBOM",
        ));
    write(dir.path(), "odd.json", r#"{"hello": 1}"#);
    vuln(dir.path())
        .args(["check", "--findings", "odd.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("findings report odd.json").and(
            predicate::str::contains("found an object with the keys hello"),
        ));
    write(
        dir.path(),
        "grype.json",
        r#"{"matches": [{"vulnerability": {"id": 7}, "artifact": {"name": "a"}}]}"#,
    );
    vuln(dir.path())
        .args(["check", "--findings", "grype.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/matches/0/vulnerability/id"));
    vuln(dir.path())
        .args(["check", "--sbom", "missing.json"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("cannot read SBOM missing.json"));
}

#[test]
fn feeds_that_are_stale_or_malformed_exit_3() {
    let (Some(kev), Some(epss)) = (
        corpus("supply-chain/kev/known_exploited_vulnerabilities.json"),
        corpus("supply-chain/epss"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "grype.json", r#"{"matches": []}"#);
    vuln(dir.path())
        .args(["check", "--findings", "grype.json", "--now", "2025-09-30T00:00:00Z", "--kev"])
        .arg(&kev)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("is dated 2025-08-25 (35 day(s) before 2025-09-30), older than vuln.max_feed_age_days = 7"));
    vuln(dir.path())
        .args(["check", "--findings", "grype.json", "--now", NOW, "--kev"])
        .arg(&kev)
        .assert()
        .code(0);
    vuln(dir.path())
        .args(["check", "--findings", "grype.json", "--now", NOW, "--epss"])
        .arg(epss.join("invalid-header.csv"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "at line 2: expected the header `cve,epss,percentile`, found \"invalid,header,format\"",
        ));
    vuln(dir.path())
        .args(["check", "--findings", "grype.json", "--now", NOW, "--epss"])
        .arg(epss.join("missing-date.csv"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("score_date"));
}

#[test]
fn nothing_to_check_follows_allow_empty() {
    let dir = tempfile::tempdir().unwrap();
    vuln(dir.path())
        .arg("check")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("nothing to check"));
    write(
        dir.path(),
        "strict.yml",
        "version: 1\nvuln:\n  allow_empty: false\n",
    );
    vuln(dir.path())
        .args(["check", "--config", "strict.yml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("an empty input is not a pass"));
}

#[test]
fn json_and_sarif_outputs_carry_the_risk_parts() {
    let dir = tempfile::tempdir().unwrap();
    let grype = json!({"matches": [
        {"vulnerability": {"id": "CVE-2024-0001", "cvss": [{"version": "3.1", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]},
         "artifact": {"name": "a", "version": "1.0.0", "purl": "pkg:npm/a@1.0.0"}},
        {"vulnerability": {"id": "CVE-2024-0002", "cvss": [{"version": "3.1", "vector": "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"}]},
         "artifact": {"name": "b", "version": "2.0.0", "purl": "pkg:npm/b@2.0.0"}}
    ], "descriptor": {"name": "grype", "version": "0.96.0"}});
    write(dir.path(), "grype.json", &grype.to_string());
    let out = vuln(dir.path())
        .args([
            "check",
            "--findings",
            "grype.json",
            "--format",
            "json",
            "--sarif-output",
            "out.sarif",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["verdict"], "deny");
    let a = &report["vulnerabilities"][0];
    assert_eq!(a["decision"], "blocks");
    assert_eq!(a["risk"]["value"], 9.8);
    assert_eq!(a["risk"]["cvss"]["computed"], true);
    assert_eq!(a["scanners"][0], "grype 0.96.0");
    assert_eq!(report["vulnerabilities"][1]["decision"], "below-threshold");
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "vuln-risk");
    // A higher threshold (locked lower-is-tighter in an org policy, here the
    // repository's own choice) lets the same findings pass.
    write(
        dir.path(),
        "loose.yml",
        "version: 1\nvuln:\n  block_at: 9.9\n",
    );
    vuln(dir.path())
        .args(["check", "--findings", "grype.json", "--config", "loose.yml"])
        .assert()
        .code(0);
}

#[test]
fn an_org_lock_forbids_loosening_block_at() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "org.yml",
        "version: 1\nvuln:\n  block_at: 5\nlock: [vuln.block_at, vuln.licenses.allow]\n",
    );
    write(dir.path(), "repo.yml", "version: 1\nvuln:\n  block_at: 8\n");
    write(dir.path(), "grype.json", r#"{"matches": []}"#);
    vuln(dir.path())
        .args([
            "check",
            "--findings",
            "grype.json",
            "--config",
            "repo.yml",
            "--org-policy",
            "org.yml",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("vuln.block_at"));
    write(
        dir.path(),
        "tighter.yml",
        "version: 1\nvuln:\n  block_at: 4\n",
    );
    vuln(dir.path())
        .args([
            "check",
            "--findings",
            "grype.json",
            "--config",
            "tighter.yml",
            "--org-policy",
            "org.yml",
        ])
        .assert()
        .code(0);
}

#[test]
fn diff_prints_json_and_markdown() {
    let Some(dir) = corpus("supply-chain/cyclonedx/bom-examples/SBOM/proton-bridge") else {
        return;
    };
    let out = vuln(&dir)
        .args([
            "diff",
            "proton-bridge-v1.6.3.bom.json",
            "proton-bridge-v1.8.0.bom.json",
            "--format",
            "json",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let d: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(d["upgraded"].as_array().unwrap().len(), 7);
    assert_eq!(d["added"].as_array().unwrap().len(), 0);
    assert_eq!(d["removed"].as_array().unwrap().len(), 0);
    assert_eq!(
        d["upgraded"][0]["old_version"],
        "v0.0.0-20200423100218-dcfd1b7d2b41"
    );
    vuln(&dir)
        .args([
            "diff",
            "proton-bridge-v1.6.3.bom.json",
            "proton-bridge-v1.8.0.bom.json",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "| upgraded | golang.org/x/net | golang |",
        ));
}

#[cfg(feature = "refresh")]
/// A loopback server for --refresh: serves the corpus KEV and the EPSS
/// example gzipped, counting requests, or fails every request.
fn serve(kev: Vec<u8>, epss_gz: Vec<u8>, fail: bool) -> (String, Arc<AtomicUsize>) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            counter.fetch_add(1, Ordering::SeqCst);
            let body = if fail {
                let _ =
                    request.respond(tiny_http::Response::from_string("down").with_status_code(503));
                continue;
            } else if request.url().starts_with("/kev") {
                kev.clone()
            } else {
                epss_gz.clone()
            };
            let _ = request.respond(tiny_http::Response::from_data(body));
        }
    });
    (url, hits)
}

#[cfg(feature = "refresh")]
fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[cfg(feature = "refresh")]
#[test]
fn refresh_downloads_once_a_day_from_a_loopback_server() {
    let (Some(kev), Some(epss)) = (
        corpus("supply-chain/kev/known_exploited_vulnerabilities.json"),
        corpus("supply-chain/epss/example-1.csv"),
    ) else {
        return;
    };
    // The example's scores are from 2025-02-20: judge as of then.
    let mut kev_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&kev).unwrap()).unwrap();
    kev_json["dateReleased"] = json!("2025-02-20T00:00:00Z");
    let (url, hits) = serve(
        kev_json.to_string().into_bytes(),
        gzip(&std::fs::read(&epss).unwrap()),
        false,
    );
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "grype.json",
        r#"{"matches": [{"vulnerability": {"id": "CVE-1999-0005"}, "artifact": {"name": "a", "version": "1", "purl": "pkg:npm/a@1"}}]}"#,
    );
    let run = || {
        vuln(dir.path())
            .args([
                "check",
                "--findings",
                "grype.json",
                "--refresh",
                "--format",
                "json",
                "--now",
                "2025-02-21T00:00:00Z",
            ])
            .args([
                "--kev-url",
                &format!("{url}/kev.json"),
                "--epss-url",
                &format!("{url}/epss.csv.gz"),
            ])
            .assert()
            .get_output()
            .stdout
            .clone()
    };
    let report: serde_json::Value = serde_json::from_slice(&run()).unwrap();
    assert_eq!(
        report["vulnerabilities"][0]["risk"]["epss"]["percentile"],
        0.99214
    );
    assert_eq!(report["vulnerabilities"][0]["risk"]["epss"]["from"], "feed");
    assert!(
        dir.path()
            .join(".ci-intel/cache/vuln/kev-2025-02-21.json")
            .is_file()
    );
    assert!(
        dir.path()
            .join(".ci-intel/cache/vuln/epss-2025-02-21.csv")
            .is_file()
    );
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    // The same day again: from the cache, no request.
    run();
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[cfg(feature = "refresh")]
#[test]
fn a_failed_refresh_is_exit_3_after_one_retry() {
    let (url, hits) = serve(Vec::new(), Vec::new(), true);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "grype.json", r#"{"matches": []}"#);
    vuln(dir.path())
        .args([
            "check",
            "--findings",
            "grype.json",
            "--refresh",
            "--refresh-timeout",
            "5",
            "--now",
            NOW,
        ])
        .args([
            "--kev-url",
            &format!("{url}/kev.json"),
            "--epss-url",
            &format!("{url}/epss.csv"),
        ])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("attempt 2 of 2")
                .and(predicate::str::contains("nothing was decided")),
        );
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}
