//! The Sigstore client conformance suite's bundle-verify cases
//! (sigstore/sigstore-conformance test/assets, in ../shared/corpus): every
//! case through the library, `_fail` cases rejected (deny or could not
//! verify), the rest accepted; and a sample through the real binary.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use ci_intel_attest::{
    ArtifactInput, BundleRequest, IdentityPolicy, Instance, TrustSelection, verify_bundle,
};
use ci_intel_core::ExitCode;

/// Cases whose outcome differs from the suite's expectation, with why. Each
/// still asserts today's behaviour, so a change in either direction is seen.
const KNOWN_FAILURES: [(&str, &str); 0] = [];

/// `_fail` cases that are "could not verify" (exit 3), not a denial: what
/// is broken is the case's trusted root, the verifier's own trust material,
/// not the evidence. Every other `_fail` case, malformed bundles included,
/// must be a denial (exit 1).
const COULD_NOT_VERIFY: [(&str, &str); 1] = [(
    "trust-root-tlog-missing-validity-start_fail",
    "the case's trusted_root.json has a transparency log without a validity start",
)];

/// The number of cases (directories) the suite had when this test was
/// written; a change means the corpus moved and docs/attest.md's count needs
/// updating. (`bundle-verify/` holds 72 entries: these 70 cases, its README
/// and `a.txt`.)
const CASES: usize = 70;

fn run_case(dir: &Path, corpus: &Path) -> Result<ci_intel_attest::Outcome, ci_intel_core::Failure> {
    let artifact = if dir.join("artifact").is_file() {
        dir.join("artifact")
    } else {
        // The suite's default artifact: `a.txt` beside the case folders.
        corpus.join("bundle-verify/a.txt")
    };
    let trust = if dir.join("trusted_root.json").is_file() {
        TrustSelection::File(dir.join("trusted_root.json"))
    } else {
        TrustSelection::Embedded(Instance::PublicGood)
    };
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .ok()
            .map(|s| s.trim().to_owned())
    };
    let key = dir.join("key.pub");
    let key = key.is_file().then_some(key);
    verify_bundle(&BundleRequest {
        artifacts: vec![ArtifactInput::File(artifact)],
        bundle: dir.join("bundle.sigstore.json"),
        identity: Some(IdentityPolicy::Exact(
            read("identity").unwrap_or_else(|| common::DEFAULT_IDENTITY.to_owned()),
        )),
        issuer: Some(read("issuer").unwrap_or_else(|| common::DEFAULT_ISSUER.to_owned())),
        key,
        trust,
    })
}

#[test]
fn every_bundle_verify_case_gives_the_expected_result() {
    let Some(corpus) = common::corpus("sigstore-conformance") else {
        return;
    };
    let mut cases: Vec<_> = std::fs::read_dir(corpus.join("bundle-verify"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert_eq!(cases.len(), CASES, "the conformance corpus changed size");
    let mut passed = 0;
    let mut wrong = Vec::new();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let must_fail = name.ends_with("_fail");
        let result = run_case(dir, &corpus);
        let accepted = matches!(&result, Ok(o) if o.passed());
        let code = match &result {
            Ok(o) => o.exit_code(),
            Err(f) => f.code,
        };
        let why = match &result {
            Ok(o) if o.passed() => "accepted".to_owned(),
            Ok(o) => o.transcript.reason.clone(),
            Err(f) => format!("exit {}: {}", f.code.code(), f.message),
        };
        // A rejection is a denial (1), or "could not verify" (3) for the
        // listed broken trusted roots; never a usage error: the suite's
        // inputs are well-formed invocations.
        let stopped = COULD_NOT_VERIFY.iter().any(|(n, _)| *n == name);
        let correct = if must_fail && stopped {
            matches!(&result, Err(f) if f.code == ExitCode::Infra)
        } else if must_fail {
            matches!(&result, Ok(o) if !o.passed()) && code == ExitCode::Deny
        } else {
            accepted && code == ExitCode::Pass
        };
        if let Some((_, reason)) = KNOWN_FAILURES.iter().find(|(n, _)| *n == name) {
            assert!(
                !correct,
                "{name} is listed as a known failure ({reason}) but now passes: remove it"
            );
            println!("KNOWN FAILURE {name}: {reason}");
            continue;
        }
        println!("{} {name}: {why}", if correct { "ok  " } else { "FAIL" });
        if correct {
            passed += 1;
        } else {
            wrong.push(format!("{name}: {why}"));
        }
    }
    println!(
        "conformance: {passed}/{} cases give the expected result",
        cases.len()
    );
    assert!(
        wrong.is_empty(),
        "cases with the wrong result:\n{}",
        wrong.join("\n")
    );
    assert_eq!(passed + KNOWN_FAILURES.len(), CASES);
}

/// The suite's malformed bundles (bad base64, not JSON, a negative log
/// index, an unknown version, checkpoints missing a field, a timestamp that
/// is not base64) are denials on `bundle-format`, with the reason: present
/// but malformed evidence proves nothing, like a bad signature.
#[test]
fn malformed_bundles_are_denied_on_bundle_format() {
    let Some(corpus) = common::corpus("sigstore-conformance") else {
        return;
    };
    let cases = [
        ("bundle-invalid-base64-signature_fail", "invalid base64"),
        ("bundle-malformed-json_fail", "invalid JSON"),
        ("bundle-negative-log-index_fail", "logIndex"),
        (
            "bundle-unknown-version_fail",
            "unsupported bundle media type",
        ),
        ("rekor2-checkpoint-missing-log-signature_fail", "checkpoint"),
        ("rekor2-checkpoint-missing-origin_fail", "checkpoint"),
        ("rekor2-checkpoint-missing-root-hash_fail", "checkpoint"),
        ("rekor2-checkpoint-missing-size_fail", "checkpoint"),
        (
            "rekor2-timestamp-with-incorrect-time_fail",
            "rfc3161Timestamps[0].signedTimestamp`: Invalid encoding",
        ),
    ];
    for (name, needle) in cases {
        let outcome = run_case(&corpus.join("bundle-verify").join(name), &corpus)
            .unwrap_or_else(|f| panic!("{name}: exit {}: {}", f.code.code(), f.message));
        assert_eq!(outcome.exit_code(), ExitCode::Deny, "{name}");
        let failed: Vec<_> = outcome.transcript.failures().collect();
        assert_eq!(failed.len(), 1, "{name}: {failed:?}");
        assert_eq!(
            failed[0].id,
            ci_intel_attest::CheckId::BundleFormat,
            "{name}"
        );
        let detail = failed[0].detail.as_deref().unwrap_or_default();
        assert!(detail.contains(needle), "{name}: {detail}");
        assert_eq!(outcome.findings.len(), 1, "{name}");
        assert_eq!(outcome.findings[0].rule_id, "bundle-format", "{name}");
    }
}

/// A sigstore-python `--trust-config`: the trusted root and a signing
/// config that is never used (verification is offline).
fn trust_config(root: &Path) -> String {
    let root: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root).unwrap()).unwrap();
    serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
        "trustedRoot": root,
        "signingConfig": {
            "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
            "caUrls": [], "oidcUrls": [], "rekorTlogUrls": [], "tsaUrls": [],
            "rekorTlogConfig": {"selector": "ANY"},
            "tsaConfig": {"selector": "ANY"}
        }
    })
    .to_string()
}

