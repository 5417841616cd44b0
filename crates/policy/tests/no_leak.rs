//! No output of `ci-intel-policy audit`, in any format, at any verbosity,
//! ever contains any part of a credential it found: not on stdout, not on
//! stderr, not in `--sarif-output`, `$GITHUB_OUTPUT` or
//! `$GITHUB_STEP_SUMMARY`. Modelled on `crates/secrets/tests/no_leak.rs`.
//!
//! The credentials are generated when the test runs (synthetic tokens from
//! `ci-intel-secrets` with a per-run seed, and a random password), planted
//! where `hardcoded-credentials` looks (env, with, run, container and
//! service credentials, dependabot registries), some of them silenced by an
//! ignore comment (`-v` lists those), some in places the schema check
//! reports. Besides the whole value, no 8-character window of a value
//! outside its public prefix (`ghp_`, `AKIA`...) may appear.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use assert_cmd::Command;
use ci_intel_secrets::detect::synthetic::fake;
use sha2::{Digest, Sha256};

const WINDOW: usize = 8;

/// A seed nobody wrote down: this run's time and process.
fn nonce() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    format!("{}-{}", now.as_nanos(), std::process::id())
}

/// Hex characters of a digest of `seed`: a password with no public part.
fn password(seed: &str, len: usize) -> String {
    let hex: String = Sha256::digest(seed.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // Mixed case so it is not mistaken for a variable name.
    format!("Pw{}", &hex[..len])
}

struct Planted {
    values: Vec<(String, usize)>,
}

impl Planted {
    fn new() -> Planted {
        let seed = nonce();
        let mut values = Vec::new();
        for (kind, public) in [
            ("ghp", 4),
            ("ghs", 4),
            ("github-pat", 11),
            ("aws-akid", 4),
            ("slack-bot", 5),
            ("gitlab-pat", 6),
            ("npm", 4),
            ("gcp-api-key", 4),
            ("stripe-live", 8),
        ] {
            values.push((fake(kind, &seed).unwrap(), public));
        }
        for i in 0..6 {
            values.push((password(&format!("{seed}/{i}"), 18), 0));
        }
        Planted { values }
    }

    fn v(&self, i: usize) -> &str {
        &self.values[i].0
    }

    fn needles(&self) -> Vec<String> {
        let mut needles = Vec::new();
        for (value, public) in &self.values {
            needles.push(value.clone());
            let chars: Vec<char> = value[*public..].chars().collect();
            for window in chars.windows(WINDOW) {
                needles.push(window.iter().collect());
            }
        }
        needles
    }
}

fn assert_no_leak(what: &str, output: &[u8], needles: &[String]) {
    let text = String::from_utf8_lossy(output);
    for needle in needles {
        assert!(
            !text.contains(needle.as_str()),
            "{what}: `{needle}` from a planted credential leaked:\n{text}"
        );
    }
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn plant(dir: &Path, p: &Planted) {
    let sha = "3d3c42e5aac5ba805825da76410c181273ba90b1";
    write(
        dir,
        ".github/workflows/ci.yml",
        &format!(
            r#"on: push
permissions: {{}}
env:
  GH_TOKEN: {ghp}
  DB_PASSWORD: {pw0}
jobs:
  build:
    runs-on: ubuntu-24.04
    container:
      image: ghcr.io/acme/build:1
      credentials:
        username: bot
        password: {pw1}
    services:
      db:
        image: postgres:16
        credentials:
          username: bot
          password: {pw2}
        env:
          POSTGRES_PASSWORD: {pw3}
    steps:
      - uses: actions/checkout@{sha} # v7.0.1
        with:
          persist-credentials: false
          token: {ghs}
      - run: |
          curl -H "Authorization: token {pat}" https://api.github.com
          aws configure set aws_access_key_id {akid}
          echo {slack} # ci-intel: ignore[hardcoded-credentials]
        env:
          NPM_TOKEN: {npm} # zizmor: ignore[hardcoded-container-credentials]
          API_KEY: {gcp}
      - uses: acme/deploy@{sha} # v1.0.0
        with:
          api-key: {stripe}
          timeout: {pw4}
"#,
            ghp = p.v(0),
            ghs = p.v(1),
            pat = p.v(2),
            akid = p.v(3),
            slack = p.v(4),
            npm = p.v(6),
            gcp = p.v(7),
            stripe = p.v(8),
            pw0 = p.v(9),
            pw1 = p.v(10),
            pw2 = p.v(11),
            pw3 = p.v(12),
            // Not under a secret-sounding key: schema-valid, not reported,
            // and still never printed.
            pw4 = p.v(13),
        ),
    );
    write(
        dir,
        ".github/dependabot.yml",
        &format!(
            "version: 2\nregistries:\n  npm:\n    type: npm-registry\n    url: https://npm.example.com\n    token: {gitlab}\n  maven:\n    type: maven-repository\n    url: https://maven.example.com\n    username: bot\n    password: {pw5}\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: weekly\n    registries: [npm]\n",
            gitlab = p.v(5),
            pw5 = p.v(14),
        ),
    );
    write(
        dir,
        "action.yml",
        &format!(
            "name: a\ndescription: d\nruns:\n  using: composite\n  steps:\n    - run: echo {ghp}\n      shell: bash\n      env:\n        PASSWORD: {pw0}\n",
            ghp = p.v(0),
            pw0 = p.v(9),
        ),
    );
}

#[test]
fn no_format_or_verbosity_prints_a_planted_credential() {
    let planted = Planted::new();
    let needles = planted.needles();
    let dir = tempfile::tempdir().unwrap();
    plant(dir.path(), &planted);
    let mut reported = 0;
    for format in ["human", "json", "sarif", "github"] {
        for verbosity in [None, Some("-v"), Some("-vv")] {
            for persona in ["regular", "pedantic", "auditor"] {
                let output = dir.path().join("gh-output");
                let summary = dir.path().join("gh-summary");
                let sarif = dir.path().join("copy.sarif");
                let _ = std::fs::remove_file(&output);
                let _ = std::fs::remove_file(&summary);
                let mut cmd = Command::cargo_bin("ci-intel-policy").unwrap();
                cmd.current_dir(dir.path())
                    .env_remove("CI_INTEL_ORG_POLICY")
                    .env("GITHUB_ACTIONS", "true")
                    .env("GITHUB_OUTPUT", &output)
                    .env("GITHUB_STEP_SUMMARY", &summary)
                    .args(["audit", ".", "--format", format, "--persona", persona])
                    .arg("--sarif-output")
                    .arg(&sarif);
                if let Some(v) = verbosity {
                    cmd.arg(v);
                }
                let run = cmd.assert().code(1);
                let out = run.get_output();
                let what = format!("{format} {verbosity:?} {persona}");
                assert_no_leak(&format!("{what} stdout"), &out.stdout, &needles);
                assert_no_leak(&format!("{what} stderr"), &out.stderr, &needles);
                for file in [&output, &summary, &sarif] {
                    assert_no_leak(
                        &format!("{what} {}", file.display()),
                        &std::fs::read(file).unwrap(),
                        &needles,
                    );
                }
                if format == "json" && verbosity.is_none() && persona == "regular" {
                    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                    reported = json["findings"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|f| f["rule"] == "hardcoded-credentials")
                        .count();
                }
                if verbosity.is_some() {
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    assert!(
                        stderr.contains("suppressed:") && stderr.contains("hardcoded-credentials"),
                        "-v lists suppressed findings: {stderr}"
                    );
                }
            }
        }
    }
    // The test means something only if the credentials were found: every
    // planted value but the two silenced ones and the one under `timeout`.
    assert!(
        reported >= planted.values.len() - 3,
        "only {reported} hardcoded-credentials findings"
    );
}

#[test]
#[should_panic(expected = "leaked")]
fn the_check_catches_a_partial_leak() {
    let planted = Planted::new();
    let needles = planted.needles();
    let partial = &planted.v(0)[6..16];
    assert_no_leak("self-test", format!("log: {partial}").as_bytes(), &needles);
}
