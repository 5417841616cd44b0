//! The release evidence bundle end to end: statements written as `ci-intel
//! check --evidence` writes them, `bundle`, then `verify` and `memo`
//! through the binary. Every way the evidence can be wrong has its own
//! test, and each must make `verify` exit 1 and the memo say NO-GO.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use assert_cmd::Command;
use serde_json::Value;

use ci_intel_core::config::{Sections, load_from_texts};
use ci_intel_core::gate::{GateResult, GateStatus, Input};
use ci_intel_core::{Finding, Location, Severity};
use ci_intel_evidence::keys::{Algorithm, SigningKey, generate_pem};
use ci_intel_evidence::statement::ToolRef;

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
const OTHER_COMMIT: &str = "fedcba9876543210fedcba9876543210fedcba98";
const TIME: &str = "2030-01-02T03:04:05Z";

fn subject() -> String {
    format!("sha256:{}", "5a".repeat(32))
}

struct Keys {
    _dir: tempfile::TempDir,
    private: PathBuf,
    public: PathBuf,
    key: SigningKey,
}

fn keys(algorithm: Algorithm) -> Keys {
    let dir = tempfile::tempdir().unwrap();
    let pem = generate_pem(algorithm).unwrap();
    let private = dir.path().join("key.pem");
    std::fs::write(&private, &pem).unwrap();
    let key = SigningKey::from_pem(pem.as_bytes(), "key").unwrap();
    let public = dir.path().join("key.pub");
    std::fs::write(&public, key.public_key().to_pem()).unwrap();
    Keys {
        _dir: dir,
        private,
        public,
        key,
    }
}

fn result(
    id: &'static str,
    section: &'static str,
    status: GateStatus,
    finished: SystemTime,
) -> GateResult {
    let mut result = GateResult::bare(
        id,
        section,
        status,
        "2 file(s)",
        (finished - Duration::from_secs(3), Instant::now()),
    );
    result.finished = finished;
    result.inputs = vec![Input {
        path: ".github/workflows/ci.yml".into(),
        sha256: "ab".repeat(32),
    }];
    if status == GateStatus::Warn {
        result.findings = vec![Finding::new(
            "missing-timeout",
            Severity::Medium,
            "no timeout",
            Some(Location::at(".github/workflows/ci.yml", 4, None)),
            "job",
        )];
    }
    result
}

/// Write statements as `ci-intel check --evidence` does.
fn statements(dir: &Path, commit: &str, results: &[GateResult], key: Option<&SigningKey>) {
    let sections = Sections::partial([]);
    let loaded = load_from_texts(None, None, &sections).unwrap();
    let request = ci_intel_evidence::CheckEvidence {
        dir,
        commit: commit.to_owned(),
        repository: "https://github.com/acme/app".to_owned(),
        tool: ToolRef {
            name: "ci-intel".into(),
            version: "0.1.0".into(),
        },
        sign_key: key,
    };
    let written = ci_intel_evidence::write_check_evidence(&request, results, &loaded).unwrap();
    assert_eq!(written.len(), results.len());
}

fn time(text: &str) -> SystemTime {
    let t = chrono::DateTime::parse_from_rfc3339(text).unwrap();
    SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(t.timestamp()).unwrap())
}

fn fresh() -> SystemTime {
    time("2030-01-02T01:00:00Z")
}

/// A good set of statements: policy and secrets allow, telemetry skipped.
fn good_results() -> Vec<GateResult> {
    vec![
        result("policy", "policy", GateStatus::Pass, fresh()),
        result("secrets", "secrets", GateStatus::Pass, fresh()),
        result("telemetry", "gates.telemetry", GateStatus::Skip, fresh()),
    ]
}

fn evidence() -> Command {
    let mut cmd = Command::cargo_bin("ci-intel-evidence").unwrap();
    // A fixed environment: no Actions variables, no org policy.
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd
}

struct Bundle {
    _work: tempfile::TempDir,
    dir: PathBuf,
    tar: PathBuf,
    keys: Keys,
}

