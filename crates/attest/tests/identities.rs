//! Certificate shapes sigstore-python 4.5 accepts: the identity in an email
//! SAN, in a Sigstore otherName SAN, in a second SAN, and an issuer only in
//! the v1 Fulcio extension. The bundles are complete and correctly signed by
//! a private instance (`tests/data/identities/generate.py`: CA, CT log, Rekor
//! log; chain, SCT, SET, inclusion proof and checkpoint all verify). Each is
//! accepted with its identity, and denied when tampered: a forged identity
//! or issuer in the certificate, a flipped signature byte, another identity
//! asked for. When sigstore-python is there (`CI_INTEL_SIGSTORE_PYTHON`, or
//! `sigstore` on PATH), every verdict is compared with its verdict.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use ci_intel_attest::{
    ArtifactInput, BundleRequest, CheckId, IdentityPolicy, Outcome, TrustSelection, verify_bundle,
};
use ci_intel_core::ExitCode;
use serde_json::Value;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const ISSUER: &str = "https://oauth2.example.test";
const CASES: [&str; 4] = ["email", "othername", "v1-issuer", "second-san"];

/// Verdicts of sigstore-python 4.5.1 that differ from ours, with why.
/// `(case, variant)`; each is asserted, so a change either way is seen.
const SIGSTORE_PYTHON_DIFFERS: [(&str, &str, &str); 1] = [(
    "othername",
    "genuine",
    "sigstore-python 4.5.1 compares the otherName's DER-encoded value (UTF8String tag and length included: `\\x0c\\x12alice!example.test`) with --cert-identity, so a Fulcio username identity never matches it; we compare the decoded UTF8String",
)];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/identities")
}

fn identity_of(case: &str) -> String {
    let cases: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("cases.json")).unwrap()).unwrap();
    cases[case]["identity"].as_str().unwrap().to_owned()
}

fn bundle_of(case: &str) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(dir().join(format!("{case}.sigstore.json"))).unwrap(),
    )
    .unwrap()
}

fn verify(bundle: &Path, identity: &str, issuer: &str) -> Outcome {
    verify_bundle(&BundleRequest {
        artifacts: vec![ArtifactInput::File(dir().join("artifact.txt"))],
        bundle: bundle.to_path_buf(),
        identity: Some(IdentityPolicy::Exact(identity.to_owned())),
        issuer: Some(issuer.to_owned()),
        key: None,
        trust: TrustSelection::File(dir().join("trusted_root.json")),
    })
    .unwrap()
}

fn failed(outcome: &Outcome) -> Vec<CheckId> {
    outcome.transcript.failures().map(|c| c.id).collect()
}

/// Replace `from` with `to` (same length) inside the certificate's DER: a
/// forged certificate whose CA signature no longer covers its contents.
fn forge_certificate(bundle: &Value, from: &str, to: &str) -> Value {
    assert_eq!(from.len(), to.len());
    let mut forged = bundle.clone();
    let raw = &mut forged["verificationMaterial"]["certificate"]["rawBytes"];
    let mut der = B64.decode(raw.as_str().unwrap()).unwrap();
    let at = der
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .unwrap_or_else(|| panic!("`{from}` is not in the certificate"));
    der[at..at + to.len()].copy_from_slice(to.as_bytes());
    *raw = Value::String(B64.encode(der));
    forged
}

fn flip_signature(bundle: &Value) -> Value {
    let mut flipped = bundle.clone();
    let sig = &mut flipped["messageSignature"]["signature"];
    let mut bytes = B64.decode(sig.as_str().unwrap()).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    *sig = Value::String(B64.encode(bytes));
    flipped
}

/// One variant of one case: the bundle, the identity and issuer asked for,
/// whether it must verify, and the check that must fail when it must not.
struct Variant {
    case: &'static str,
    name: &'static str,
    bundle: Value,
    identity: String,
    issuer: String,
    allow: bool,
    fails: Option<CheckId>,
}

fn variants() -> Vec<Variant> {
    let mut out = Vec::new();
    for case in CASES {
        let bundle = bundle_of(case);
        let identity = identity_of(case);
        // The forged certificate names the identity asked for; the genuine
        // one a different one of the same length.
        let genuine_name = identity
            .replacen("alice", "mallo", 1)
            .replacen("acme", "evil", 1);
        assert_ne!(genuine_name, identity);
        out.push(Variant {
            case,
            name: "genuine",
            bundle: bundle.clone(),
            identity: identity.clone(),
            issuer: ISSUER.to_owned(),
            allow: true,
            fails: None,
        });
        out.push(Variant {
            case,
            name: "forged-identity",
            bundle: forge_certificate(&bundle, &identity, &genuine_name),
            identity: genuine_name.clone(),
            issuer: ISSUER.to_owned(),
            allow: false,
            fails: Some(CheckId::CertificateChain),
        });
        out.push(Variant {
            case,
            name: "flipped-signature",
            bundle: flip_signature(&bundle),
            identity: identity.clone(),
            issuer: ISSUER.to_owned(),
            allow: false,
            fails: None,
        });
        out.push(Variant {
            case,
            name: "other-identity",
            bundle: bundle.clone(),
            identity: genuine_name,
            issuer: ISSUER.to_owned(),
            allow: false,
            fails: Some(CheckId::CertificateIdentity),
        });
    }
    // The v1-only issuer: forged in the certificate, and another asked for.
    let v1 = bundle_of("v1-issuer");
    let forged_issuer = "https://oauth2.forgery.test";
    out.push(Variant {
        case: "v1-issuer",
        name: "forged-issuer",
        bundle: forge_certificate(&v1, ISSUER, forged_issuer),
        identity: identity_of("v1-issuer"),
        issuer: forged_issuer.to_owned(),
        allow: false,
        fails: Some(CheckId::CertificateChain),
    });
    out.push(Variant {
        case: "v1-issuer",
        name: "other-issuer",
        bundle: v1,
        identity: identity_of("v1-issuer"),
        issuer: forged_issuer.to_owned(),
        allow: false,
        fails: Some(CheckId::CertificateIssuer),
    });
    out
}

