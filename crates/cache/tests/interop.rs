#![allow(clippy::unwrap_used)]
//! Real peers: the openssl command line signs and verifies Ed25519
//! signatures over manifests with keys in the PEM shapes it writes, the
//! minisign command line does the same with minisign keys, and keyless
//! Sigstore bundles (the Sigstore conformance suite's) go through
//! ci-intel-attest's verifier. Each test skips (printing why) without its
//! peer or corpus, and fails under CI_INTEL_REQUIRE_TOOLS / _CORPUS.

mod common;

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt as _;
use ci_intel_core::{ExitCode, RunnerEnv};
use common::{run, s};

fn sh(program: &Path, args: &[&str]) -> std::process::Output {
    let output = Command::new(program).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{} {args:?}: {}",
        program.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn manifest_in(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let cache = dir.join("cache");
    common::tree(&cache);
    let manifest = dir.join("manifest.json");
    assert_eq!(
        run(
            &[
                "manifest",
                s(&cache),
                "--out",
                s(&manifest),
                "--cache-key",
                "k",
                "--domain",
                "trusted"
            ],
            &RunnerEnv::default()
        ),
        ExitCode::Pass
    );
    (cache, manifest)
}

fn verify(cache: &Path, manifest: &Path, sig: &Path, pubkey: &Path) -> ExitCode {
    run(
        &[
            "verify",
            s(cache),
            "--manifest",
            s(manifest),
            "--signature",
            s(sig),
            "--pubkey",
            s(pubkey),
            "--cache-key",
            "k",
            "--job-domain",
            "trusted",
        ],
        &RunnerEnv::default(),
    )
}

#[test]
fn openssl_keys_and_signatures_interoperate() {
    let Some(openssl) = ci_intel_testkit::tool("CI_INTEL_OPENSSL", "openssl") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    let public = dir.path().join("pub.pem");
    sh(
        &openssl,
        &["genpkey", "-algorithm", "ed25519", "-out", s(&key)],
    );
    sh(
        &openssl,
        &["pkey", "-in", s(&key), "-pubout", "-out", s(&public)],
    );
    let (cache, manifest) = manifest_in(dir.path());

    // openssl signs, we verify.
    let by_openssl = dir.path().join("openssl.sig");
    sh(
        &openssl,
        &[
            "pkeyutl",
            "-sign",
            "-inkey",
            s(&key),
            "-rawin",
            "-in",
            s(&manifest),
            "-out",
            s(&by_openssl),
        ],
    );
    assert_eq!(
        verify(&cache, &manifest, &by_openssl, &public),
        ExitCode::Pass
    );

    // We sign with openssl's key, openssl verifies.
    let by_us = dir.path().join("ours.sig");
    assert_eq!(
        run(
            &["sign", s(&manifest), "--key", s(&key), "--out", s(&by_us)],
            &RunnerEnv::default()
        ),
        ExitCode::Pass
    );
    let output = sh(
        &openssl,
        &[
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            s(&public),
            "-rawin",
            "-in",
            s(&manifest),
            "-sigfile",
            s(&by_us),
        ],
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("Signature Verified Successfully"));

    // A key openssl made for someone else does not verify ours.
    let other = dir.path().join("other.pem");
    let other_public = dir.path().join("other.pub.pem");
    sh(
        &openssl,
        &["genpkey", "-algorithm", "ed25519", "-out", s(&other)],
    );
    sh(
        &openssl,
        &[
            "pkey",
            "-in",
            s(&other),
            "-pubout",
            "-out",
            s(&other_public),
        ],
    );
    assert_eq!(
        verify(&cache, &manifest, &by_us, &other_public),
        ExitCode::Deny
    );
}

#[test]
fn minisign_keys_and_signatures_interoperate() {
    let Some(minisign) = ci_intel_testkit::tool("CI_INTEL_MINISIGN", "minisign") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("m.key");
    let public = dir.path().join("m.pub");
    sh(
        &minisign,
        &["-G", "-W", "-f", "-p", s(&public), "-s", s(&key)],
    );
    let (cache, manifest) = manifest_in(dir.path());

    // minisign signs, we verify.
    let by_minisign = dir.path().join("m.minisig");
    sh(
        &minisign,
        &[
            "-S",
            "-s",
            s(&key),
            "-m",
            s(&manifest),
            "-x",
            s(&by_minisign),
        ],
    );
    assert_eq!(
        verify(&cache, &manifest, &by_minisign, &public),
        ExitCode::Pass
    );

    // We sign, minisign verifies (and shows our trusted comment).
    let by_us = dir.path().join("ours.minisig");
    assert_eq!(
        run(
            &["sign", s(&manifest), "--key", s(&key), "--out", s(&by_us)],
            &RunnerEnv::default()
        ),
        ExitCode::Pass
    );
    let output = sh(
        &minisign,
        &["-V", "-p", s(&public), "-m", s(&manifest), "-x", s(&by_us)],
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("ci-intel-cache root_digest:"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn an_encrypted_minisign_key_signs_with_the_password_from_the_environment() {
    let Some(minisign) = ci_intel_testkit::tool("CI_INTEL_MINISIGN", "minisign") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("enc.key");
    let public = dir.path().join("enc.pub");
    let mut child = Command::new(&minisign)
        .args(["-G", "-f", "-p", s(&public), "-s", s(&key)])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"test-password\ntest-password\n")
        .unwrap();
    assert!(child.wait().unwrap().success());
    let (cache, manifest) = manifest_in(dir.path());
    let sig = dir.path().join("enc.sig");
    let sign = |password: Option<&str>| {
        let mut command = Command::cargo_bin("ci-intel-cache").unwrap();
        command.args(["sign", s(&manifest), "--key", s(&key), "--out", s(&sig)]);
        command.env_remove(ci_intel_cache::keys::PASSWORD_VAR);
        if let Some(password) = password {
            command.env(ci_intel_cache::keys::PASSWORD_VAR, password);
        }
        command.stdin(std::process::Stdio::null()).output().unwrap()
    };
    let without = sign(None);
    assert_eq!(without.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&without.stderr).contains("CI_INTEL_CACHE_KEY_PASSWORD"));
    let right = sign(Some("test-password"));
    assert!(
        right.status.success(),
        "{}",
        String::from_utf8_lossy(&right.stderr)
    );
    assert_eq!(verify(&cache, &manifest, &sig, &public), ExitCode::Pass);
}

/// A keyless signature goes through ci-intel-attest's verifier with the
/// expected workflow identity. The conformance suite's happy-path bundle
/// signs its `a.txt`, not a manifest: with the right identity the
/// signature verifies and the check stops at the manifest; with another
/// identity it stops at the signature.
#[test]
fn keyless_bundles_are_verified_against_the_expected_identity() {
    let Some(corpus) = ci_intel_testkit::corpus("sigstore-conformance/bundle-verify") else {
        return;
    };
    const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    common::tree(&cache);
    let case = corpus.join("happy-path-v0.3");
    let rule_of = |identity: &str, name: &str| {
        let events = dir.path().join(format!("{name}.ndjson"));
        let code = run(
            &[
                "verify",
                s(&cache),
                "--manifest",
                s(&corpus.join("a.txt")),
                "--signature",
                s(&case.join("bundle.sigstore.json")),
                "--identity",
                identity,
                "--job-domain",
                "untrusted",
                "--events",
                s(&events),
            ],
            &RunnerEnv::default(),
        );
        assert_eq!(code, ExitCode::Deny);
        let line = std::fs::read_to_string(&events).unwrap();
        let event: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        event
    };
    let right = rule_of(IDENTITY, "right");
    assert_eq!(right["rule"], "cache-bad-manifest", "{right:#}");
    assert_eq!(right["identity"]["actual"], IDENTITY);
    let wrong = rule_of(
        "https://github.com/octo/project/.github/workflows/ci.yml@refs/heads/main",
        "wrong",
    );
    assert_eq!(wrong["rule"], "cache-bad-signature", "{wrong:#}");
    assert!(wrong["identity"]["actual"].is_null());
}