fn bundle_with(
    results: &[GateResult],
    commit: &str,
    algorithm: Algorithm,
    sign_statements: bool,
) -> (Bundle, std::process::Output) {
    let keys = keys(algorithm);
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("evidence");
    statements(
        &input,
        commit,
        results,
        sign_statements.then_some(&keys.key),
    );
    let out = work.path().join("bundle");
    let output = evidence()
        .current_dir(work.path())
        .args([
            "bundle",
            "--release",
            "v1.2.3",
            "--subject",
            &subject(),
            "--commit",
            COMMIT,
            "--time",
            TIME,
        ])
        .arg("--from")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .arg("--sign-key")
        .arg(&keys.private)
        .output()
        .unwrap();
    let tar = work.path().join("bundle.tar");
    (
        Bundle {
            _work: work,
            dir: out,
            tar,
            keys,
        },
        output,
    )
}

fn good_bundle() -> Bundle {
    let (bundle, output) = bundle_with(&good_results(), COMMIT, Algorithm::Ed25519, true);
    assert!(output.status.success(), "{}", text(&output));
    bundle
}

fn text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn verify(target: &Path, pubkey: &Path) -> std::process::Output {
    evidence()
        .arg("verify")
        .arg(target)
        .arg("--pubkey")
        .arg(pubkey)
        .args(["--time", "2030-01-02T04:00:00Z"])
        .output()
        .unwrap()
}

fn memo(target: &Path, pubkey: &Path) -> std::process::Output {
    evidence()
        .arg("memo")
        .arg(target)
        .arg("--pubkey")
        .arg(pubkey)
        .args(["--time", "2030-01-02T04:00:00Z"])
        .output()
        .unwrap()
}

/// `verify` exits 1 and the memo says NO-GO.
fn assert_denied(target: &Path, pubkey: &Path, expect: &str) {
    let output = verify(target, pubkey);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains(expect),
        "expected `{expect}` in:\n{}",
        text(&output)
    );
    let memo = memo(target, pubkey);
    assert_eq!(memo.status.code(), Some(1), "{}", text(&memo));
    let body = String::from_utf8_lossy(&memo.stdout);
    assert!(body.contains("**Decision: NO-GO**"), "{body}");
    assert!(!body.contains("**Decision: GO**"), "{body}");
}

#[test]
fn bundle_then_verify_passes_for_ed25519_and_p256_and_the_memo_says_go() {
    for algorithm in [Algorithm::Ed25519, Algorithm::EcdsaP256Sha256] {
        let (bundle, output) = bundle_with(&good_results(), COMMIT, algorithm, true);
        assert!(output.status.success(), "{}", text(&output));
        for target in [&bundle.dir, &bundle.tar] {
            let output = verify(target, &bundle.keys.public);
            assert!(output.status.success(), "{}", text(&output));
            let out = text(&output);
            assert!(out.contains("result: pass"), "{out}");
            assert!(out.contains("policy") && out.contains("secrets"), "{out}");
            let memo = memo(target, &bundle.keys.public);
            assert!(memo.status.success(), "{}", text(&memo));
            let body = String::from_utf8_lossy(&memo.stdout);
            assert!(body.contains("**Decision: GO**"), "{body}");
            assert!(
                body.contains("## Rollback") && body.contains("## Risks"),
                "{body}"
            );
        }
    }
}

