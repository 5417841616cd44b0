//! `parity`: the platform images of one index, each with a real CycloneDX
//! SBOM (proton-bridge v1.6.3 and v1.8.0 from CycloneDX/bom-examples, whose
//! expected difference is 7 Go module version bumps and nothing added or
//! removed), pushed with `push-evidence` to the in-test registry.

#![allow(clippy::unwrap_used)]

mod common;

use ci_intel_oci::digest::Digest;
use common::{Behaviour, TestRegistry, bin};
use serde_json::{Value, json};

const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const INDEX: &str = "application/vnd.oci.image.index.v1+json";

fn platform_image(reg: &TestRegistry, arch: &str) -> (Digest, usize) {
    let config = format!("{{\"architecture\":\"{arch}\",\"os\":\"linux\"}}");
    let c = reg.put_blob("app", config.as_bytes());
    let m = json!({"schemaVersion": 2, "mediaType": MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": c.to_string(), "size": config.len()},
        "layers": []});
    let bytes = serde_json::to_vec(&m).unwrap();
    (reg.put_manifest("app", &bytes, MANIFEST, None), bytes.len())
}

fn index(reg: &TestRegistry, children: &[(&str, Digest, usize)]) -> Digest {
    let manifests: Vec<Value> = children
        .iter()
        .map(|(arch, d, size)| json!({"mediaType": MANIFEST, "digest": d.to_string(), "size": size, "platform": {"os": "linux", "architecture": arch}}))
        .collect();
    let bytes = serde_json::to_vec(
        &json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": manifests}),
    )
    .unwrap();
    reg.put_manifest("app", &bytes, INDEX, Some("v1"))
}

fn push_sbom(reg: &TestRegistry, file: &std::path::Path, subject: &Digest) {
    let out = bin()
        .arg("push-evidence")
        .arg(file)
        .args([
            "--to",
            &format!("{}/app", reg.addr),
            "--subject",
            &subject.to_string(),
        ])
        .args([
            "--artifact-type",
            "application/vnd.cyclonedx+json",
            "--insecure-registry",
            &reg.addr,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn parity(reg: &TestRegistry, index: &Digest, extra: &[&str]) -> (i32, Value) {
    let out = bin()
        .arg("parity")
        .arg(format!("{}/app@{index}", reg.addr))
        .args(["--insecure-registry", &reg.addr, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
    )
}

#[test]
fn parity_lists_each_difference_and_honours_allow() {
    let Some(dir) =
        ci_intel_testkit::corpus("supply-chain/cyclonedx/bom-examples/SBOM/proton-bridge")
    else {
        return;
    };
    let reg = TestRegistry::start(Behaviour::default());
    let (amd, amd_size) = platform_image(&reg, "amd64");
    let (arm, arm_size) = platform_image(&reg, "arm64");
    let (s390, s390_size) = platform_image(&reg, "s390x");
    let idx = index(
        &reg,
        &[
            ("amd64", amd.clone(), amd_size),
            ("arm64", arm.clone(), arm_size),
        ],
    );
    push_sbom(&reg, &dir.join("proton-bridge-v1.6.3.bom.json"), &amd);
    push_sbom(&reg, &dir.join("proton-bridge-v1.8.0.bom.json"), &arm);
    let (code, json) = parity(&reg, &idx, &[]);
    assert_eq!(code, 1, "{json:#}");
    let differences = json["differences"].as_array().unwrap();
    assert_eq!(differences.len(), 7, "{json:#}");
    assert!(
        differences
            .iter()
            .all(|d| d["absent"].as_array().unwrap().is_empty())
    );
    assert!(
        differences
            .iter()
            .any(|d| d["component"] == "pkg:golang/golang.org/x/net")
    );
    assert_eq!(json["findings"].as_array().unwrap().len(), 7);
    // Allowing the modules that differ passes.
    let (code, json) = parity(
        &reg,
        &idx,
        &[
            "--allow",
            "pkg:golang/golang.org/x/*",
            "--allow",
            "pkg:golang/github.com/*",
        ],
    );
    assert_eq!(code, 0, "{json:#}");
    assert!(
        json["differences"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["allowed"] == true)
    );

    // A platform without an SBOM is named.
    let idx3 = index(
        &reg,
        &[
            ("amd64", amd, amd_size),
            ("arm64", arm, arm_size),
            ("s390x", s390.clone(), s390_size),
        ],
    );
    let (code, json) = parity(&reg, &idx3, &["--allow", "pkg:golang/*"]);
    assert_eq!(code, 1);
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json:#}");
    assert_eq!(findings[0]["rule_id"], "oci-parity-sbom-missing");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains(&s390.to_string())
    );
}

#[test]
fn parity_of_a_single_image_is_a_usage_error() {
    let reg = TestRegistry::start(Behaviour::default());
    let (amd, _) = platform_image(&reg, "amd64");
    let (code, _) = parity(&reg, &amd, &[]);
    assert_eq!(code, 2);
}
