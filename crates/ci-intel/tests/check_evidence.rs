//! `ci-intel check --evidence DIR [--sign-key FILE]`: one statement per
//! gate that validates against schemas/evidence/gate-statement.v1.schema.json,
//! about the checked commit; refused (exit 2) when the commit is unknown;
//! then `ci-intel-evidence bundle` and `verify` pass on it. And the
//! built-in `ci-intel sarif merge`.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use serde_json::Value;

use ci_intel_core::RunnerEnv;
use ci_intel_evidence::keys::{Algorithm, SigningKey, generate_pem};

fn ci_intel() -> Command {
    let mut cmd = Command::cargo_bin("ci-intel").unwrap();
    for var in [
        "GITHUB_ACTIONS",
        "GITHUB_OUTPUT",
        "GITHUB_ENV",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_SHA",
        "CI_INTEL_ORG_POLICY",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Process::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A small committed repository that passes every gate that runs.
fn repository() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ok\n",
    );
    write(dir.path(), "README.md", "hello\n");
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "first"]);
    let sha = git(dir.path(), &["rev-parse", "HEAD"]);
    (dir, sha)
}

fn schema() -> jsonschema::Validator {
    let text = include_str!("../../../schemas/evidence/gate-statement.v1.schema.json");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&serde_json::from_str(text).unwrap())
        .unwrap()
}

fn payload(envelope: &Value) -> Value {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(envelope["payload"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn check_evidence_writes_one_valid_statement_per_gate_about_the_commit() {
    let (repo, sha) = repository();
    let out = tempfile::tempdir().unwrap();
    let evidence = out.path().join("evidence");
    let key_pem = generate_pem(Algorithm::EcdsaP256Sha256).unwrap();
    let key_file = out.path().join("key.pem");
    std::fs::write(&key_file, &key_pem).unwrap();
    let key = SigningKey::from_pem(key_pem.as_bytes(), "k").unwrap();
    let output = ci_intel()
        .arg("check")
        .arg(repo.path())
        .arg("--evidence")
        .arg(&evidence)
        .arg("--sign-key")
        .arg(&key_file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let validator = schema();
    let gates: Vec<String> = ci_intel::gates::GATES
        .iter()
        .map(|g| g.id().to_owned())
        .collect();
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&evidence).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let envelope: Value = serde_json::from_slice(&bytes).unwrap();
        let statement = payload(&envelope);
        let errors: Vec<String> = validator
            .iter_errors(&statement)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        assert_eq!(statement["subject"][0]["digest"]["gitCommit"], sha.as_str());
        assert!(
            ci_intel_evidence::dsse::Envelope::parse(&bytes, "x")
                .unwrap()
                .verify(&[key.public_key().clone()])
                .is_valid()
        );
        found.push(
            statement["predicate"]["gate"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    found.sort();
    let mut expected = gates;
    expected.sort();
    assert_eq!(found, expected, "one statement per gate");

    // Then the release bundle and its verification pass.
    let public = out.path().join("key.pub");
    std::fs::write(&public, key.public_key().to_pem()).unwrap();
    let bundle_dir = out.path().join("bundle");
    let subject = format!("sha256:{}", "ab".repeat(32));
    let env = RunnerEnv::default();
    let code = ci_intel_evidence::run(
        [
            "ci-intel-evidence".as_ref(),
            "bundle".as_ref(),
            "--release".as_ref(),
            "v0.1.0".as_ref(),
            "--subject".as_ref(),
            subject.as_ref(),
            "--commit".as_ref(),
            sha.as_ref(),
            "--repo".as_ref(),
            repo.path().as_os_str(),
            "--from".as_ref(),
            evidence.as_os_str(),
            "--out".as_ref(),
            bundle_dir.as_os_str(),
            "--sign-key".as_ref(),
            key_file.as_os_str(),
        ],
        &env,
    );
    assert_eq!(code, ci_intel_core::ExitCode::Pass);
    let code = ci_intel_evidence::run(
        [
            "ci-intel-evidence".as_ref(),
            "verify".as_ref(),
            bundle_dir.as_os_str(),
            "--pubkey".as_ref(),
            public.as_os_str(),
            "--commit".as_ref(),
            std::ffi::OsStr::new(&sha),
        ],
        &env,
    );
    assert_eq!(code, ci_intel_core::ExitCode::Pass);
    let memo = std::fs::read_to_string(bundle_dir.join("memo.md")).unwrap();
    assert!(
        memo.contains("first (t)"),
        "the change list comes from git log: {memo}"
    );
}

#[test]
fn check_evidence_refuses_an_unknown_commit_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "README.md", "not a git repository\n");
    let out = tempfile::tempdir().unwrap();
    let output = ci_intel()
        .arg("check")
        .arg(dir.path())
        .arg("--evidence")
        .arg(out.path().join("e"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("commit is unknown"), "{stderr}");
    assert!(
        !out.path().join("e").exists(),
        "nothing ran, nothing written"
    );
    // GITHUB_SHA names it in Actions.
    let output = ci_intel()
        .arg("check")
        .arg(dir.path())
        .arg("--evidence")
        .arg(out.path().join("e"))
        .arg("--allow-empty")
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .output()
        .unwrap();
    assert_ne!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(out.path().join("e/secrets.intoto.json").is_file());
}

#[test]
fn sarif_merge_is_a_built_in_command() {
    let dir = tempfile::tempdir().unwrap();
    let log = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t","rules":[]}},"results":[
        {"ruleId":"r","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a"},"region":{"startLine":1}}}]}]}]}"#;
    write(dir.path(), "a.sarif", log);
    write(dir.path(), "b.sarif", log);
    let output = ci_intel()
        .current_dir(dir.path())
        .args([
            "sarif",
            "merge",
            "a.sarif",
            "b.sarif",
            "--out",
            "merged.sarif",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("2 result(s)") && stdout.contains("1 repeat(s)"),
        "{stdout}"
    );
    let merged: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("merged.sarif")).unwrap()).unwrap();
    assert_eq!(merged["runs"][0]["results"].as_array().unwrap().len(), 1);
}
