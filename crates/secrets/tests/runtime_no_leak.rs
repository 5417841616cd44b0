//! No output of `sweep` or `redact`, in any format, at any verbosity, in or
//! out of Actions, contains a planted secret: not stdout, not stderr, not
//! the step summary, not the step outputs. The only exception is the
//! `::add-mask::` command, which exists to hand the value to the runner, and
//! only inside Actions.

#![allow(clippy::unwrap_used)]
#![cfg(target_os = "linux")]

mod runtime_support;

use std::ffi::OsStr;
use std::io::Write as _;
use std::os::unix::ffi::OsStrExt as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use ci_intel_secrets::detect::synthetic;
use ci_intel_secrets::test_support::classic_pat;
use runtime_support::{BIN, Sleeper, code, proc_root_of};

const FORMATS: [&str; 4] = ["human", "json", "sarif", "github"];
const VERBOSITY: [&[&str]; 4] = [&[], &["-v"], &["-vv"], &["-q"]];

/// Secrets planted for the test: every one must stay out of every output.
struct Planted {
    pat_env: String,
    pat_log: String,
    pat_weird: String,
    aws: String,
    azure: String,
    password: String,
    gcp_key_body: Vec<String>,
    gcp_json: String,
    aws_key_id: String,
    pem: String,
}

impl Planted {
    fn new() -> Self {
        let gcp_key_body: Vec<String> = (0..3)
            .map(|i| format!("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC{i}Kcwgg{i}jAgEAAoIBAQDf"))
            .collect();
        let gcp_json = format!(
            r#"{{"type":"service_account","project_id":"p","private_key":"-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n","client_email":"ci@p.iam.gserviceaccount.com"}}"#,
            gcp_key_body.join("\\n")
        );
        Planted {
            pat_env: classic_pat(501),
            pat_log: classic_pat(502),
            pat_weird: classic_pat(503),
            aws: "Zq8kT1mVb2Xw9LpR4sYc7NdE3hGf6JaU0oIyQe5W".into(),
            azure: "Az8Q~k1mVb2Xw9LpR4sYc7NdE3hGf6JaU0oIyQ".into(),
            // Joined at run time, so the source holds no password-shaped
            // assignment for the repository's own secrets gate to flag.
            password: ["pa55-Word", "-hunter2-XyZ"].concat(),
            gcp_key_body,
            gcp_json,
            aws_key_id: synthetic::fake("aws-akid", "no-leak").unwrap(),
            pem: synthetic::fake("pem-rsa", "no-leak").unwrap(),
        }
    }

    /// Every byte sequence that must not appear: each secret (line by
    /// line) and every 12-byte window of it, so a partial leak counts too.
    fn forbidden(&self) -> Forbidden {
        let mut secrets: Vec<&str> = vec![
            &self.pat_env,
            &self.pat_log,
            &self.pat_weird,
            &self.aws,
            &self.azure,
            &self.password,
        ];
        secrets.extend(self.gcp_key_body.iter().map(String::as_str));
        secrets.push(&self.aws_key_id);
        // The key's base64 lines (BEGIN and END lines are public text).
        secrets.extend(self.pem.lines().filter(|l| !l.starts_with("-----")));
        let mut out = Vec::new();
        for secret in secrets {
            let bytes = secret.as_bytes();
            out.push(bytes.to_vec());
            out.extend(bytes.windows(12).map(<[u8]>::to_vec));
        }
        Forbidden(aho_corasick::AhoCorasick::new(out).unwrap())
    }

    fn env(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("DEPLOY_TOKEN", &self.pat_env),
            ("AWS_SECRET_ACCESS_KEY", &self.aws),
            ("AZURE_CLIENT_SECRET", &self.azure),
            ("DB_PASSWORD", &self.password),
            ("GCP_SA_KEY", &self.gcp_json),
            ("AWS_ACCESS_KEY_ID", &self.aws_key_id),
            ("SSH_PRIVATE_KEY", &self.pem),
            ("HOME", "/home/runner"),
        ]
    }

    fn log(&self) -> Vec<u8> {
        let mut log = format!(
            "deploying with {} now\nexport AWS_SECRET_ACCESS_KEY={}\nazure: {}\npassword={}\n",
            self.pat_env, self.aws, self.azure, self.password
        )
        .into_bytes();
        log.extend_from_slice(b"\xff\xfe binary junk \xc3");
        log.extend_from_slice(format!(" {} \n", self.pat_weird).as_bytes());
        log.extend_from_slice(format!("{}\n", self.gcp_json).as_bytes());
        log.extend_from_slice(
            format!("key id {} and key:\n{}\n", self.aws_key_id, self.pem).as_bytes(),
        );
        for _ in 0..2000 {
            log.extend_from_slice(b"filler line to cross a window round or two\n");
        }
        log.extend_from_slice(format!("late: {} and {}\n", self.pat_log, self.password).as_bytes());
        log
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// `bytes` without the `::add-mask::` lines, which are allowed (and only)
/// in Actions.
fn without_add_mask_lines(bytes: &[u8]) -> Vec<u8> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .filter(|line| !line.starts_with(b"::add-mask::"))
        .flatten()
        .copied()
        .collect()
}

