//! A real peer verifies our DSSE envelopes: securesystemslib (PyPI, the
//! signing library of in-toto and python-tuf), installed by `.ci/run` into
//! its venv and named by `CI_INTEL_PYTHON`. Both key types, both
//! directions: Python verifies what we sign, we verify what Python signs,
//! and a tampered envelope fails in Python too.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::path::{Path, PathBuf};
use std::process::Command;

use ci_intel_evidence::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
use ci_intel_evidence::keys::{Algorithm, PublicKey, SigningKey, generate_pem};

const VERIFY: &str = r#"
import hashlib, json, sys
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey
envelope = Envelope.from_dict(json.load(open(sys.argv[1])))
public = load_pem_public_key(open(sys.argv[2], "rb").read())
keyid = hashlib.sha256(public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).hexdigest()
key = SSlibKey.from_crypto(public, keyid=keyid)
envelope.verify([key], 1)
print("verified", key.scheme, keyid, envelope.payload_type)
"#;

const SIGN: &str = r#"
import json, sys
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner
private = load_pem_private_key(open(sys.argv[1], "rb").read(), password=None)
signer = CryptoSigner(private)
envelope = Envelope(payload=b'{"_type":"https://in-toto.io/Statement/v1"}', payload_type="application/vnd.in-toto+json", signatures={})
envelope.sign(signer)
json.dump(envelope.to_dict(), open(sys.argv[2], "w"))
"#;

/// Python with securesystemslib, or `None` after saying why the test skips.
fn python() -> Option<PathBuf> {
    let python = ci_intel_testkit::tool("CI_INTEL_PYTHON", "python3")?;
    let ok = Command::new(&python)
        .args([
            "-c",
            "import securesystemslib.dsse, securesystemslib.signer, cryptography",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        ci_intel_testkit::skip_or_fail(&format!(
            "{} cannot import securesystemslib (pip install securesystemslib[crypto])",
            python.display()
        ));
        return None;
    }
    Some(python)
}

fn run(python: &Path, script: &str, args: &[&Path]) -> std::process::Output {
    Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn securesystemslib_verifies_our_envelopes_and_rejects_tampering() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (algorithm, scheme) in [
        (Algorithm::Ed25519, "ed25519"),
        (Algorithm::EcdsaP256Sha256, "ecdsa-sha2-nistp256"),
    ] {
        let key = SigningKey::from_pem(generate_pem(algorithm).unwrap().as_bytes(), "k").unwrap();
        let public = dir.path().join(format!("{scheme}.pub"));
        std::fs::write(&public, key.public_key().to_pem()).unwrap();
        let mut envelope = Envelope::new(
            IN_TOTO_PAYLOAD_TYPE,
            br#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"x"}"#,
        );
        envelope.sign(&key).unwrap();
        let file = dir.path().join(format!("{scheme}.json"));
        std::fs::write(&file, envelope.to_json()).unwrap();
        let output = run(&python, VERIFY, &[&file, &public]);
        let out = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{scheme}: {out}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            out.contains(&format!("verified {scheme} {}", key.public_key().keyid())),
            "{out}"
        );

        let mut tampered = envelope.clone();
        tampered.payload_type = "application/json".to_owned();
        let bad = dir.path().join(format!("{scheme}-bad.json"));
        std::fs::write(&bad, tampered.to_json()).unwrap();
        let output = run(&python, VERIFY, &[&bad, &public]);
        assert!(
            !output.status.success(),
            "{scheme}: a tampered envelope verified in Python"
        );
    }
}

#[test]
fn we_verify_what_securesystemslib_signs_with_our_keys() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    for algorithm in [Algorithm::Ed25519, Algorithm::EcdsaP256Sha256] {
        let pem = generate_pem(algorithm).unwrap();
        let private = dir.path().join("key.pem");
        std::fs::write(&private, &pem).unwrap();
        let out = dir.path().join("signed.json");
        let output = run(&python, SIGN, &[&private, &out]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let envelope = Envelope::parse(&std::fs::read(&out).unwrap(), "signed.json").unwrap();
        let key = SigningKey::from_pem(pem.as_bytes(), "k").unwrap();
        let public = PublicKey::from_pem(key.public_key().to_pem().as_bytes(), "p").unwrap();
        assert!(envelope.verify(&[public]).is_valid(), "{algorithm:?}");
    }
}

#[test]
fn gate_statements_written_for_check_verify_in_python() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::from_pem(
        generate_pem(Algorithm::EcdsaP256Sha256).unwrap().as_bytes(),
        "k",
    )
    .unwrap();
    let public = dir.path().join("key.pub");
    std::fs::write(&public, key.public_key().to_pem()).unwrap();
    let loaded = ci_intel_core::config::load_from_texts(
        None,
        None,
        &ci_intel_core::config::Sections::partial([]),
    )
    .unwrap();
    let result = ci_intel_core::gate::GateResult::bare(
        "policy",
        "policy",
        ci_intel_core::gate::GateStatus::Pass,
        "1 file",
        (std::time::SystemTime::now(), std::time::Instant::now()),
    );
    let written = ci_intel_evidence::write_check_evidence(
        &ci_intel_evidence::CheckEvidence {
            dir: dir.path(),
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            repository: "https://github.com/acme/app".into(),
            tool: ci_intel_evidence::statement::ToolRef {
                name: "ci-intel".into(),
                version: "0.1.0".into(),
            },
            sign_key: Some(&key),
        },
        &[result],
        &loaded,
    )
    .unwrap();
    let output = run(&python, VERIFY, &[&written[0], &public]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
