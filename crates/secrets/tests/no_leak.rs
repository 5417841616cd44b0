//! No output of `scan`, in any format, at any verbosity, in tree or diff
//! mode, ever contains a secret value: not on stdout, not on stderr, not in
//! `--sarif-output`, `$GITHUB_OUTPUT` or `$GITHUB_STEP_SUMMARY`.
//!
//! Every synthetic kind is planted, some reported, some suppressed (inline
//! ignore, allowlist, baseline: `-v` prints those too), some in a diff. The
//! check is strict: besides the whole value, no 10-character window of a
//! value outside its public prefix (`ghp_`, `AKIA`...) may appear.

#![allow(clippy::unwrap_used)]

mod support;

use ci_intel_secrets::detect::Detector;
use ci_intel_secrets::detect::synthetic::{self, KINDS};
use support::{fake, git, repo_with, secrets, write};

const WINDOW: usize = 10;

/// The planted values and the prefixes a preview may show.
fn planted() -> Vec<(String, usize)> {
    KINDS
        .iter()
        .filter(|k| !k.ends_with("-badsum") && **k != "jwt-none")
        .map(|kind| {
            let value = fake(kind, "leak");
            let public = [
                "ghp_",
                "gho_",
                "ghu_",
                "ghs_",
                "ghr_",
                "npm_",
                "AKIA",
                "ASIA",
                "AIza",
                "github_pat_",
                "xoxb-",
                "xoxp-",
                "xapp-",
                "sk_live_",
                "sk_test_",
                "rk_live_",
                "pypi-",
                "dckr_pat_",
                "dckr_oat_",
                "glpat-",
                "gldt-",
                "glrt-",
                "https://hooks.slack.com/",
            ]
            .iter()
            .find(|p| value.starts_with(**p))
            .map_or(0, |p| p.len());
            // A minisign key file's comment line is public text.
            let public = if value.starts_with("untrusted comment:") {
                value.find('\n').map_or(0, |i| i + 1)
            } else {
                public
            };
            (value, public)
        })
        .collect()
}

/// Every byte sequence that must not appear: each whole value and each
/// window of its secret part, searched in one pass.
fn needles(planted: &[(String, usize)]) -> (aho_corasick::AhoCorasick, Vec<String>) {
    let mut needles = Vec::new();
    for (value, public) in planted {
        needles.push(value.clone());
        let chars: Vec<char> = value[*public..].chars().collect();
        for window in chars.windows(WINDOW) {
            let needle: String = window.iter().collect();
            // PEM dashes and line breaks are not the secret.
            if !needle.chars().all(|c| c == '-' || c == '\n') {
                needles.push(needle);
            }
        }
    }
    needles.sort();
    needles.dedup();
    (aho_corasick::AhoCorasick::new(&needles).unwrap(), needles)
}

fn assert_no_leak(what: &str, output: &[u8], needles: &(aho_corasick::AhoCorasick, Vec<String>)) {
    if let Some(found) = needles.0.find(output) {
        panic!(
            "{what}: `{}` from a planted value leaked:\n{}",
            needles.1[found.pattern().as_usize()],
            String::from_utf8_lossy(output)
        );
    }
}

