//! Shared by the integration tests: signing keys made at test time (no
//! private key is committed), DSSE envelopes, a fixture case runner.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use ci_intel_core::checkout::Checkout;
use ci_intel_core::config::{self, Sections};
use ci_intel_core::{Finding, Verdict};
use ci_intel_vuln::check::{self, Evaluation};
use ci_intel_vuln::config::VulnConfig;

/// The time every fixture is judged at.
pub fn fixed_now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-08-26T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A signing key of one of the algorithms DSSE signers use.
pub enum TestKey {
    Ed25519(Ed25519KeyPair),
    P256(EcdsaKeyPair),
}

impl TestKey {
    pub fn ed25519() -> TestKey {
        TestKey::Ed25519(Ed25519KeyPair::generate().unwrap())
    }

    pub fn p256() -> TestKey {
        let rng = SystemRandom::new();
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        TestKey::P256(
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref())
                .unwrap(),
        )
    }

    /// SubjectPublicKeyInfo DER.
    pub fn spki(&self) -> Vec<u8> {
        match self {
            TestKey::Ed25519(k) => {
                let mut der = hex("302a300506032b6570032100");
                der.extend_from_slice(k.public_key().as_ref());
                der
            }
            TestKey::P256(k) => {
                let mut der = hex("3059301306072a8648ce3d020106082a8648ce3d030107034200");
                der.extend_from_slice(k.public_key().as_ref());
                der
            }
        }
    }

    pub fn public_pem(&self) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(self.spki());
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        )
    }

    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            TestKey::Ed25519(k) => k.sign(message).as_ref().to_vec(),
            TestKey::P256(k) => k
                .sign(&SystemRandom::new(), message)
                .unwrap()
                .as_ref()
                .to_vec(),
        }
    }
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// `payload` wrapped in a DSSE envelope signed by `key`.
pub fn dsse(payload: &[u8], payload_type: &str, key: &TestKey) -> String {
    let pae = ci_intel_vuln::vex::signature::pae(payload_type, payload);
    let b64 = base64::engine::general_purpose::STANDARD;
    serde_json::json!({
        "payloadType": payload_type,
        "payload": b64.encode(payload),
        "signatures": [{"keyid": "", "sig": b64.encode(key.sign(&pae))}],
    })
    .to_string()
}

/// An in-toto Statement whose predicate is the VEX document.
pub fn in_toto(vex: &[u8]) -> Vec<u8> {
    let predicate: serde_json::Value = serde_json::from_slice(vex).unwrap();
    serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "app", "digest": {"sha256": "a".repeat(64)}}],
        "predicateType": "https://openvex.dev/ns/v0.2.0",
        "predicate": predicate,
    })
    .to_string()
    .into_bytes()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A fixture case copied to a temporary directory, signed as its `*.sign`
/// markers say, with `vex-key.pub` the trusted key.
pub fn prepare(case: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(case, dir.path());
    let trusted = TestKey::p256();
    let other = TestKey::ed25519();
    std::fs::write(dir.path().join("vex-key.pub"), trusted.public_pem()).unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "sign") {
            let how = std::fs::read_to_string(&path).unwrap();
            let target = path.with_extension("");
            let vex = std::fs::read(&target).unwrap();
            let key = if how.trim() == "dsse-other" {
                &other
            } else {
                &trusted
            };
            std::fs::write(
                &target,
                dsse(&in_toto(&vex), "application/vnd.in-toto+json", key),
            )
            .unwrap();
            std::fs::remove_file(&path).unwrap();
        }
    }
    dir
}

/// Judge a prepared case directory as the gate does.
pub fn judge(dir: &Path) -> (Evaluation, Vec<Finding>, Verdict) {
    let text = std::fs::read_to_string(dir.join("config.yml")).unwrap();
    let loaded = config::load_from_texts(
        None,
        Some((&dir.join("config.yml"), text.as_str())),
        &Sections::partial([ci_intel_vuln::gate::section()]),
    )
    .unwrap();
    let vuln: VulnConfig = loaded.section("vuln").unwrap();
    let checkout = Checkout::open(dir).unwrap();
    let (mut inputs, missing) = ci_intel_vuln::resolve::from_config(&vuln, &checkout).unwrap();
    for (name, list) in [
        ("base-sbom.json", &mut inputs.base_sboms),
        ("base-findings.json", &mut inputs.base_findings),
    ] {
        if dir.join(name).is_file() {
            list.push(dir.join(name));
        }
    }
    let settings = check::settings(vuln, dir, fixed_now(), loaded.config.fail_on).unwrap();
    let mut evaluation = check::evaluate(&inputs, &settings).unwrap();
    evaluation.findings.extend(missing);
    let findings = evaluation.findings.clone();
    let verdict = check::verdict(&findings, loaded.config.fail_on);
    (evaluation, findings, verdict)
}

/// The fixture directory of a rule.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}
