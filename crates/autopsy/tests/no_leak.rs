//! No secret value reaches any output of `classify` or `upsert-issue`:
//! not stdout in any format, not `--json-output`, `--pipeline-run-output`,
//! `--sarif-output`, `$GITHUB_STEP_SUMMARY` or `$GITHUB_OUTPUT`, not the
//! issue body. Secrets are made at test time (ci-intel-secrets' synthetic
//! credentials, valid-shaped and never real) and planted in the matched
//! lines, in their context, and as a private key whose block the context
//! window cuts; an `--env-name` value is planted too. The check is strict:
//! besides each whole value, no 10-character window of its secret part
//! (after a public prefix such as `ghp_`) may appear.

#![allow(clippy::unwrap_used)]

use assert_cmd::Command;
use ci_intel_secrets::detect::synthetic::fake;

const WINDOW: usize = 10;
const KINDS: &[&str] = &[
    "ghp",
    "ghs",
    "github-pat",
    "npm",
    "pypi",
    "slack-bot",
    "stripe-live",
    "aws-akid",
    "gcp-api-key",
    "dockerhub",
    "gitlab-pat",
    "jwt",
];
const PUBLIC: &[&str] = &[
    "ghp_",
    "ghs_",
    "github_pat_",
    "npm_",
    "pypi-",
    "xoxb-",
    "sk_live_",
    "AKIA",
    "AIza",
    "dckr_pat_",
    "glpat-",
];
const ENV_VALUE: &str = "correct-horse-battery-staple-4417";

fn planted() -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = KINDS
        .iter()
        .map(|k| {
            let value = fake(k, "autopsy-leak").unwrap();
            let public = PUBLIC
                .iter()
                .find(|p| value.starts_with(**p))
                .map_or(0, |p| p.len());
            (value, public)
        })
        .collect();
    let key = fake("pem-rsa", "autopsy-leak").unwrap();
    // The key's body lines are the secret; BEGIN/END lines are public text.
    for line in key.lines().filter(|l| !l.starts_with("-----")) {
        out.push((line.to_owned(), 0));
    }
    out.push((ENV_VALUE.to_owned(), 0));
    out
}

fn needles(planted: &[(String, usize)]) -> Vec<String> {
    let mut needles = Vec::new();
    for (value, public) in planted {
        needles.push(value.clone());
        let chars: Vec<char> = value[*public..].chars().collect();
        for window in chars.windows(WINDOW) {
            needles.push(window.iter().collect());
        }
    }
    needles
}

fn log() -> String {
    let mut log = String::from("2026-01-01T00:00:00.0000000Z ##[group]Run pytest\n");
    for (i, kind) in KINDS.iter().enumerate() {
        let value = fake(kind, "autopsy-leak").unwrap();
        log.push_str(&format!(
            "2026-01-01T00:00:01.0000000Z export SECRET_{i}=\"{value}\"\n"
        ));
        log.push_str(&format!(
            "2026-01-01T00:00:02.0000000Z FAILED tests/test_api.py::test_login_{i} - AssertionError: login with secret_{i} = \"{value}\" was refused\n"
        ));
        log.push_str(&format!(
            "2026-01-01T00:00:03.0000000Z token = \"{value}\"\n"
        ));
    }
    // A private key whose BEGIN line is outside the context window of the
    // failure below, while some of its body lines are inside it.
    let key = fake("pem-rsa", "autopsy-leak").unwrap();
    let lines: Vec<&str> = key.lines().collect();
    for line in &lines[..lines.len() - 1] {
        log.push_str(line);
        log.push('\n');
    }
    log.push_str("error: could not compile `app` (lib) due to 1 previous error\n");
    log.push_str(lines[lines.len() - 1]);
    log.push('\n');
    log.push_str(&format!(
        "fatal: Authentication failed for 'https://x:{ENV_VALUE}@github.com/o/r.git/'\n"
    ));
    log.push_str("2026-01-01T00:00:09.0000000Z ##[error]Process completed with exit code 1.\n");
    log
}

fn assert_clean(what: &str, bytes: &[u8], needles: &[String]) {
    let text = String::from_utf8_lossy(bytes);
    for needle in needles {
        assert!(
            !text.contains(needle.as_str()),
            "{what}: `{needle}` from a planted secret leaked:\n{text}"
        );
    }
}

#[test]
fn no_output_of_classify_or_upsert_issue_holds_a_secret() {
    let planted = planted();
    let needles = needles(&planted);
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("job.log");
    std::fs::write(&log_path, log()).unwrap();
    let summary = dir.path().join("summary.md");
    let output = dir.path().join("output.txt");
    let mut checked = 0;
    for format in ["human", "json", "sarif", "github", "markdown"] {
        let json = dir.path().join(format!("{format}.json"));
        let fragment = dir.path().join(format!("{format}.pipeline.json"));
        let sarif = dir.path().join(format!("{format}.sarif"));
        let assert = Command::cargo_bin("ci-intel-autopsy")
            .unwrap()
            .current_dir(dir.path())
            .args([
                "classify",
                "--no-repo-rules",
                "--top",
                "50",
                "--context",
                "5",
                "--stats",
                "--summary",
                "--env-name",
                "DEPLOY_PASSWORD",
                "--format",
                format,
            ])
            .arg("--json-output")
            .arg(&json)
            .arg("--pipeline-run-output")
            .arg(&fragment)
            .arg("--sarif-output")
            .arg(&sarif)
            .arg(&log_path)
            .env("DEPLOY_PASSWORD", ENV_VALUE)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &output)
            .assert()
            .success();
        let out = assert.get_output();
        assert_clean(
            &format!("stdout of --format {format}"),
            &out.stdout,
            &needles,
        );
        assert_clean(
            &format!("stderr of --format {format}"),
            &out.stderr,
            &needles,
        );
        for file in [&json, &fragment, &sarif] {
            assert_clean(
                &file.display().to_string(),
                &std::fs::read(file).unwrap(),
                &needles,
            );
        }
        checked += 1;
    }
    assert_clean(
        "$GITHUB_STEP_SUMMARY",
        &std::fs::read(&summary).unwrap(),
        &needles,
    );
    assert_clean("$GITHUB_OUTPUT", &std::fs::read(&output).unwrap(), &needles);
    // The report really has the failures the secrets were planted in.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("json.json")).unwrap())
            .unwrap();
    let causes = report["root_causes"].as_array().unwrap();
    assert!(causes.len() >= KINDS.len(), "{}", causes.len());
    assert!(
        report.to_string().contains("[REDACTED:"),
        "masks are shown in place of the values"
    );
    // upsert-issue's body (dry run prints what it would send).
    let assert = Command::cargo_bin("ci-intel-autopsy")
        .unwrap()
        .args([
            "upsert-issue",
            "--dry-run",
            "--repo",
            "o/r",
            "--max-issues",
            "10",
            "--report",
        ])
        .arg(dir.path().join("json.json"))
        .env_remove("GITHUB_ACTIONS")
        .assert()
        .success();
    assert_clean(
        "upsert-issue --dry-run",
        &assert.get_output().stdout,
        &needles,
    );
    assert_eq!(checked, 5);
}
