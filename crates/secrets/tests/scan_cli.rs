//! `ci-intel-secrets scan` end to end: exit codes, empty input, formats,
//! .gitignore, binary and oversized files, environment files, inline
//! ignores, allowlists, the baseline, configuration layers and locks, and
//! `--diff` against a real git repository.

#![allow(clippy::unwrap_used)]

mod support;

use predicates::prelude::*;
use serde_json::Value;
use support::{fake, git, json, repo_with, secrets, write};

fn findings(out: &Value) -> Vec<&Value> {
    out["findings"].as_array().unwrap().iter().collect()
}

#[test]
fn a_clean_tree_passes_and_says_what_it_scanned() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "src/main.rs",
        "fn main() { println!(\"hi\"); }\n",
    );
    write(
        dir.path(),
        "README.md",
        "token: ${{ secrets.GITHUB_TOKEN }}\n",
    );
    secrets(dir.path())
        .arg("scan")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no findings"))
        .stderr(predicate::str::contains("2 file(s) scanned"));
}

#[test]
fn scanning_nothing_is_a_denial_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    secrets(dir.path())
        .arg("scan")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing was scanned"));
    secrets(dir.path())
        .args(["scan", "--allow-empty"])
        .assert()
        .code(0);
    // Only a binary file: still nothing scanned.
    std::fs::write(dir.path().join("blob.bin"), [0u8, 1, 2, 3]).unwrap();
    let out = secrets(dir.path())
        .args(["scan", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = json(&out);
    assert_eq!(out["summary"]["skipped_binary"], 1);
    assert_eq!(out["summary"]["verdict"], "deny");
    // A missing path is a usage error, not an empty scan.
    secrets(dir.path())
        .args(["scan", "does-not-exist"])
        .assert()
        .code(2);
}

#[test]
fn json_has_flat_findings_with_fingerprint_preview_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "deploy/release.yml",
        "on: push\nenv:\n  GH_TOKEN: {{fake:ghp}}\n",
    );
    write(dir.path(), "ok.txt", "nothing\n");
    let out = secrets(dir.path())
        .args(["scan", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = json(&out);
    let all = findings(&out);
    assert_eq!(all.len(), 1, "{out:#}");
    let f = all[0];
    assert_eq!(f["rule"], "github-pat-classic");
    assert_eq!(f["file"], "deploy/release.yml");
    assert_eq!(f["line"], 3);
    assert_eq!(f["column"], 13);
    assert_eq!(f["end_line"], 3);
    assert_eq!(f["end_column"], 53);
    assert_eq!(f["severity"], "critical");
    let fingerprint = f["fingerprint"].as_str().unwrap();
    assert!(
        fingerprint.starts_with("sha256:") && fingerprint.len() == 23,
        "{fingerprint}"
    );
    assert_eq!(
        fingerprint,
        ci_intel_secrets::secret::fingerprint(fake("ghp", "1").as_bytes())
    );
    assert_eq!(f["preview"], "ghp_…[40 chars redacted]");
    let summary = &out["summary"];
    for key in [
        "files_scanned",
        "bytes_scanned",
        "skipped_binary",
        "skipped_oversized",
        "excluded",
        "lossy_utf8",
        "findings",
        "suppressed_inline",
        "suppressed_allowlist",
        "baselined",
        "expired_baseline",
        "unused_baseline_entries",
        "by_rule",
        "by_severity",
        "mode",
        "fail_on",
        "verdict",
    ] {
        assert!(
            summary.get(key).is_some(),
            "summary lacks {key}: {summary:#}"
        );
    }
    assert_eq!(summary["files_scanned"], 2);
    assert_eq!(summary["by_rule"]["github-pat-classic"], 1);
    assert_eq!(summary["verdict"], "deny");
    assert_eq!(summary["mode"], "tree");
    assert_eq!(out["tool"]["name"], "ci-intel-secrets");
}

fn sarif_validator() -> jsonschema::Validator {
    let text = include_str!("../../core/tests/data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(text).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap()
}

#[test]
fn sarif_validates_against_the_2_1_0_schema_and_github_annotates() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.env.txt",
        "AWS_ACCESS_KEY_ID={{fake:aws-akid}}\nAWS_SECRET_ACCESS_KEY={{fake:aws-secret}}\n",
    );
    write(dir.path(), "keys/id_rsa", "{{fake:pem-rsa}}\n");
    let out = secrets(dir.path())
        .args(["scan", "--format", "sarif", "--sarif-output", "copy.sarif"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let log = json(&out);
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "{log:#}");
    let key = results
        .iter()
        .find(|r| r["ruleId"] == "private-key")
        .unwrap();
    let region = &key["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 1);
    assert!(
        region["endLine"].as_u64().unwrap() > 20,
        "a PEM block spans lines"
    );
    assert_eq!(std::fs::read(dir.path().join("copy.sarif")).unwrap(), out);
    secrets(dir.path())
        .args(["scan", "--format", "github", "a.env.txt"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "::error file=a.env.txt,line=1,col=19",
        ));
}

#[test]
fn gitignored_binary_and_oversized_files_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitignore", "build/\n*.log\n");
    write(dir.path(), "build/out.txt", "token = {{fake:ghp}}\n");
    write(dir.path(), "run.log", "token = {{fake:ghp}}\n");
    write(
        dir.path(),
        "big.txt",
        &format!("{}\n{{{{fake:ghp:big}}}}\n", "x".repeat(5000)),
    );
    std::fs::write(
        dir.path().join("image.png"),
        [&b"\x89PNG\0\0"[..], fake("ghp", "png").as_bytes()].concat(),
    )
    .unwrap();
    let out = secrets(dir.path())
        .args(["scan", "--format", "json", "--max-file-size", "4K"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = json(&out);
    assert_eq!(findings(&out).len(), 0, "{out:#}");
    assert_eq!(
        out["summary"]["files_scanned"], 1,
        "only .gitignore: {out:#}"
    );
    assert_eq!(out["summary"]["skipped_binary"], 1);
    assert_eq!(out["summary"]["skipped_oversized"], 1);
    // Named explicitly, an ignored file is scanned; a larger limit reads big.txt.
    secrets(dir.path())
        .args(["scan", "run.log"])
        .assert()
        .code(1);
    let out = secrets(dir.path())
        .args(["scan", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = json(&out);
    assert_eq!(findings(&out)[0]["file"], "big.txt");
    assert_eq!(findings(&out)[0]["line"], 2);
}

#[test]
fn non_utf8_files_are_scanned_lossily_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"caf\xe9\n".to_vec();
    bytes.extend_from_slice(format!("token = {}\n", fake("ghp", "latin")).as_bytes());
    std::fs::write(dir.path().join("latin1.txt"), bytes).unwrap();
    let out = secrets(dir.path())
        .args(["scan", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = json(&out);
    assert_eq!(out["summary"]["lossy_utf8"], 1);
    assert_eq!(findings(&out)[0]["line"], 2);
}

#[test]
fn committed_environment_files_are_findings_whatever_they_hold() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", "DEBUG=1\n");
    write(dir.path(), "config/.env.production", "");
    write(dir.path(), ".env.example", "API_KEY=\n");
    write(dir.path(), "app/.env.local.sample", "API_KEY=\n");
    write(dir.path(), ".envrc", "use nix\n");
    let out = secrets(dir.path())
        .args(["scan", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = json(&out);
    let files: Vec<&str> = findings(&out)
        .iter()
        .map(|f| {
            assert_eq!(f["rule"], "committed-env-file");
            f["file"].as_str().unwrap()
        })
        .collect();
    assert_eq!(files, vec![".env", "config/.env.production"]);
}

#[test]
fn inline_ignore_comments_suppress_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.py",
        "TOKEN = '{{fake:ghp:a}}'  # ci-intel: ignore[secrets]\nOTHER = '{{fake:ghp:b}}'  # ci-intel: ignore[jwt]\n",
    );
    write(
        dir.path(),
        "b.rs",
        "let t = \"{{fake:gho:c}}\"; // ci-intel: ignore[github-oauth-token]\n",
    );
    let out = secrets(dir.path())
        .args(["scan", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = json(&out);
    let all = findings(&out);
    assert_eq!(all.len(), 1, "{out:#}");
    assert_eq!(
        all[0]["line"], 2,
        "an ignore for another rule does not apply"
    );
    assert_eq!(out["summary"]["suppressed_inline"], 2);
}

#[test]
fn config_allowlists_paths_regexes_and_stopwords() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".ci-intel/config.yml",
        "secrets:\n  allowlist:\n    paths: ['test/fixtures/**']\n    regexes: ['^AKIA']\n    stopwords: [fake]\n  disabled_rules: [jwt]\n",
    );
    write(dir.path(), "test/fixtures/key.pem", "{{fake:pem-rsa}}\n");
    write(
        dir.path(),
        "creds.ini",
        "aws_access_key_id = {{fake:aws-akid}}\n",
    );
    // Synthetic tokens all contain FAKE: the stopword allows them.
    write(dir.path(), "tok.txt", "{{fake:ghp}}\n");
    write(dir.path(), "jwt.txt", "Bearer {{fake:jwt}}\n");
    let out = secrets(dir.path())
        .args(["scan", "--format", "json", "-v"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "skipped (excluded): test/fixtures/key.pem",
        ))
        .stderr(predicate::str::contains(
            "secrets.allowlist.regexes `^AKIA`",
        ))
        .get_output()
        .stdout
        .clone();
    let out = json(&out);
    assert_eq!(findings(&out).len(), 0, "{out:#}");
    assert_eq!(out["summary"]["excluded"], 1);
    assert_eq!(out["summary"]["suppressed_allowlist"], 2);
    // An invalid allowlist entry names its key.
    write(
        dir.path(),
        ".ci-intel/config.yml",
        "secrets:\n  allowlist:\n    regexes: ['(']\n",
    );
    secrets(dir.path())
        .arg("scan")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("secrets.allowlist.regexes[0]"));
}

#[test]
fn a_locked_allowlist_may_only_be_narrowed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "org.yml",
        "secrets:\n  allowlist:\n    paths: ['vendor/**']\nlock: [secrets.allowlist.paths, secrets.max_file_size, secrets.allow_empty]\n",
    );
    write(
        dir.path(),
        ".ci-intel/config.yml",
        "secrets:\n  allowlist:\n    paths: ['vendor/**', 'src/**']\n",
    );
    write(dir.path(), "src/a.txt", "x\n");
    secrets(dir.path())
        .args(["scan", "--org-policy", "org.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("secrets.allowlist.paths"))
        .stderr(predicate::str::contains("loosens"));
    write(
        dir.path(),
        ".ci-intel/config.yml",
        "secrets:\n  allowlist:\n    paths: []\n",
    );
    secrets(dir.path())
        .args(["scan", "--org-policy", "org.yml"])
        .assert()
        .code(0);
    secrets(dir.path())
        .args(["scan", "--max-file-size", "10"])
        .env("CI_INTEL_ORG_POLICY", "org.yml")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("secrets.max_file_size is locked"));
    secrets(dir.path())
        .args(["scan", "--allow-empty", "--org-policy", "org.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("secrets.allow_empty is locked"));
}

#[test]
fn the_baseline_accepts_until_expiry_then_fails_naming_entry_owner_and_date() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "legacy.ini", "token = {{fake:ghp:legacy}}\n");
    let fingerprint = ci_intel_secrets::secret::fingerprint(fake("ghp", "legacy").as_bytes());
    let baseline = |expires: &str| {
        format!(
            r#"{{"version": 1, "entries": [{{"fingerprint": "{fingerprint}", "rule": "github-pat-classic", "owner": "team-platform", "reason": "rotation in INFRA-1", "expires": "{expires}"}}]}}"#
        )
    };
    write(
        dir.path(),
        ".ci-intel/secrets-baseline.json",
        &baseline("2999-12-31"),
    );
    let out = secrets(dir.path())
        .args(["scan", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = json(&out);
    assert_eq!(out["summary"]["baselined"], 1, "{out:#}");
    assert_eq!(out["summary"]["verdict"], "allow");

    write(
        dir.path(),
        ".ci-intel/secrets-baseline.json",
        &baseline("2020-01-31"),
    );
    let out = secrets(dir.path())
        .args(["scan", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = json(&out);
    let message = findings(&out)[0]["message"].as_str().unwrap().to_owned();
    assert!(message.contains(&fingerprint), "{message}");
    assert!(message.contains("team-platform"), "{message}");
    assert!(message.contains("2020-01-31"), "{message}");
    assert_eq!(out["summary"]["expired_baseline"], 1);

    // Malformed: exit 2, naming the file and the field.
    write(
        dir.path(),
        "bad-baseline.json",
        &baseline("2999-12-31").replace("\"owner\": \"team-platform\", ", ""),
    );
    secrets(dir.path())
        .args(["scan", "--baseline", "bad-baseline.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad-baseline.json"))
        .stderr(predicate::str::contains("`entries[0]`"))
        .stderr(predicate::str::contains("owner"));
    write(
        dir.path(),
        ".ci-intel/secrets-baseline.json",
        &baseline("31/12/2999"),
    );
    secrets(dir.path())
        .arg("scan")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(".ci-intel/secrets-baseline.json"))
        .stderr(predicate::str::contains("`entries[0].expires`"));
    // A baseline named on the command line must exist.
    secrets(dir.path())
        .args(["scan", "--baseline", "missing.json"])
        .assert()
        .code(2);
}

#[test]
fn outputs_go_to_the_runner_files_in_actions() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "repo/a.txt", "key = {{fake:ghp}}\n");
    let output = dir.path().join("output");
    let summary = dir.path().join("summary");
    secrets(&dir.path().join("repo"))
        .arg("scan")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .assert()
        .code(1);
    let outputs =
        ci_intel_core::runner::parse_key_value_file(&std::fs::read_to_string(&output).unwrap())
            .unwrap();
    assert_eq!(outputs["result"], "deny");
    assert_eq!(outputs["findings"], "1");
    assert_eq!(outputs["files"], "1");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("| a.txt:1 | github-pat-classic |"), "{md}");
}

#[test]
fn diff_mode_scans_only_added_lines_with_new_file_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let old_secret = "old = {{fake:ghp:old}}\n";
    repo_with(
        dir.path(),
        &[
            (
                "src/app.py",
                &format!("line 1\nline 2\n{old_secret}line 4\n"),
            ),
            ("gone.txt", "token = {{fake:gho:gone}}\n"),
        ],
    );
    let base = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_owned();
    // Insert two lines above the old secret, a new secret on new line 6.
    write(
        dir.path(),
        "src/app.py",
        &format!("line 1\nnew a\nnew b\nline 2\n{old_secret}new = {{{{fake:ghs:new}}}}\nline 4\n"),
    );
    write(
        dir.path(),
        "docs/new.md",
        "first\nsecond {{fake:npm:doc}}\n",
    );
    write(dir.path(), ".env", "X=1\n");
    std::fs::remove_file(dir.path().join("gone.txt")).unwrap();
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "change"]);
    let out = secrets(dir.path())
        .args(["scan", "--diff", &base, "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = json(&out);
    let got: Vec<(String, String, u64)> = findings(&out)
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("committed-env-file".to_owned(), ".env".to_owned(), 1),
            ("npm-token".to_owned(), "docs/new.md".to_owned(), 2),
            ("github-app-token".to_owned(), "src/app.py".to_owned(), 6),
        ],
        "{out:#}"
    );
    assert_eq!(out["summary"]["mode"], "diff");
    assert_eq!(out["summary"]["files_scanned"], 3);

    // A pathspec limits the diff.
    let out = secrets(dir.path())
        .args(["scan", "--diff", &base, "--format", "json", "docs"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert_eq!(findings(&json(&out)).len(), 1);

    // A diff that only deletes scans nothing: a denial unless allowed.
    let head = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_owned();
    std::fs::remove_file(dir.path().join("docs/new.md")).unwrap();
    git(dir.path(), &["commit", "-q", "-am", "delete"]);
    secrets(dir.path())
        .args(["scan", "--diff", &head])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing was scanned"));
    secrets(dir.path())
        .args(["scan", "--diff", &head, "--allow-empty"])
        .assert()
        .code(0);

    // A bad base is the caller's error; so is a base that looks like an option.
    secrets(dir.path())
        .args(["scan", "--diff", "no-such-ref"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-ref"));
    secrets(dir.path())
        .args(["scan", "--diff=--output=x"])
        .assert()
        .code(2);
}

#[test]
fn diff_mode_sees_uncommitted_changes_and_merge_base_syntax() {
    let dir = tempfile::tempdir().unwrap();
    repo_with(dir.path(), &[("a.txt", "one\n")]);
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    write(dir.path(), "a.txt", "one\ntwo {{fake:ghp:feature}}\n");
    git(dir.path(), &["commit", "-q", "-am", "feature"]);
    let out = secrets(dir.path())
        .args(["scan", "--diff", "main...HEAD", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert_eq!(findings(&json(&out))[0]["line"], 2);
    // Working-tree changes count against a plain base.
    write(
        dir.path(),
        "a.txt",
        "one\ntwo {{fake:ghp:feature}}\nthree {{fake:ghu:wt}}\n",
    );
    let out = secrets(dir.path())
        .args(["scan", "--diff", "HEAD", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = json(&out);
    assert_eq!(findings(&out).len(), 1);
    assert_eq!(findings(&out)[0]["line"], 3);
}

#[test]
fn write_baseline_accepts_current_findings_without_changing_this_verdict() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/legacy[1].ini", "token = {{fake:ghp:wb}}\n");
    write(dir.path(), ".env", "X=1\n");
    secrets(dir.path())
        .args([
            "scan",
            "--write-baseline",
            "base.json",
            "--owner",
            "team",
            "--reason",
            "adopting",
        ])
        .assert()
        .code(2);
    secrets(dir.path())
        .args([
            "scan",
            "--write-baseline",
            ".ci-intel/secrets-baseline.json",
            "--owner",
            "team",
            "--reason",
            "adopting ci-intel",
            "--expires",
            "2999-01-01",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("0 entr(y/ies) kept, 2 added"));
    let written = json(&std::fs::read(dir.path().join(".ci-intel/secrets-baseline.json")).unwrap());
    assert_eq!(written["version"], 1);
    assert_eq!(written["entries"].as_array().unwrap().len(), 2);
    assert!(
        !written.to_string().contains(&fake("ghp", "wb")),
        "no value in the baseline"
    );
    // The next run passes on the baseline, and the glob matched the odd name.
    let out = secrets(dir.path())
        .args(["scan", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(json(&out)["summary"]["baselined"], 2);
}

/// `NAME=value` and `password: value` are judged in every configuration
/// format, whatever the file is called: YAML, JSON, TOML, INI, Java
/// properties and dotenv-like files not named `.env`.
#[test]
fn assignments_are_judged_in_every_configuration_format() {
    let files = [
        (
            "config/settings.yaml",
            "database:\n  host: db.internal\n  password: {{fake:generic:1}}\n",
        ),
        (
            "config/app.json",
            "{\"service\": {\"url\": \"https://api.test\", \"api_token\": \"{{fake:generic:2}}\"}}\n",
        ),
        (
            "config/app.toml",
            "[service]\nname = \"api\"\napi_token = \"{{fake:generic:3}}\"\n",
        ),
        (
            "config/app.ini",
            "[auth]\nuser = ci\nclient_secret = {{fake:generic:4}}\n",
        ),
        (
            "src/main/resources/application.properties",
            "spring.datasource.url=jdbc:postgresql://db/app\nspring.datasource.password={{fake:generic:5}}\n",
        ),
        (
            "deploy/production.conf",
            "export DEPLOY_TOKEN={{fake:generic:6}}\n",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        write(dir.path(), rel, text);
    }
    let out = secrets(dir.path())
        .args(["scan", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = json(&out);
    for (rel, _) in files {
        assert!(
            findings(&out)
                .iter()
                .any(|f| f["file"] == rel && f["rule"] == "generic-secret-assignment"),
            "no assignment finding in {rel}: {out}"
        );
    }

    // The same files with references and placeholders: nothing.
    let quiet = tempfile::tempdir().unwrap();
    let placeholders = [
        (
            "config/settings.yaml",
            "database:\n  password: ${DB_PASSWORD}\n",
        ),
        (
            "config/app.json",
            "{\"service\": {\"api_token\": \"your-api-token-here\"}}\n",
        ),
        (
            "config/app.toml",
            "[service]\napi_token = \"${{ secrets.API_TOKEN }}\"\n",
        ),
        (
            "config/app.ini",
            "[auth]\nclient_secret = XXXXXXXXXXXXXXXXXXXXXXXX\n",
        ),
        (
            "src/main/resources/application.properties",
            "spring.datasource.password=${DB_PASSWORD}\n",
        ),
        (
            "deploy/production.conf",
            "export DEPLOY_TOKEN=$CI_DEPLOY_TOKEN\n",
        ),
    ];
    for (rel, text) in placeholders {
        write(quiet.path(), rel, text);
    }
    secrets(quiet.path())
        .arg("scan")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no findings"));
}

/// A secret inside a base64, hex or URL-encoded value is found, the
/// finding names the encoding, and its fingerprint is the decoded secret's
/// (the same as a plain copy's).
#[test]
fn encoded_secrets_are_found_and_the_encoding_is_named() {
    use base64::Engine as _;
    let token = fake("ghp", "encoded");
    let assignment = format!("GITHUB_TOKEN={token}");
    let b64 = base64::engine::general_purpose::STANDARD.encode(&assignment);
    let hex: String = assignment.bytes().map(|b| format!("{b:02x}")).collect();
    let generic = fake("generic", "encoded");
    let url = format!("https%3A%2F%2Fhooks.test%2Fin%3Fapi_token%3D{generic}");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k8s/values.yaml", &format!("blob: {b64}\n"));
    write(dir.path(), "dump.txt", &format!("payload {hex}\n"));
    write(
        dir.path(),
        "links.md",
        &format!("[hook](https://x.test/?next={url})\n"),
    );
    write(dir.path(), "plain.txt", &format!("{assignment}\n"));
    let out = secrets(dir.path())
        .args(["scan", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = json(&out);
    let in_file = |file: &str| -> &Value {
        findings(&out)
            .into_iter()
            .find(|f| f["file"] == file)
            .unwrap_or_else(|| panic!("no finding in {file}: {out}"))
    };
    let plain = in_file("plain.txt");
    assert!(plain.get("encoding").is_none(), "{plain}");
    for (file, rule, encoding) in [
        ("k8s/values.yaml", "github-pat-classic", "base64"),
        ("dump.txt", "github-pat-classic", "hex"),
        ("links.md", "generic-secret-assignment", "url"),
    ] {
        let f = in_file(file);
        assert_eq!(f["rule"], rule, "{f}");
        assert_eq!(f["encoding"], encoding, "{f}");
        assert!(f["message"].as_str().unwrap().contains(encoding), "{f}");
        if rule == "github-pat-classic" {
            assert_eq!(f["fingerprint"], plain["fingerprint"], "{f}");
        }
    }
}

/// `scan --history`: a secret added in one commit and removed in the next
/// is still a finding, with the commit and its author time; `--since`
/// limits the commits; a baseline accepts the secret whichever commit
/// holds it; a bad revision is a usage error.
#[test]
fn history_finds_secrets_that_were_removed_later() {
    let dir = tempfile::tempdir().unwrap();
    let token = fake("ghp", "history");
    repo_with(dir.path(), &[("README.md", "hello\n")]);
    write(
        dir.path(),
        "deploy/config.yml",
        &format!("token: {token}\n"),
    );
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "add a token"]);
    let added = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_owned();
    write(
        dir.path(),
        "deploy/config.yml",
        "token: ${{ secrets.TOKEN }}\n",
    );
    git(dir.path(), &["commit", "-q", "-am", "remove it"]);
    // The tree is clean now.
    secrets(dir.path()).arg("scan").assert().code(0);
    let out = secrets(dir.path())
        .args(["scan", "--history", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = json(&out);
    let found = findings(&out);
    assert_eq!(found.len(), 1, "{out}");
    let f = found[0];
    assert_eq!(f["rule"], "github-pat-classic");
    assert_eq!(f["file"], "deploy/config.yml");
    assert_eq!(f["line"], 1);
    assert_eq!(f["commit"], added.as_str());
    assert!(f["commit_time"].as_str().unwrap().starts_with("20"), "{f}");
    assert!(f["message"].as_str().unwrap().contains(&added[..12]), "{f}");
    assert_eq!(out["summary"]["mode"], "history");
    assert_eq!(
        f["fingerprint"].as_str().unwrap(),
        ci_intel_secrets::secret::fingerprint(token.as_bytes())
    );

    // Only the commits after the one that added it: nothing to report.
    secrets(dir.path())
        .args(["scan", "--history", "--since", &added])
        .assert()
        .code(0);

    // A baseline entry for the secret accepts it in the history too.
    let baseline = dir.path().join("baseline.json");
    std::fs::write(
        &baseline,
        format!(
            r#"{{"version": 1, "entries": [{{"fingerprint": "{}", "owner": "o", "reason": "rotated", "expires": "2999-01-01"}}]}}"#,
            f["fingerprint"].as_str().unwrap()
        ),
    )
    .unwrap();
    secrets(dir.path())
        .args(["scan", "--history", "--baseline"])
        .arg(&baseline)
        .assert()
        .code(0);

    secrets(dir.path())
        .args(["scan", "--history", "--since", "no-such-rev"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-rev"));
    secrets(dir.path())
        .args(["scan", "--history", "--since=-p"])
        .assert()
        .code(2);
    secrets(dir.path())
        .args(["scan", "--history", "--diff", "HEAD~1"])
        .assert()
        .code(2);
}

/// SARIF results carry `partialFingerprints` that stay the same when the
/// secret moves to another line in a later commit (so code scanning does
/// not re-open the alert), and differ for another secret.
#[test]
fn sarif_partial_fingerprints_are_stable_across_commits() {
    let dir = tempfile::tempdir().unwrap();
    let token = fake("ghp", "sarif");
    repo_with(
        dir.path(),
        &[("ci/deploy.yml", &format!("token: {token}\n"))],
    );
    let sarif = |dir: &std::path::Path| -> Value {
        let out = secrets(dir)
            .args(["scan", "--format", "sarif"])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        json(&out)
    };
    let first = sarif(dir.path());
    write(
        dir.path(),
        "ci/deploy.yml",
        &format!("# moved down\nname: deploy\n\ntoken: {token}\n"),
    );
    git(dir.path(), &["commit", "-q", "-am", "move it"]);
    let second = sarif(dir.path());
    let result = |log: &Value| log["runs"][0]["results"][0].clone();
    let (a, b) = (result(&first), result(&second));
    assert_ne!(
        a["locations"][0]["physicalLocation"]["region"]["startLine"],
        b["locations"][0]["physicalLocation"]["region"]["startLine"]
    );
    assert!(a["partialFingerprints"].is_object(), "{a}");
    assert_eq!(a["partialFingerprints"], b["partialFingerprints"]);
    write(
        dir.path(),
        "ci/deploy.yml",
        &format!("token: {}\n", fake("ghp", "other")),
    );
    let third = sarif(dir.path());
    assert_ne!(
        a["partialFingerprints"],
        result(&third)["partialFingerprints"]
    );
}