#[test]
fn the_bundle_has_every_part_the_vsa_and_a_manifest_of_every_file() {
    let bundle = good_bundle();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(bundle.dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["release"], "v1.2.3");
    assert_eq!(manifest["commit"], COMMIT);
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    for expected in [
        "gates/policy.intoto.json",
        "gates/secrets.intoto.json",
        "memo.md",
        "vsa.intoto.json",
    ] {
        assert!(listed.contains(&expected), "{listed:?}");
    }
    assert!(bundle.dir.join("manifest.dsse.json").is_file());
    // The VSA: SLSA verification_summary v1 over every statement by digest.
    let envelope: Value =
        serde_json::from_slice(&std::fs::read(bundle.dir.join("vsa.intoto.json")).unwrap())
            .unwrap();
    let payload = base64_decode(envelope["payload"].as_str().unwrap());
    let vsa: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(
        vsa["predicateType"],
        "https://slsa.dev/verification_summary/v1"
    );
    let p = &vsa["predicate"];
    assert_eq!(p["verificationResult"], "PASSED");
    assert_eq!(p["timeVerified"], TIME);
    assert!(
        p["verifier"]["id"]
            .as_str()
            .unwrap()
            .contains("ci-intel-evidence")
    );
    assert_eq!(p["policy"]["digest"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(p["inputAttestations"].as_array().unwrap().len(), 3);
    assert_eq!(vsa["subject"][0]["digest"]["sha256"], "5a".repeat(32));
    assert!(
        p["verifiedLevels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l == "CI_INTEL_EVIDENCE_COMPLETE")
    );
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let keys = keys(Algorithm::Ed25519);
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("evidence");
    statements(&input, COMMIT, &good_results(), Some(&keys.key));
    let mut tars = Vec::new();
    for name in ["one", "two"] {
        let out = work.path().join(name);
        // Ed25519 signatures are deterministic, so even signed bundles match.
        let output = evidence()
            .args([
                "bundle",
                "--release",
                "v1.2.3",
                "--subject",
                &subject(),
                "--commit",
                COMMIT,
                "--time",
                TIME,
            ])
            .arg("--from")
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .arg("--sign-key")
            .arg(&keys.private)
            .arg("--repo")
            .arg(work.path())
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", text(&output));
        tars.push(std::fs::read(work.path().join(format!("{name}.tar"))).unwrap());
    }
    assert_eq!(tars[0], tars[1]);
    // And the archive holds exactly the directory's files.
    let files = ci_intel_evidence::bundle::read_tar(&tars[0]).unwrap();
    let loaded = ci_intel_evidence::bundle::load(&work.path().join("one")).unwrap();
    assert_eq!(files, loaded.files);
}

#[test]
fn a_changed_byte_in_any_file_of_the_bundle_is_a_gap() {
    let bundle = good_bundle();
    let loaded = ci_intel_evidence::bundle::load(&bundle.dir).unwrap();
    assert!(loaded.files.len() >= 7, "{:?}", loaded.files.keys());
    for (path, bytes) in &loaded.files {
        let copy = tempfile::tempdir().unwrap();
        let target = copy.path().join("b");
        let mut files = loaded.files.clone();
        let mut changed = bytes.clone();
        // The last letter or digit, changed to another: JSON stays JSON.
        let at = changed.iter().rposition(u8::is_ascii_alphanumeric).unwrap();
        changed[at] = if changed[at] == b'a' {
            b'b'
        } else if changed[at] == b'1' {
            b'2'
        } else if changed[at].is_ascii_digit() {
            b'1'
        } else {
            b'a'
        };
        files.insert(path.clone(), changed);
        write_files(&target, &files);
        let output = verify(&target, &bundle.keys.public);
        assert_eq!(
            output.status.code(),
            Some(1),
            "changing {path}: {}",
            text(&output)
        );
        assert!(text(&output).contains("GAP"), "{path}: {}", text(&output));
    }
    // A file added to the bundle is a gap too.
    let copy = tempfile::tempdir().unwrap();
    let mut files = loaded.files;
    files.insert("scans/extra.sarif".into(), b"{}".to_vec());
    write_files(copy.path(), &files);
    assert_denied(
        copy.path(),
        &bundle.keys.public,
        "scans/extra.sarif is not in the manifest",
    );
}

fn write_files(dir: &Path, files: &BTreeMap<String, Vec<u8>>) {
    for (path, bytes) in files {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

#[test]
fn a_changed_file_data_byte_inside_the_tar_is_a_gap() {
    let bundle = good_bundle();
    let mut bytes = std::fs::read(&bundle.tar).unwrap();
    let needle = b"## Rollback";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap();
    bytes[at + 3] = b'r';
    let tampered = bundle.tar.with_file_name("tampered.tar");
    std::fs::write(&tampered, bytes).unwrap();
    assert_denied(&tampered, &bundle.keys.public, "memo.md changed");
}

#[test]
fn a_missing_required_gate_is_a_gap() {
    let results: Vec<GateResult> = good_results()
        .into_iter()
        .filter(|r| r.id != "secrets")
        .collect();
    let (bundle, output) = bundle_with(&results, COMMIT, Algorithm::Ed25519, true);
    assert_eq!(
        output.status.code(),
        Some(1),
        "bundle judges too: {}",
        text(&output)
    );
    assert_denied(
        &bundle.dir,
        &bundle.keys.public,
        "required (evidence.required) but no statement",
    );
}

#[test]
fn a_statement_about_another_commit_is_a_gap() {
    let (bundle, output) = bundle_with(&good_results(), OTHER_COMMIT, Algorithm::Ed25519, true);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert_denied(
        &bundle.dir,
        &bundle.keys.public,
        &format!("about commit {OTHER_COMMIT}"),
    );
}

#[test]
fn a_statement_about_another_image_is_a_gap() {
    let mut results = good_results();
    results[0].subjects = vec![Input {
        path: format!("ghcr.io/acme/app@sha256:{}", "77".repeat(32)),
        sha256: "77".repeat(32),
    }];
    let (bundle, _) = bundle_with(&results, COMMIT, Algorithm::Ed25519, true);
    assert_denied(&bundle.dir, &bundle.keys.public, "not the release subject");
}

#[test]
fn a_stale_statement_is_a_gap() {
    let mut results = good_results();
    results[1] = result(
        "secrets",
        "secrets",
        GateStatus::Pass,
        time("2029-12-20T00:00:00Z"),
    );
    let (bundle, output) = bundle_with(&results, COMMIT, Algorithm::Ed25519, true);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert_denied(&bundle.dir, &bundle.keys.public, "stale");
}

#[test]
fn a_wrong_signature_is_a_gap() {
    let bundle = good_bundle();
    let other = keys(Algorithm::Ed25519);
    assert_denied(&bundle.dir, &other.public, "no signature verifies");
    // Unsigned statements under a signed bundle are a gap too.
    let (unsigned, _) = bundle_with(&good_results(), COMMIT, Algorithm::Ed25519, false);
    assert_denied(&unsigned.dir, &unsigned.keys.public, "unsigned");
}

#[test]
fn a_required_gate_that_did_not_allow_is_a_gap() {
    let mut results = good_results();
    results[0] = result("policy", "policy", GateStatus::Warn, fresh());
    let (bundle, _) = bundle_with(&results, COMMIT, Algorithm::Ed25519, true);
    assert_denied(
        &bundle.dir,
        &bundle.keys.public,
        "a required gate must be `allow`",
    );
    let memo = memo(&bundle.dir, &bundle.keys.public);
    let body = String::from_utf8_lossy(&memo.stdout);
    assert!(body.contains("`policy` warned"), "{body}");
}

#[test]
fn an_unreadable_bundle_is_exit_3_and_no_key_is_exit_2() {
    let work = tempfile::tempdir().unwrap();
    let key = keys(Algorithm::Ed25519);
    let garbage = work.path().join("x.tar");
    std::fs::write(&garbage, b"this is not a tar archive at all").unwrap();
    assert_eq!(verify(&garbage, &key.public).status.code(), Some(3));
    assert_eq!(
        verify(work.path(), &key.public).status.code(),
        Some(3),
        "no manifest"
    );
    assert_eq!(
        verify(&work.path().join("missing"), &key.public)
            .status
            .code(),
        Some(3)
    );
    let bundle = good_bundle();
    let output = evidence().arg("verify").arg(&bundle.dir).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("--pubkey"), "{}", text(&output));
}

#[test]
fn the_expected_commit_and_subject_are_checked_when_given() {
    let bundle = good_bundle();
    let output = evidence()
        .arg("verify")
        .arg(&bundle.dir)
        .arg("--pubkey")
        .arg(&bundle.keys.public)
        .args(["--time", "2030-01-02T04:00:00Z", "--commit", OTHER_COMMIT])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let output = evidence()
        .arg("verify")
        .arg(&bundle.dir)
        .arg("--pubkey")
        .arg(&bundle.keys.public)
        .args([
            "--time",
            "2030-01-02T04:00:00Z",
            "--commit",
            COMMIT,
            "--subject",
            &subject(),
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn required_gates_come_from_the_configuration_and_an_org_can_lock_a_superset() {
    let bundle = good_bundle();
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("config.yml");
    std::fs::write(
        &config,
        "evidence:\n  required: [policy, secrets, attest]\n",
    )
    .unwrap();
    let output = evidence()
        .arg("verify")
        .arg(&bundle.dir)
        .arg("--pubkey")
        .arg(&bundle.keys.public)
        .args(["--time", "2030-01-02T04:00:00Z"])
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("attest"), "{}", text(&output));
    // The org locks the list; the repository may not drop a gate from it.
    let org = work.path().join("org.yml");
    std::fs::write(
        &org,
        "evidence:\n  required: [policy, secrets]\nlock: [evidence.required]\n",
    )
    .unwrap();
    std::fs::write(&config, "evidence:\n  required: [policy]\n").unwrap();
    let output = evidence()
        .arg("verify")
        .arg(&bundle.dir)
        .arg("--pubkey")
        .arg(&bundle.keys.public)
        .arg("--config")
        .arg(&config)
        .arg("--org-policy")
        .arg(&org)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("evidence.required"),
        "{}",
        text(&output)
    );
}