fn write(dir: &Path, variant: &Variant) -> PathBuf {
    let path = dir.join(format!("{}-{}.sigstore.json", variant.case, variant.name));
    std::fs::write(&path, variant.bundle.to_string()).unwrap();
    path
}

#[test]
fn every_shape_verifies_and_every_tampered_variant_is_denied() {
    let tmp = tempfile::tempdir().unwrap();
    for variant in variants() {
        let what = format!("{} {}", variant.case, variant.name);
        let outcome = verify(
            &write(tmp.path(), &variant),
            &variant.identity,
            &variant.issuer,
        );
        assert_eq!(
            outcome.passed(),
            variant.allow,
            "{what}: {}",
            outcome.transcript.reason
        );
        if variant.allow {
            assert_eq!(outcome.exit_code(), ExitCode::Pass, "{what}");
            let identity = outcome
                .transcript
                .checks
                .iter()
                .find(|c| c.id == CheckId::CertificateIdentity)
                .unwrap();
            assert!(
                identity
                    .actual
                    .as_deref()
                    .unwrap()
                    .contains(&variant.identity),
                "{what}: {identity:?}"
            );
            // The whole way: SCT, SET, inclusion proof and checkpoint.
            for id in [
                CheckId::CertificateSct,
                CheckId::TlogSet,
                CheckId::TlogInclusionProof,
                CheckId::TlogCheckpoint,
                CheckId::Signature,
            ] {
                let check = outcome.transcript.checks.iter().find(|c| c.id == id);
                assert!(
                    check.is_some_and(|c| c.result == ci_intel_attest::CheckResult::Pass),
                    "{what}: {id}: {check:?}"
                );
            }
        } else {
            assert_eq!(outcome.exit_code(), ExitCode::Deny, "{what}");
            if let Some(id) = variant.fails {
                assert!(
                    failed(&outcome).contains(&id),
                    "{what}: {:?}",
                    failed(&outcome)
                );
            }
        }
    }
}

#[test]
fn the_identity_check_lists_every_san() {
    let tmp = tempfile::tempdir().unwrap();
    let variant = variants()
        .into_iter()
        .find(|v| v.case == "second-san" && v.name == "other-identity")
        .unwrap();
    let outcome = verify(&write(tmp.path(), &variant), &variant.identity, ISSUER);
    let check = outcome
        .transcript
        .checks
        .iter()
        .find(|c| c.id == CheckId::CertificateIdentity)
        .unwrap();
    assert_eq!(
        check.actual.as_deref(),
        Some(format!("build@example.test, {}", identity_of("second-san")).as_str())
    );
}

#[test]
fn verdicts_agree_with_sigstore_python() {
    let Some(sigstore) = common::sigstore_python() else {
        return;
    };
    let version = Command::new(&sigstore).arg("--version").output().unwrap();
    let version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
    println!("peer: {version}");
    let tmp = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for variant in variants() {
        let what = format!("{} {}", variant.case, variant.name);
        let path = write(tmp.path(), &variant);
        let ours = verify(&path, &variant.identity, &variant.issuer).passed();
        let out = Command::new(&sigstore)
            .arg("--trust-config")
            .arg(dir().join("trust_config.json"))
            .args(["verify", "identity", "--offline", "--bundle"])
            .arg(&path)
            .args(["--cert-identity", &variant.identity])
            .args(["--cert-oidc-issuer", &variant.issuer])
            .arg(dir().join("artifact.txt"))
            .env("HOME", tmp.path())
            .output()
            .unwrap();
        let theirs = out.status.success();
        let why = String::from_utf8_lossy(&out.stderr).into_owned();
        match SIGSTORE_PYTHON_DIFFERS
            .iter()
            .find(|(c, v, _)| *c == variant.case && *v == variant.name)
        {
            Some((_, _, reason)) => {
                assert_ne!(
                    ours, theirs,
                    "{what}: listed as a difference ({reason}) but both agree: remove it"
                );
                println!("DIFFERS {what}: ours {ours}, sigstore-python {theirs}: {reason}");
            }
            None => {
                assert_eq!(
                    ours, theirs,
                    "{what}: ours {ours}, sigstore-python {theirs}: {why}"
                );
                println!("agree   {what}: {}", if ours { "accept" } else { "deny" });
            }
        }
        compared += 1;
    }
    println!(
        "sigstore-python: {} of {compared} verdicts agree, {} documented difference(s)",
        compared - SIGSTORE_PYTHON_DIFFERS.len(),
        SIGSTORE_PYTHON_DIFFERS.len()
    );
}
