//! The OCI 1.1 referrers API path. No registry installable here implements
//! it, so these run against the in-test registry of `common`, written to
//! the distribution-spec's "Listing Referrers" section (filtering by
//! `artifactType` with `OCI-Filters-Applied`, pagination by `Link`), and
//! its "Pushing Manifests with Subject" (`OCI-Subject`), plus conditional
//! requests (`If-Match` / `If-None-Match`) for the fallback path.

#![allow(clippy::unwrap_used)]

mod common;

use ci_intel_oci::digest::Digest;
use common::{Behaviour, TestRegistry, artifact, bin};
use serde_json::{Value, json};

const IMAGE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// A small image manifest as the subject, and `n` referrers of `types`.
fn seed(reg: &TestRegistry, repo: &str, types: &[&str]) -> Digest {
    let config = reg.put_blob(repo, b"{\"architecture\":\"amd64\",\"os\":\"linux\"}");
    let layer = reg.put_blob(repo, b"layer");
    let image = json!({
        "schemaVersion": 2,
        "mediaType": IMAGE_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config.to_string(), "size": 37},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer.to_string(), "size": 5}],
    });
    let bytes = serde_json::to_vec(&image).unwrap();
    let subject = reg.put_manifest(repo, &bytes, IMAGE_MANIFEST, Some("v1"));
    reg.put_blob(repo, b"{}");
    for (n, t) in types.iter().enumerate() {
        let content = format!("{{\"n\":{n}}}");
        reg.put_blob(repo, content.as_bytes());
        let m = artifact(t, content.as_bytes(), &subject, IMAGE_MANIFEST, bytes.len());
        reg.put_manifest(repo, &m, IMAGE_MANIFEST, None);
    }
    subject
}

fn referrers(reg: &TestRegistry, repo: &str, subject: &Digest, extra: &[&str]) -> (i32, Value) {
    let out = bin()
        .arg("referrers")
        .arg(format!("{}/{repo}@{subject}", reg.addr))
        .args(["--insecure-registry", &reg.addr, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        json!({"stdout": String::from_utf8_lossy(&out.stdout), "stderr": String::from_utf8_lossy(&out.stderr)})
    });
    (out.status.code().unwrap_or(-1), json)
}

