//! No output of `ci-intel-policy audit`, in any format, at any verbosity,
//! ever contains any part of a credential it found: not on stdout, not on
//! stderr, not in `--sarif-output`, `$GITHUB_OUTPUT` or
//! `$GITHUB_STEP_SUMMARY`. Modelled on `crates/secrets/tests/no_leak.rs`.
//!
//! The credentials are generated when the test runs (synthetic tokens from
//! `ci-intel-secrets` with a per-run seed, and random passwords), planted
//! where `hardcoded-credentials` looks (env, with, run, container and
//! service credentials, dependabot registries), some of them silenced by an
//! ignore comment (`-v` lists those), one where `schema-violation` reports
//! a wrong type.
//!
//! What counts as a leak:
//! - the whole value, and any 8-character window of it outside its public
//!   prefix (`ghp_`, `AKIA`...);
//! - the public prefix followed by even 2 characters of the secret part;
//! - for passwords, which have no public part: any 2 consecutive characters
//!   of their first 4. Those are Greek letters, which nothing else in the
//!   output contains, so even the shortest preview is caught without false
//!   alarms (an earlier version of the rule showed the first 4 characters,
//!   all of a short password; `previews_of_the_first_characters_are_caught`
//!   keeps this check honest).

#![allow(clippy::unwrap_used)]

use std::path::Path;

use assert_cmd::Command;
use ci_intel_secrets::detect::synthetic::fake;
use ci_intel_secrets::secret::fingerprint;
use sha2::{Digest, Sha256};

const WINDOW: usize = 8;
/// How many leading characters of a password are Greek letters.
const GREEK: usize = 4;

/// A seed nobody wrote down: this run's time and process.
fn nonce() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    format!("{}-{}", now.as_nanos(), std::process::id())
}

/// A random password of `len` characters with no public part: `GREEK`
/// Greek letters, then letters and digits.
fn password(seed: &str, len: usize) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let alnum: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
    digest
        .iter()
        .take(len)
        .enumerate()
        .map(|(i, b)| {
            if i < GREEK {
                char::from_u32(0x3b1 + u32::from(*b) % 25).unwrap()
            } else {
                alnum[usize::from(*b) % alnum.len()]
            }
        })
        .collect()
}

struct Planted {
    /// `(value, length of its public prefix in bytes)`.
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
        for (i, len) in [18, 4, 18, 18, 18, 18, 18].into_iter().enumerate() {
            values.push((password(&format!("{seed}/{i}"), len), 0));
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
            if *public > 0 {
                needles.push(format!(
                    "{}{}",
                    &value[..*public],
                    chars[..2].iter().collect::<String>()
                ));
            } else {
                for pair in chars[..GREEK.min(chars.len())].windows(2) {
                    needles.push(pair.iter().collect());
                    // The same pair as a JSON escape, should a writer escape it.
                    needles.push(
                        pair.iter()
                            .map(|c| format!("\\u{:04x}", u32::from(*c)))
                            .collect(),
                    );
                }
            }
        }
        needles
    }
}

/// The first needle found in `output`.
fn leak<'a>(output: &[u8], needles: &'a [String]) -> Option<&'a str> {
    let text = String::from_utf8_lossy(output);
    needles
        .iter()
        .find(|n| text.contains(n.as_str()))
        .map(String::as_str)
}

fn assert_no_leak(what: &str, output: &[u8], needles: &[String]) {
    if let Some(needle) = leak(output, needles) {
        panic!(
            "{what}: `{needle}` from a planted credential leaked:\n{}",
            String::from_utf8_lossy(output)
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
    timeout-minutes: {pw6}
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
            // Not a number: a schema violation, reported without the value.
            pw6 = p.v(15),
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

/// The planted values `hardcoded-credentials` must report, and those an
/// ignore comment silences (listed by `-v`); the values under `timeout`
/// and `timeout-minutes` (a schema violation) are neither, and must not be
/// printed either.
const REPORTED: &[usize] = &[0, 1, 2, 3, 5, 7, 8, 9, 10, 11, 12, 14];
const SILENCED: &[usize] = &[4, 6];

#[test]
fn no_format_or_verbosity_prints_a_planted_credential() {
    let planted = Planted::new();
    let needles = planted.needles();
    let dir = tempfile::tempdir().unwrap();
    plant(dir.path(), &planted);
    let fingerprints = |idx: &[usize]| -> Vec<String> {
        idx.iter()
            .map(|i| fingerprint(planted.v(*i).as_bytes()))
            .collect()
    };
    for format in ["human", "json", "sarif", "github"] {
        for verbosity in [None, Some("-v"), Some("-vv")] {
            for persona in ["regular", "pedantic", "auditor"] {
                let output = dir.path().join("gh-output");
                let summary = dir.path().join("gh-summary");
                let sarif = dir.path().join("copy.sarif");
                let _ = std::fs::remove_file(&output);
                let _ = std::fs::remove_file(&summary);
                let _ = std::fs::remove_file(&sarif);
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
                // The test means something only if the credentials were
                // found: every reported value's fingerprint (the one
                // ci-intel-secrets gives it) is in the report.
                let stdout = String::from_utf8_lossy(&out.stdout);
                for (i, print) in REPORTED.iter().zip(fingerprints(REPORTED)) {
                    assert!(
                        stdout.contains(&print),
                        "{what}: planted value {i} not reported by its fingerprint {print}:\n{stdout}"
                    );
                }
                assert!(
                    stdout.contains("schema-violation") && stdout.contains("timeout-minutes"),
                    "{what}: the schema violation is reported:\n{stdout}"
                );
                let stderr = String::from_utf8_lossy(&out.stderr);
                for (i, print) in SILENCED.iter().zip(fingerprints(SILENCED)) {
                    assert!(
                        !stdout.contains(&print),
                        "{what}: silenced value {i} reported:\n{stdout}"
                    );
                    assert_eq!(
                        stderr.contains(&print),
                        verbosity.is_some(),
                        "{what}: -v lists silenced value {i} (and only -v):\n{stderr}"
                    );
                }
            }
        }
    }
}

/// The check itself: the old redaction (the first 4 characters, then the
/// length and a SHA-256 prefix) is caught for every password, and a
/// middle slice of a token is caught; the fingerprint is not a leak.
#[test]
fn previews_of_the_first_characters_are_caught() {
    let planted = Planted::new();
    let needles = planted.needles();
    for (value, public) in &planted.values {
        let old: String = value.chars().take(4).collect();
        let old = format!(
            "a literal password `{old}…` ({} chars)",
            value.chars().count()
        );
        if *public == 0 {
            assert!(leak(old.as_bytes(), &needles).is_some(), "{old} not caught");
        }
        let json = serde_json::to_string(&old).unwrap();
        if *public == 0 {
            assert!(
                leak(json.as_bytes(), &needles).is_some(),
                "{json} not caught"
            );
        }
        let shown: String = value.chars().take(public + 2).collect();
        assert!(
            leak(shown.as_bytes(), &needles).is_some(),
            "{shown} not caught"
        );
        let middle: String = value.chars().skip(public + 1).take(WINDOW).collect();
        if middle.chars().count() == WINDOW {
            assert!(
                leak(middle.as_bytes(), &needles).is_some(),
                "{middle} not caught"
            );
        }
        let print = format!("(fingerprint {})", fingerprint(value.as_bytes()));
        assert!(leak(print.as_bytes(), &needles).is_none(), "{print}");
    }
}