/// Cases where sigstore-python 4.5.1's verdict differs from ours, with why;
/// in both, ours is the suite's expected result. Each is asserted, so a
/// change either way is seen.
const SIGSTORE_PYTHON_DIFFERS: [(&str, &str); 2] = [
    (
        "intoto-with-custom-trust-root",
        "sigstore-python rejects it: \"Integrated time only supported for dsse/hashedrekord 0.0.1 types\" (the entry is intoto 0.0.2 with a signed entry timestamp); the suite expects it accepted",
    ),
    (
        "trust-root-tsa-validity-end-inclusive",
        "sigstore-python rejects it: \"not enough sources of verified time\" (a timestamp at the TSA's validity end, which the suite says is inclusive); the suite expects it accepted",
    ),
];

/// Every certificate case of the suite through sigstore-python 4.5.1 as
/// well (`sigstore --trust-config ... verify identity --offline`), verdict
/// against verdict. Managed-key cases are left out: its command line has no
/// way to verify with a public key.
#[test]
fn verdicts_agree_with_sigstore_python() {
    let Some(corpus) = common::corpus("sigstore-conformance") else {
        return;
    };
    let Some(sigstore) = common::sigstore_python() else {
        return;
    };
    let Some(trust) = common::corpus("sigstore-trust") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut cases: Vec<_> = std::fs::read_dir(corpus.join("bundle-verify"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let (mut agree, mut skipped) = (0, 0);
    let mut wrong = Vec::new();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if dir.join("key.pub").is_file() || name.starts_with("managed-key") {
            skipped += 1;
            continue;
        }
        let ours = matches!(run_case(dir, &corpus), Ok(o) if o.passed());
        let root = if dir.join("trusted_root.json").is_file() {
            dir.join("trusted_root.json")
        } else {
            trust.join("public-good.trusted_root.json")
        };
        let config = tmp.path().join(format!("{name}.json"));
        std::fs::write(&config, trust_config(&root)).unwrap();
        let read = |file: &str, default: &str| {
            std::fs::read_to_string(dir.join(file))
                .map(|s| s.trim().to_owned())
                .unwrap_or_else(|_| default.to_owned())
        };
        let artifact = if dir.join("artifact").is_file() {
            dir.join("artifact")
        } else {
            corpus.join("bundle-verify/a.txt")
        };
        let out = std::process::Command::new(&sigstore)
            .arg("--trust-config")
            .arg(&config)
            .args(["verify", "identity", "--offline", "--bundle"])
            .arg(dir.join("bundle.sigstore.json"))
            .args([
                "--cert-identity",
                &read("identity", common::DEFAULT_IDENTITY),
            ])
            .args([
                "--cert-oidc-issuer",
                &read("issuer", common::DEFAULT_ISSUER),
            ])
            .arg(&artifact)
            .env("HOME", tmp.path())
            .output()
            .unwrap();
        let theirs = out.status.success();
        if let Some((_, why)) = SIGSTORE_PYTHON_DIFFERS.iter().find(|(n, _)| *n == name) {
            assert_ne!(
                ours, theirs,
                "{name} is listed as a difference ({why}) but both agree"
            );
            println!("DIFFERS {name}: ours {ours}, sigstore-python {theirs}: {why}");
            continue;
        }
        if ours == theirs {
            agree += 1;
            println!("agree   {name}: {}", if ours { "accept" } else { "reject" });
        } else {
            let tail: String = String::from_utf8_lossy(&out.stderr)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .take(6)
                .collect::<Vec<_>>()
                .join(" | ");
            wrong.push(format!(
                "{name}: ours {ours}, sigstore-python {theirs}: {tail}"
            ));
        }
    }
    println!(
        "sigstore-python: {agree} of {} certificate cases agree, {} documented difference(s), {skipped} managed-key cases not compared",
        cases.len() - skipped,
        SIGSTORE_PYTHON_DIFFERS.len()
    );
    assert!(wrong.is_empty(), "verdicts differ:\n{}", wrong.join("\n"));
}