fn kinds_found(json: &Value) -> Vec<String> {
    let mut kinds: Vec<String> = json["targets"][0]["referrers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap_or("-").to_owned())
        .collect();
    kinds.sort();
    kinds
}

#[test]
fn the_referrers_api_is_used_and_its_pages_followed() {
    let reg = TestRegistry::start(Behaviour {
        page_size: Some(2),
        ..Behaviour::default()
    });
    let subject = seed(
        &reg,
        "app",
        &[
            "application/spdx+json",
            "application/vnd.cyclonedx+json",
            "application/vnd.in-toto+json",
            "application/openvex+json",
            "application/example.other",
        ],
    );
    let (code, json) = referrers(&reg, "app", &subject, &["--require", "sbom,provenance,vex"]);
    assert_eq!(code, 0, "{json:#}");
    let t = &json["targets"][0];
    assert_eq!(t["path"], "referrers-api");
    assert_eq!(t["pages"], 3);
    assert_eq!(t["fallback_tag"], Value::Null);
    assert_eq!(
        kinds_found(&json),
        vec!["-", "provenance", "sbom", "sbom", "vex"]
    );
}

#[test]
fn a_server_side_filter_is_trusted_only_when_the_registry_says_it_applied_it() {
    for filtering in [true, false] {
        let reg = TestRegistry::start(Behaviour {
            filtering,
            ..Behaviour::default()
        });
        let subject = seed(
            &reg,
            "app",
            &["application/spdx+json", "application/example.other"],
        );
        let (code, json) = referrers(
            &reg,
            "app",
            &subject,
            &[
                "--require",
                "sbom",
                "--artifact-type",
                "application/spdx+json",
            ],
        );
        assert_eq!(code, 0, "{json:#}");
        let t = &json["targets"][0];
        assert_eq!(kinds_found(&json), vec!["sbom"], "filtering={filtering}");
        let applied: Vec<&str> = t["filters_applied"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(applied.is_empty(), !filtering);
    }
}

#[test]
fn require_api_denies_on_a_registry_without_it() {
    let reg = TestRegistry::start(Behaviour {
        referrers_api: false,
        ..Behaviour::default()
    });
    let subject = seed(&reg, "app", &[]);
    let (code, json) = referrers(
        &reg,
        "app",
        &subject,
        &["--require", "sbom", "--require-api"],
    );
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(json["findings"][0]["rule_id"], "oci-referrers-api-required");
}

#[test]
fn a_registry_that_normalises_the_fallback_tag_to_the_subject_is_denied() {
    let reg = TestRegistry::start(Behaviour {
        referrers_api: false,
        normalise_fallback_tags: true,
        ..Behaviour::default()
    });
    let subject = seed(&reg, "app", &["application/spdx+json"]);
    let (code, json) = referrers(&reg, "app", &subject, &["--require", "sbom"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(json["findings"][0]["rule_id"], "oci-fallback-is-subject");
}

#[test]
fn a_listed_referrer_whose_manifest_names_another_subject_is_not_counted() {
    let reg = TestRegistry::start(Behaviour::default());
    let subject = seed(&reg, "app", &[]);
    let other = Digest::sha256_of(b"another image");
    let forged = artifact("application/spdx+json", b"{}", &other, IMAGE_MANIFEST, 10);
    let forged_digest = reg.put_manifest("app", &forged, IMAGE_MANIFEST, None);
    // The registry's listing is built from subjects, so the forged one is
    // not listed for `subject`: only a lying fallback index can list it.
    let (code, json) = referrers(&reg, "app", &subject, &["--require", "sbom"]);
    assert_eq!(code, 1);
    assert_eq!(json["findings"][0]["rule_id"], "oci-required-missing");
    let reg2 = TestRegistry::start(Behaviour {
        referrers_api: false,
        ..Behaviour::default()
    });
    let subject = seed(&reg2, "app", &[]);
    reg2.put_manifest("app", &forged, IMAGE_MANIFEST, None);
    let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": IMAGE_MANIFEST, "digest": forged_digest.to_string(), "size": forged.len(), "artifactType": "application/spdx+json"}]});
    reg2.put_manifest(
        "app",
        &serde_json::to_vec(&index).unwrap(),
        "application/vnd.oci.image.index.v1+json",
        Some(&subject.fallback_tag()),
    );
    let (code, json) = referrers(&reg2, "app", &subject, &["--require", "sbom"]);
    assert_eq!(code, 1);
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        vec!["oci-referrer-subject-mismatch", "oci-required-missing"]
    );
}

fn push(reg: &TestRegistry, file: &std::path::Path, subject: &Digest) -> (String, Value) {
    let out = bin()
        .arg("push-evidence")
        .arg(file)
        .args([
            "--to",
            &format!("{}/app", reg.addr),
            "--subject",
            &subject.to_string(),
        ])
        .args(["--insecure-registry", &reg.addr, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    (json["digest"].as_str().unwrap().to_owned(), json)
}

#[test]
fn push_evidence_on_a_registry_with_the_api_needs_no_fallback_index() {
    let reg = TestRegistry::start(Behaviour::default());
    let subject = seed(&reg, "app", &[]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bundle.json");
    std::fs::write(&file, "{}").unwrap();
    let (digest, outcome) = push(&reg, &file, &subject);
    assert_eq!(outcome["path"], "referrers-api");
    assert_eq!(outcome["index_writes"], 0);
    let (code, json) = referrers(&reg, "app", &subject, &["--require", ""]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(
        json["targets"][0]["referrers"][0]["digest"],
        digest.as_str()
    );
}

#[test]
fn eight_parallel_push_evidence_to_one_subject_through_the_fallback_leave_eight_referrers() {
    let reg = TestRegistry::start(Behaviour {
        referrers_api: false,
        conditional: true,
        ..Behaviour::default()
    });
    let subject = seed(&reg, "app", &[]);
    let dir = tempfile::tempdir().unwrap();
    let outcomes: Vec<(String, Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|n| {
                let file = dir.path().join(format!("evidence-{n}.json"));
                std::fs::write(&file, format!("{{\"n\":{n}}}")).unwrap();
                let (reg, subject) = (&reg, &subject);
                s.spawn(move || push(reg, &file, subject))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (_, o) in &outcomes {
        assert_eq!(o["path"], "tag-schema");
        assert_eq!(o["conditional"], "honoured");
    }
    let (code, json) = referrers(&reg, "app", &subject, &["--require", ""]);
    assert_eq!(code, 0, "{json:#}");
    let mut listed: Vec<String> = json["targets"][0]["referrers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["digest"].as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    let mut pushed: Vec<String> = outcomes.into_iter().map(|(d, _)| d).collect();
    pushed.sort();
    pushed.dedup();
    assert_eq!(pushed.len(), 8);
    assert_eq!(listed, pushed);
}

const ORAS_PUSH_WITH_SUBJECT: &str = r#"
import sys, os
import oras.provider, oras.oci
registry, repo, subject, size, path = sys.argv[1:6]
r = oras.provider.Registry(hostname=registry, insecure=True)
config = os.path.join(os.path.dirname(path), "config.json")
open(config, "w").write("{}")
resp = r.push(target=f"{registry}/{repo}:sbom", files=[path + ":application/vnd.cyclonedx+json"],
              manifest_config=config + ":application/vnd.cyclonedx+json",
              subject=oras.oci.Subject(mediaType="application/vnd.oci.image.manifest.v1+json", digest=subject, size=int(size)),
              disable_path_validation=True)
print(resp.headers.get("OCI-Subject", ""))
"#;

#[test]
fn what_oras_pushes_with_a_subject_the_referrers_api_lists_and_we_find() {
    let Some(python) = common::oras_python() else {
        return;
    };
    let Some(sbom) = ci_intel_testkit::corpus(
        "supply-chain/cyclonedx/bom-examples/SBOM/laravel-7.12.0/bom.1.4.json",
    ) else {
        return;
    };
    let reg = TestRegistry::start(Behaviour::default());
    let subject = seed(&reg, "app", &[]);
    let work = tempfile::tempdir().unwrap();
    let copy = work.path().join("bom.json");
    std::fs::copy(&sbom, &copy).unwrap();
    let echoed = common::python(
        &python,
        ORAS_PUSH_WITH_SUBJECT,
        &[
            &reg.addr,
            "app",
            &subject.to_string(),
            "300",
            copy.to_str().unwrap(),
        ],
    );
    assert_eq!(echoed.trim(), subject.to_string());
    let (code, json) = referrers(&reg, "app", &subject, &["--require", "sbom", "--verify"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["targets"][0]["path"], "referrers-api");
    assert_eq!(
        json["targets"][0]["referrers"][0]["verified"]["result"],
        "pass"
    );
}