fn plant(dir: &std::path::Path, planted: &[(String, usize)]) {
    let mut body = String::new();
    for (i, (value, _)) in planted.iter().enumerate() {
        // Each kind in a context where its rule fires.
        body.push_str(&format!("secret_{i} = \"{value}\"\n"));
    }
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/planted.txt"), &body).unwrap();
    std::fs::write(
        dir.join("src/planted-pem.txt"),
        format!("{}\n", fake("pem-rsa", "leak")),
    )
    .unwrap();
    std::fs::write(
        dir.join("creds.ini"),
        format!(
            "aws_access_key_id = {}\naws_secret_access_key = {}\nDATABASE_URL=postgres://app:{}@db.corp.internal/app\n",
            fake("aws-akid", "leak"),
            fake("aws-secret", "leak"),
            fake("password", "leak")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("sa.json"),
        format!(
            "{{\"type\": \"service_account\", \"private_key\": \"{}\"}}\n",
            fake("pem-pkcs8-json", "leak")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("conn.txt"),
        format!(
            "DefaultEndpointsProtocol=https;AccountName=a;AccountKey={}\nEndpoint=sb://n.servicebus.windows.net/;SharedAccessKeyName=r;SharedAccessKey={}\n",
            fake("azure-storage-key", "leak"),
            fake("azure-sas-key", "leak")
        ),
    )
    .unwrap();
    // Suppressed three ways: -v prints these with their previews.
    std::fs::write(
        dir.join("ignored.py"),
        format!(
            "T = '{}'  # ci-intel: ignore[secrets]\n",
            fake("ghs", "leak")
        ),
    )
    .unwrap();
    std::fs::write(dir.join(".env"), format!("TOKEN={}\n", fake("ghu", "leak"))).unwrap();
    let baselined = ci_intel_secrets::secret::fingerprint(fake("gho", "leak").as_bytes());
    std::fs::create_dir_all(dir.join(".ci-intel")).unwrap();
    std::fs::write(
        dir.join(".ci-intel/secrets-baseline.json"),
        format!(
            r#"{{"version": 1, "entries": [{{"fingerprint": "{baselined}", "owner": "o", "reason": "r", "expires": "2999-01-01"}}]}}"#
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join(".ci-intel/config.yml"),
        "secrets:\n  allowlist:\n    regexes: ['^xapp-']\n",
    )
    .unwrap();
}

/// Every provider rule's `fires` fixture (each in its own file, so its
/// context is the one where the rule fires) and secrets inside base64, hex
/// and URL-encoded values; returns the values planted, with the public
/// prefix a preview may show (none for an encoded value: every window of
/// it, and of the secret it holds, is secret).
fn plant_rules_and_encoded(dir: &std::path::Path) -> Vec<(String, usize)> {
    let detector = Detector::builtin();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut values = Vec::new();
    std::fs::create_dir_all(dir.join("providers")).unwrap();
    for id in synthetic::rule_kinds() {
        let fires = fixtures.join(id).join("fires");
        for entry in std::fs::read_dir(&fires).unwrap() {
            let path = entry.unwrap().path();
            let text = synthetic::expand(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for hit in detector.find(&text) {
                if hit.rule == id && hit.decoded.is_none() {
                    let value = text[hit.start..hit.end].to_owned();
                    let public = value
                        .char_indices()
                        .nth(hit.public_prefix)
                        .map_or(value.len(), |(i, _)| i);
                    values.push((value, public));
                }
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            std::fs::write(dir.join("providers").join(format!("{id}-{name}")), text).unwrap();
        }
    }
    use base64::Engine as _;
    let token = fake("ghp", "leak-encoded");
    let assignment = format!("GITHUB_TOKEN={token}");
    let b64 = base64::engine::general_purpose::STANDARD.encode(&assignment);
    let hex: String = assignment.bytes().map(|b| format!("{b:02x}")).collect();
    let generic = fake("generic", "leak-encoded");
    let url = format!("https%3A%2F%2Fhooks.test%2Fin%3Fapi_token%3D{generic}");
    std::fs::write(
        dir.join("encoded.yaml"),
        format!(
            "blob: {b64}
dump: {hex}
next: {url}
"
        ),
    )
    .unwrap();
    values.extend([(b64, 0), (hex, 0), (url, 0), (token, 4), (generic, 0)]);
    values
}

#[test]
fn no_format_or_verbosity_prints_a_planted_secret() {
    let mut planted = planted();
    let dir = tempfile::tempdir().unwrap();
    plant(dir.path(), &planted);
    let kinds = planted.len();
    let more = plant_rules_and_encoded(dir.path());
    // Every provider rule with a generator planted at least one value.
    assert!(
        more.len() >= synthetic::rule_kinds().len(),
        "{}",
        more.len()
    );
    planted.extend(more);
    let needles = needles(&planted);
    let mut reported = 0;
    for format in ["human", "json", "sarif", "github"] {
        for verbosity in [None, Some("-v"), Some("-vv")] {
            let output = dir.path().join("gh-output");
            let summary = dir.path().join("gh-summary");
            let sarif = dir.path().join("copy.sarif");
            let _ = std::fs::remove_file(&output);
            let _ = std::fs::remove_file(&summary);
            let mut cmd = secrets(dir.path());
            cmd.args(["scan", "--format", format, "--sarif-output"])
                .arg(&sarif)
                .env("GITHUB_ACTIONS", "true")
                .env("GITHUB_OUTPUT", &output)
                .env("GITHUB_STEP_SUMMARY", &summary);
            if let Some(v) = verbosity {
                cmd.arg(v);
            }
            let run = cmd.assert().code(1);
            let out = run.get_output();
            let what = format!("{format} {verbosity:?}");
            assert_no_leak(&format!("{what} stdout"), &out.stdout, &needles);
            assert_no_leak(&format!("{what} stderr"), &out.stderr, &needles);
            for file in [&output, &summary, &sarif] {
                assert_no_leak(
                    &format!("{what} {}", file.display()),
                    &std::fs::read(file).unwrap(),
                    &needles,
                );
            }
            if format == "json" {
                reported = support::json(&out.stdout)["findings"]
                    .as_array()
                    .unwrap()
                    .len();
            }
            if verbosity.is_some() {
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(
                    stderr.contains("suppressed:"),
                    "-v lists suppressions: {stderr}"
                );
            }
        }
    }
    // The test means something only if the secrets were found.
    assert!(
        reported >= kinds - 3 + synthetic::rule_kinds().len(),
        "only {reported} findings"
    );
}

#[test]
fn diff_and_history_modes_print_no_planted_secret_either() {
    let mut planted = planted();
    let dir = tempfile::tempdir().unwrap();
    repo_with(dir.path(), &[("README.md", "hello\n")]);
    plant(dir.path(), &planted);
    planted.extend(plant_rules_and_encoded(dir.path()));
    let needles = needles(&planted);
    write(dir.path(), "README.md", "hello\nmore\n");
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "plant"]);
    for format in ["human", "json", "sarif", "github"] {
        for verbosity in ["-q", "-v", "-vv"] {
            for mode in [&["--diff", "HEAD~1"][..], &["--history"][..]] {
                let mut cmd = secrets(dir.path());
                cmd.arg("scan").args(mode).args(["--format", format]);
                if verbosity != "-q" {
                    cmd.arg(verbosity);
                }
                let run = cmd.assert().code(1);
                let out = run.get_output();
                assert_no_leak(
                    &format!("{mode:?} {format} {verbosity} stdout"),
                    &out.stdout,
                    &needles,
                );
                assert_no_leak(
                    &format!("{mode:?} {format} {verbosity} stderr"),
                    &out.stderr,
                    &needles,
                );
            }
        }
    }
}

#[test]
#[should_panic(expected = "leaked")]
fn the_check_catches_a_partial_leak() {
    let planted = vec![(fake("ghp", "check"), 4)];
    let needles = needles(&planted);
    let partial = &planted[0].0[8..20];
    assert_no_leak("self-test", format!("log: {partial}").as_bytes(), &needles);
}