fn assert_clean(what: &str, bytes: &[u8], forbidden: &Forbidden) {
    if let Some(leak) = forbidden.0.find(bytes) {
        panic!(
            "{what}: leaked {:?}",
            String::from_utf8_lossy(&bytes[leak.start()..leak.end()])
        );
    }
}

/// All forbidden sequences in one automaton (hundreds of needles over
/// thousands of outputs).
struct Forbidden(aho_corasick::AhoCorasick);

fn runner_files(dir: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("GITHUB_ACTIONS", "true".to_owned()),
        (
            "GITHUB_STEP_SUMMARY",
            dir.join("summary.md").display().to_string(),
        ),
        ("GITHUB_OUTPUT", dir.join("output").display().to_string()),
    ]
}

fn check_runner_files(what: &str, dir: &Path, forbidden: &Forbidden) {
    for file in ["summary.md", "output"] {
        if let Ok(bytes) = std::fs::read(dir.join(file)) {
            assert_clean(&format!("{what} ${file}"), &bytes, forbidden);
        }
    }
}

#[test]
fn sweep_never_prints_a_planted_secret() {
    let planted = Planted::new();
    let forbidden = planted.forbidden();
    let env = planted.env();
    let child = Sleeper::spawn(&env);
    let root = proc_root_of(&[child.pid()]);
    let dir = tempfile::tempdir().unwrap();
    let mut runs = 0;
    for in_actions in [false, true] {
        for format in FORMATS {
            for verbosity in VERBOSITY {
                for scope in [
                    vec!["--self-only"],
                    vec!["--proc-root", root.path().to_str().unwrap()],
                ] {
                    let mut cmd = Command::new(BIN);
                    cmd.env_clear()
                        .envs(env.iter().copied())
                        // A value that is not UTF-8, holding a PAT.
                        .env("WEIRD_TOKEN", OsStr::from_bytes(&weird_value(&planted)))
                        .current_dir(dir.path())
                        .args(["sweep", "--format", format])
                        .args(verbosity)
                        .args(&scope);
                    if in_actions {
                        cmd.envs(runner_files(dir.path()));
                    }
                    let output = cmd.output().unwrap();
                    let what =
                        format!("sweep {format} {verbosity:?} {scope:?} actions={in_actions}");
                    assert_eq!(
                        code(&output),
                        1,
                        "{what}: {}",
                        String::from_utf8_lossy(&output.stderr)
                    );
                    assert_clean(&format!("{what} stdout"), &output.stdout, &forbidden);
                    assert_clean(&format!("{what} stderr"), &output.stderr, &forbidden);
                    check_runner_files(&what, dir.path(), &forbidden);
                    assert!(!find(&output.stdout, b"::add-mask::"));
                    runs += 1;
                }
            }
        }
    }
    assert_eq!(runs, 64);
}

fn weird_value(planted: &Planted) -> Vec<u8> {
    let mut value = b"\xff\xfe ".to_vec();
    value.extend_from_slice(planted.pat_weird.as_bytes());
    value
}

fn redact(planted: &Planted, extra_env: &[(&str, String)], args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .env_clear()
        .envs(planted.env())
        .envs(extra_env.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(dir.path())
        .args([
            "redact",
            "--env-name",
            "DB_PASSWORD",
            "--env-name",
            "AWS_SECRET_ACCESS_KEY",
            "--env-name",
            "AZURE_CLIENT_SECRET",
            "--env-name",
            "GCP_SA_KEY",
            "--buffer-size",
            "4093",
        ])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let log = planted.log();
    let writer = std::thread::spawn(move || stdin.write_all(&log).unwrap());
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

#[test]
fn redact_never_prints_a_planted_secret_outside_add_mask_in_actions() {
    let planted = Planted::new();
    let forbidden = planted.forbidden();
    let runner_dir = tempfile::tempdir().unwrap();
    let actions_env = runner_files(runner_dir.path());
    let mut runs = 0;
    for in_actions in [false, true] {
        for format in FORMATS {
            for verbosity in VERBOSITY {
                for mask in ["labelled", "stars"] {
                    for fail in [&[][..], &["--fail-on-detect"][..]] {
                        let mut args = vec!["--format", format, "--mask", mask];
                        args.extend_from_slice(verbosity);
                        args.extend_from_slice(fail);
                        let extra: &[(&str, String)] = if in_actions { &actions_env } else { &[] };
                        let output = redact(&planted, extra, &args);
                        let what = format!("redact {args:?} actions={in_actions}");
                        let expected = if fail.is_empty() { 0 } else { 1 };
                        assert_eq!(
                            code(&output),
                            expected,
                            "{what}: {}",
                            String::from_utf8_lossy(&output.stderr)
                        );
                        assert_clean(&format!("{what} stderr"), &output.stderr, &forbidden);
                        check_runner_files(&what, runner_dir.path(), &forbidden);
                        if in_actions {
                            assert!(find(&output.stdout, b"::add-mask::"), "{what}");
                            assert_clean(
                                &format!("{what} stdout"),
                                &without_add_mask_lines(&output.stdout),
                                &forbidden,
                            );
                        } else {
                            assert!(!find(&output.stdout, b"::add-mask::"), "{what}");
                            assert!(!find(&output.stderr, b"::add-mask::"), "{what}");
                            assert_clean(&format!("{what} stdout"), &output.stdout, &forbidden);
                        }
                        runs += 1;
                    }
                }
            }
        }
    }
    assert_eq!(runs, 128);
}
