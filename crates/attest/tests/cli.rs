//! The real `ci-intel-attest` binary: exit codes (0 pass, 1 deny, also for
//! malformed evidence, 2 usage, 3 could not verify), output formats, the transcript file, the runner
//! contract, and `--refresh` failing closed.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

fn attest() -> Command {
    let mut cmd = Command::cargo_bin("ci-intel-attest").unwrap();
    for var in [
        "GITHUB_ACTIONS",
        "GITHUB_OUTPUT",
        "GITHUB_STEP_SUMMARY",
        "CI_INTEL_ATTEST_TUF_MIRROR",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// `verify-bundle` of the conformance happy path, plus `extra` flags.
fn happy(corpus: &Path, extra: &[&str]) -> Command {
    let case = corpus.join("bundle-verify/happy-path-v0.3");
    let mut cmd = attest();
    cmd.arg("verify-bundle")
        .arg(corpus.join("bundle-verify/a.txt"))
        .arg("--bundle")
        .arg(case.join("bundle.sigstore.json"))
        .args(["--cert-identity", common::DEFAULT_IDENTITY])
        .args(["--cert-oidc-issuer", common::DEFAULT_ISSUER])
        .args(extra);
    cmd
}

fn code(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_good_bundle_passes_and_writes_its_transcript() {
    let Some(corpus) = common::corpus("sigstore-conformance") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let transcript = dir.path().join("t.json");
    let (status, stdout, stderr) = code(&mut happy(
        &corpus,
        &["--transcript", transcript.to_str().unwrap()],
    ));
    assert_eq!(status, 0, "{stdout}{stderr}");
    assert!(stdout.contains("no findings"), "{stdout}");
    let t: Value = serde_json::from_str(&std::fs::read_to_string(&transcript).unwrap()).unwrap();
    assert_eq!(t["schema"], "ci-intel-attest-transcript/v1");
    assert_eq!(t["result"], "pass");
    assert_eq!(t["trusted_root"]["source"], "embedded public-good");
    assert_eq!(t["policy"]["cert-identity"], common::DEFAULT_IDENTITY);
    let checks = t["checks"].as_array().unwrap();
    // Every check made is listed; none failed; the key ones passed.
    assert!(checks.iter().all(|c| c["result"] != "fail"));
    for id in [
        "certificate-chain",
        "certificate-sct",
        "certificate-identity",
        "certificate-issuer",
        "tlog-inclusion-proof",
        "tlog-checkpoint",
        "tlog-set",
        "tlog-integrated-time",
        "signature",
        "artifact-digest",
    ] {
        let check = checks
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no {id}"));
        assert_eq!(check["result"], "pass", "{id}: {check}");
    }
    let identity = checks
        .iter()
        .find(|c| c["id"] == "certificate-identity")
        .unwrap();
    assert_eq!(identity["expected"], common::DEFAULT_IDENTITY);
    assert_eq!(identity["actual"], common::DEFAULT_IDENTITY);
}

#[test]
fn formats_json_sarif_and_github() {
    let Some(corpus) = common::corpus("sigstore-conformance") else {
        return;
    };
    let (status, stdout, _) = code(&mut happy(&corpus, &["--format", "json"]));
    assert_eq!(status, 0);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["result"], "pass");
    assert_eq!(json["policies"][0]["id"], "ci-intel/attest/verify-bundle");
    assert_eq!(json["policies"][0]["result"], "allow");
    assert!(json["policies"][0]["time_ns"].as_u64().unwrap() > 0);
    assert!(json["transcript"]["checks"].as_array().unwrap().len() > 10);

    // A denial: the wrong identity, as SARIF and as GitHub annotations.
    let wrong = |format: &str| {
        let mut cmd = attest();
        cmd.arg("verify-bundle")
            .arg(corpus.join("bundle-verify/a.txt"))
            .arg("--bundle")
            .arg(corpus.join("bundle-verify/happy-path-v0.3/bundle.sigstore.json"))
            .args([
                "--cert-identity",
                "https://github.com/evil/repo/.github/workflows/x.yml@refs/heads/main",
            ])
            .args([
                "--cert-oidc-issuer",
                common::DEFAULT_ISSUER,
                "--format",
                format,
            ]);
        cmd
    };
    let (status, stdout, _) = code(&mut wrong("sarif"));
    assert_eq!(status, 1);
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "certificate-identity");
    let text = results[0]["message"]["text"].as_str().unwrap();
    assert!(
        text.contains("expected: https://github.com/evil/repo"),
        "{text}"
    );
    assert!(
        text.contains(&format!("actual: {}", common::DEFAULT_IDENTITY)),
        "{text}"
    );

    let (status, stdout, _) = code(&mut wrong("github"));
    assert_eq!(status, 1);
    assert!(stdout.starts_with("::error "), "{stdout}");
    assert!(stdout.contains("certificate-identity"), "{stdout}");
}

#[test]
fn identity_regexp_and_issuer() {
    let Some(corpus) = common::corpus("sigstore-conformance") else {
        return;
    };
    let case = corpus.join("bundle-verify/happy-path-v0.3");
    let run = |identity: &[&str], issuer: &str| {
        let mut cmd = attest();
        cmd.arg("verify-bundle")
            .arg(corpus.join("bundle-verify/a.txt"))
            .arg("--bundle")
            .arg(case.join("bundle.sigstore.json"))
            .args(identity)
            .args(["--cert-oidc-issuer", issuer]);
        code(&mut cmd).0
    };
    let re = "^https://github\\.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/";
    assert_eq!(
        run(&["--cert-identity-regexp", re], common::DEFAULT_ISSUER),
        0
    );
    assert_eq!(
        run(
            &["--cert-identity-regexp", "^https://github\\.com/other/"],
            common::DEFAULT_ISSUER
        ),
        1
    );
    assert_eq!(
        run(
            &["--cert-identity", common::DEFAULT_IDENTITY],
            "https://accounts.google.com"
        ),
        1
    );
    // An invalid regular expression is a usage error.
    assert_eq!(
        run(&["--cert-identity-regexp", "("], common::DEFAULT_ISSUER),
        2
    );
}

#[test]
fn usage_errors_exit_2() {
    let Some(corpus) = common::corpus("sigstore-conformance") else {
        return;
    };
    let bundle = corpus.join("bundle-verify/happy-path-v0.3/bundle.sigstore.json");
    let a = corpus.join("bundle-verify/a.txt");
    let cases: Vec<(Vec<String>, &str)> = vec![
        // No identity and no key.
        (
            vec![
                "verify-bundle".into(),
                a.display().to_string(),
                "--bundle".into(),
                bundle.display().to_string(),
            ],
            "--cert-identity or --cert-identity-regexp is required",
        ),
        // Identity without issuer.
        (
            vec![
                "verify-bundle".into(),
                a.display().to_string(),
                "--bundle".into(),
                bundle.display().to_string(),
                "--cert-identity".into(),
                "x".into(),
            ],
            "--cert-oidc-issuer is required",
        ),
        // No artifact.
        (
            vec![
                "verify-bundle".into(),
                "--bundle".into(),
                bundle.display().to_string(),
            ],
            "ARTIFACT",
        ),
        // An artifact that is neither a file nor a digest.
        (
            vec![
                "verify-bundle".into(),
                "no-such-file".into(),
                "--bundle".into(),
                bundle.display().to_string(),
                "--cert-identity".into(),
                "x".into(),
                "--cert-oidc-issuer".into(),
                "y".into(),
            ],
            "no such file, and not a sha256 digest",
        ),
        // Tag and branch together.
        (
            vec![
                "verify-provenance".into(),
                a.display().to_string(),
                "--provenance".into(),
                bundle.display().to_string(),
                "--source-uri".into(),
                "github.com/o/r".into(),
                "--source-tag".into(),
                "v1".into(),
                "--source-branch".into(),
                "main".into(),
            ],
            "cannot be used with",
        ),
        // Not a GitHub repository.
        (
            vec![
                "verify-provenance".into(),
                a.display().to_string(),
                "--provenance".into(),
                bundle.display().to_string(),
                "--source-uri".into(),
                "gitlab.com/o/r".into(),
            ],
            "must name a GitHub repository",
        ),
        // --trusted-root with --instance.
        (
            vec![
                "verify-bundle".into(),
                a.display().to_string(),
                "--bundle".into(),
                bundle.display().to_string(),
                "--trusted-root".into(),
                "x.json".into(),
                "--instance".into(),
                "github".into(),
            ],
            "cannot be used with",
        ),
        // A zero timeout.
        (
            vec![
                "verify-bundle".into(),
                a.display().to_string(),
                "--bundle".into(),
                bundle.display().to_string(),
                "--timeout".into(),
                "0".into(),
            ],
            "--timeout",
        ),
    ];
    for (args, needle) in cases {
        let (status, _, stderr) = code(attest().args(&args));
        assert_eq!(status, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}

#[test]
fn could_not_verify_exits_3_and_still_writes_a_transcript() {
    let Some(corpus) = common::corpus("sigstore-conformance") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let junk_root = dir.path().join("root.json");
    std::fs::write(&junk_root, "{}").unwrap();
    let good = corpus.join("bundle-verify/happy-path-v0.3/bundle.sigstore.json");
    let broken_key = dir.path().join("broken.pem");
    std::fs::write(&broken_key, "not a key").unwrap();
    let cases: Vec<(PathBuf, Vec<String>, &str)> = vec![
        (dir.path().join("missing.json"), vec![], "cannot read"),
        // A directory where the bundle should be: present, but unreadable.
        (dir.path().to_path_buf(), vec![], "cannot read"),
        // An unreadable bundle stops the verifier even with a malformed key.
        (
            dir.path().join("missing.json"),
            vec!["--key".into(), broken_key.display().to_string()],
            "cannot read",
        ),
        (
            good.clone(),
            vec!["--trusted-root".into(), junk_root.display().to_string()],
            "trusted root",
        ),
        (
            good,
            vec![
                "--key".into(),
                dir.path().join("nokey.pem").display().to_string(),
            ],
            "cannot read --key",
        ),
    ];
    for (bundle, extra, needle) in cases {
        let transcript = dir.path().join("t.json");
        let _ = std::fs::remove_file(&transcript);
        let outputs = dir.path().join("out");
        let _ = std::fs::remove_file(&outputs);
        let mut cmd = attest();
        cmd.arg("verify-bundle")
            .arg(corpus.join("bundle-verify/a.txt"))
            .arg("--bundle")
            .arg(&bundle)
            .args(["--cert-identity", common::DEFAULT_IDENTITY])
            .args(["--cert-oidc-issuer", common::DEFAULT_ISSUER])
            .args(&extra)
            .arg("--transcript")
            .arg(&transcript)
            .env("GITHUB_OUTPUT", &outputs);
        let (status, stdout, stderr) = code(&mut cmd);
        assert_eq!(status, 3, "{bundle:?} {extra:?}: {stdout}{stderr}");
        assert!(stderr.contains(needle), "{needle}: {stderr}");
        let t: Value =
            serde_json::from_str(&std::fs::read_to_string(&transcript).unwrap()).unwrap();
        assert_eq!(t["result"], "could-not-verify");
        assert!(t["checks"].as_array().unwrap().is_empty());
        let out = std::fs::read_to_string(&outputs).unwrap();
        assert!(
            out.contains("result<<") && out.contains("\nerror\n"),
            "{out}"
        );
    }
}

/// Run `cmd` with a transcript and `$GITHUB_OUTPUT`; require a denial
/// (exit 1, `result=deny`) whose one failed check is `check`, with `needle`
/// in its reason on stderr, in the transcript and in the JSON findings.
fn assert_denied_as_malformed(mut cmd: Command, dir: &Path, check: &str, needle: &str, what: &str) {
    let transcript = dir.join("t.json");
    let _ = std::fs::remove_file(&transcript);
    let outputs = dir.join("out");
    let _ = std::fs::remove_file(&outputs);
    cmd.args(["--format", "json"])
        .arg("--transcript")
        .arg(&transcript)
        .env("GITHUB_OUTPUT", &outputs);
    let (status, stdout, stderr) = code(&mut cmd);
    assert_eq!(status, 1, "{what}: {stdout}{stderr}");
    assert!(stderr.contains(needle), "{what}: {needle}: {stderr}");
    assert!(stderr.contains("malformed evidence"), "{what}: {stderr}");
    let printed: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(printed["result"], "deny", "{what}");
    let findings = printed["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{what}: {findings:?}");
    assert_eq!(findings[0]["rule_id"], check, "{what}: {findings:?}");
    let t: Value = serde_json::from_str(&std::fs::read_to_string(&transcript).unwrap()).unwrap();
    assert_eq!(t["result"], "deny", "{what}");
    let checks = t["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 1, "{what}: {checks:?}");
    assert_eq!(checks[0]["id"], check, "{what}");
    assert_eq!(checks[0]["result"], "fail", "{what}");
    assert!(
        checks[0]["detail"].as_str().unwrap().contains(needle),
        "{what}: {checks:?}"
    );
    let out = std::fs::read_to_string(&outputs).unwrap();
    assert!(out.contains("\ndeny\n"), "{what}: {out}");
}

#[test]
fn malformed_bundles_and_keys_are_denials_with_the_reason() {
    let Some(corpus) = common::corpus("sigstore-conformance") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let good: Value = serde_json::from_str(
        &std::fs::read_to_string(corpus.join("bundle-verify/happy-path-v0.3/bundle.sigstore.json"))
            .unwrap(),
    )
    .unwrap();
    let mut bad_field = good.clone();
    bad_field["messageSignature"]["signature"] = Value::String("%%% not base64".into());
    let mut no_media_type = good.clone();
    no_media_type.as_object_mut().unwrap().remove("mediaType");
    let mut future_version = good;
    future_version["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=0.9".into();
    let cases: Vec<(PathBuf, &str)> = vec![
        (
            corpus.join("bundle-verify/bundle-malformed-json_fail/bundle.sigstore.json"),
            "invalid JSON",
        ),
        (file("empty.sigstore.json", b"\n"), "empty"),
        (file("latin1.sigstore.json", b"{\"mediaType\": \"\xe9\"}"), "not UTF-8"),
        (file("array.sigstore.json", b"[]"), "expected a JSON object"),
        (
            file("nomedia.sigstore.json", no_media_type.to_string().as_bytes()),
            "`mediaType` is missing",
        ),
        (
            file("v09.sigstore.json", future_version.to_string().as_bytes()),
            "unsupported bundle media type",
        ),
        (
            file("field.sigstore.json", bad_field.to_string().as_bytes()),
            "malformed Sigstore bundle: Invalid encoding: invalid base64",
        ),
        (
            file(
                "dsse.json",
                br#"{"payloadType": "application/vnd.in-toto+json", "payload": "", "signatures": []}"#,
            ),
            "bare DSSE envelope",
        ),
    ];
    for (bundle, needle) in cases {
        let mut cmd = attest();
        cmd.arg("verify-bundle")
            .arg(corpus.join("bundle-verify/a.txt"))
            .arg("--bundle")
            .arg(&bundle)
            .args(["--cert-identity", common::DEFAULT_IDENTITY])
            .args(["--cert-oidc-issuer", common::DEFAULT_ISSUER]);
        assert_denied_as_malformed(
            cmd,
            dir.path(),
            "bundle-format",
            needle,
            &bundle.display().to_string(),
        );
    }

    // A malformed --key: not PEM, PEM of something else, not UTF-8.
    let case = corpus.join("bundle-verify/managed-key-happy-path");
    let keys = [
        (file("garbage.pem", b"not a key"), "not a PEM public key"),
        (
            file(
                "cert.pem",
                b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            ),
            "not a PEM public key",
        ),
        (file("binary.pem", b"\xff\xfe\x00"), "not UTF-8"),
    ];
    for (key, needle) in keys {
        let mut cmd = attest();
        cmd.arg("verify-bundle")
            .arg(corpus.join("bundle-verify/a.txt"))
            .arg("--bundle")
            .arg(case.join("bundle.sigstore.json"))
            .arg("--key")
            .arg(&key);
        assert_denied_as_malformed(
            cmd,
            dir.path(),
            "public-key",
            needle,
            &key.display().to_string(),
        );
    }
}

#[test]
fn a_malformed_provenance_file_is_a_denial_with_the_reason() {
    let Some(slsa) = common::corpus("slsa") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let name = "binary-linux-amd64-push-v14.2";
    let fixtures = slsa.join("gha_generic/v2.1.0");
    let good = std::fs::read_to_string(fixtures.join(format!("{name}.intoto.jsonl"))).unwrap();
    // One genuine line and one broken line: the file is malformed as a
    // whole, and the denial names the line.
    let broken_line = format!("{}\n{{\"mediaType\": 7}}\n", good.trim_end());
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty.intoto.jsonl", "\n\n".to_owned(), "empty"),
        (
            "line.intoto.jsonl",
            broken_line,
            "line.intoto.jsonl:2: field `mediaType` must be a string",
        ),
        (
            "truncated.intoto.jsonl",
            good[..good.len() / 2].to_owned(),
            "invalid JSON",
        ),
    ];
    for (file, text, needle) in cases {
        let path = dir.path().join(file);
        std::fs::write(&path, text).unwrap();
        let mut cmd = attest();
        cmd.arg("verify-provenance")
            .arg(fixtures.join(name))
            .arg("--provenance")
            .arg(&path)
            .args(["--source-uri", "github.com/slsa-framework/example-package"])
            .args(["--source-tag", "v14.2"]);
        assert_denied_as_malformed(cmd, dir.path(), "bundle-format", needle, file);
    }
}

#[test]
fn runner_contract_outputs_and_summary() {
    let Some(corpus) = common::corpus("sigstore-conformance") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let outputs = dir.path().join("out");
    let summary = dir.path().join("summary.md");
    let mut cmd = happy(&corpus, &[]);
    cmd.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary);
    let (status, _, stderr) = code(&mut cmd);
    assert_eq!(status, 0, "{stderr}");
    let values =
        ci_intel_core::runner::parse_key_value_file(&std::fs::read_to_string(&outputs).unwrap())
            .unwrap();
    assert_eq!(values["result"], "pass");
    assert_eq!(values["findings"], "0");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("### ci-intel attest verify-bundle"), "{md}");
    assert!(md.contains("**pass**"), "{md}");
}

#[test]
fn managed_key_bundles_need_their_key() {
    let Some(corpus) = common::corpus("sigstore-conformance") else {
        return;
    };
    let case = corpus.join("bundle-verify/managed-key-happy-path");
    let mut cmd = attest();
    cmd.arg("verify-bundle")
        .arg(corpus.join("bundle-verify/a.txt"))
        .arg("--bundle")
        .arg(case.join("bundle.sigstore.json"))
        .arg("--key")
        .arg(case.join("key.pub"));
    assert_eq!(code(&mut cmd).0, 0);
    // The key of another case (a valid key, just not this bundle's).
    let other = corpus.join("bundle-verify/managed-key-and-trusted-root/key.pub");
    if std::fs::read(&other).unwrap() != std::fs::read(case.join("key.pub")).unwrap() {
        let mut cmd = attest();
        cmd.arg("verify-bundle")
            .arg(corpus.join("bundle-verify/a.txt"))
            .arg("--bundle")
            .arg(case.join("bundle.sigstore.json"))
            .arg("--key")
            .arg(&other);
        assert_eq!(code(&mut cmd).0, 1);
    }
}

/// GitHub's instance: no transparency log, signing time from a TSA. The
/// certificate chains to GitHub's Fulcio only with `--instance github`.
#[test]
fn github_instance_bundles_verify_against_the_github_root_only() {
    let bundle = data("github-private-attestation.sigstore.json");
    let digest = "sha256:76f1fe8593bf227cca2c089e3c16dc95014a8d3e89c5dd220530469ca043c428";
    let dir = tempfile::tempdir().unwrap();
    let transcript = dir.path().join("t.json");
    let run = |instance: &str| {
        let mut cmd = attest();
        cmd.args(["verify-bundle", digest, "--bundle"])
            .arg(&bundle)
            .args(["--cert-identity", "https://dotcom.releases.github.com"])
            .args([
                "--cert-oidc-issuer",
                "https://token.actions.githubusercontent.com",
            ])
            .args(["--instance", instance, "--transcript"])
            .arg(&transcript);
        let (status, stdout, stderr) = code(&mut cmd);
        let t: Value =
            serde_json::from_str(&std::fs::read_to_string(&transcript).unwrap()).unwrap();
        (status, t, format!("{stdout}{stderr}"))
    };
    let result = |t: &Value, id: &str| {
        t["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["result"].as_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (status, t, out) = run("github");
    // The release attester's certificate has no OIDC issuer extension, so
    // an issuer policy cannot be met: denied, but only by that check.
    assert_eq!(status, 1, "{out}");
    let failed: Vec<&str> = t["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["result"] == "fail")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["certificate-issuer"], "{out}");
    assert_eq!(result(&t, "certificate-chain"), "pass");
    assert_eq!(result(&t, "timestamp-rfc3161"), "pass");
    assert_eq!(result(&t, "signature"), "pass");
    assert_eq!(result(&t, "artifact-digest"), "pass");
    assert_eq!(result(&t, "tlog-inclusion-proof"), "not-applicable");
    assert_eq!(result(&t, "certificate-sct"), "not-applicable");
    // Against the public-good root, which has transparency logs, a bundle
    // without an inclusion proof is refused before anything else; nothing
    // about its certificate is established.
    let (status, t, out) = run("public-good");
    assert_eq!(status, 1, "{out}");
    assert_eq!(result(&t, "bundle-structure"), "fail", "{out}");
    assert_eq!(result(&t, "certificate-chain"), "not-reached", "{out}");
}

/// `--refresh` goes to the network only when asked, is bounded by
/// `--timeout`, and a failure is exit 3 naming the refresh, never a quiet
/// fall back to the embedded root. The mirror here is a loopback listener
/// that accepts and never answers.
#[test]
fn refresh_fails_closed_within_the_timeout() {
    let Some(corpus) = common::corpus("sigstore-conformance") else {
        return;
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Hold accepted connections open without answering.
    let holder = std::thread::spawn(move || {
        let mut held = Vec::new();
        listener.set_nonblocking(true).unwrap();
        let until = Instant::now() + Duration::from_secs(20);
        while Instant::now() < until {
            match listener.accept() {
                Ok((stream, _)) => held.push(stream),
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    });
    let started = Instant::now();
    let mut cmd = happy(&corpus, &["--refresh", "--timeout", "2"]);
    cmd.env(
        "CI_INTEL_ATTEST_TUF_MIRROR",
        format!("http://127.0.0.1:{port}/"),
    );
    let (status, stdout, stderr) = code(&mut cmd);
    let took = started.elapsed();
    assert_eq!(status, 3, "{stdout}{stderr}");
    assert!(stderr.contains("could not refresh"), "{stderr}");
    assert!(
        stderr.contains("timed out") || stderr.contains("TUF"),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(15), "took {took:?}");

    // A refused connection fails fast, also exit 3.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut cmd = happy(&corpus, &["--refresh", "--timeout", "5"]);
    cmd.env(
        "CI_INTEL_ATTEST_TUF_MIRROR",
        format!("http://127.0.0.1:{closed_port}/"),
    );
    let (status, _, stderr) = code(&mut cmd);
    assert_eq!(status, 3, "{stderr}");
    assert!(stderr.contains("could not refresh"), "{stderr}");
    drop(holder);
}

#[test]
fn help_and_version_exit_0() {
    for args in [
        vec!["--help"],
        vec!["--version"],
        vec!["verify-provenance", "--help"],
    ] {
        let (status, stdout, _) = code(attest().args(&args));
        assert_eq!(status, 0, "{args:?}");
        assert!(!stdout.is_empty());
    }
}

#[test]
fn print_provenance_prints_the_verified_statement_and_nothing_on_a_denial() {
    let Some(slsa) = common::corpus("slsa") else {
        return;
    };
    let name = "binary-linux-amd64-push-v14.2";
    let fixtures = slsa.join("gha_generic/v2.1.0");
    let run = |versioned_tag: &str| {
        let mut cmd = attest();
        cmd.arg("verify-provenance")
            .arg(fixtures.join(name))
            .arg("--provenance")
            .arg(fixtures.join(format!("{name}.intoto.jsonl")))
            .args(["--source-uri", "github.com/slsa-framework/example-package"])
            .args([
                "--source-versioned-tag",
                versioned_tag,
                "--print-provenance",
            ]);
        code(&mut cmd)
    };
    let (status, stdout, stderr) = run("v14");
    assert_eq!(status, 0, "{stderr}");
    let statements: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(statements.len(), 1, "{stdout}");
    assert_eq!(statements[0]["_type"], "https://in-toto.io/Statement/v0.1");
    let sha256 = ci_intel_core::canonical::sha256_hex(&std::fs::read(fixtures.join(name)).unwrap());
    assert_eq!(
        statements[0]["subject"][0]["digest"]["sha256"],
        sha256.as_str()
    );
    // The report went to standard error.
    assert!(stderr.contains("verify-provenance"), "{stderr}");

    // Built from v14.2, not a v14.3 release: denied, and no statement printed.
    let (status, stdout, stderr) = run("v14.3");
    assert_eq!(status, 1, "{stderr}");
    assert!(stdout.is_empty(), "a denial printed provenance: {stdout}");
    assert!(stderr.contains("source-ref"), "{stderr}");

    // Not semver: a usage error naming the flag.
    let (status, stdout, stderr) = run("14.2");
    assert_eq!(status, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("--source-versioned-tag `14.2` is not a semver version"),
        "{stderr}"
    );
}
