//! `ci-intel-secrets redact` end to end: read sizes, exit codes, report
//! formats, `--env-name`, and where `::add-mask::` goes.

#![allow(clippy::unwrap_used)]

mod runtime_support;

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use ci_intel_secrets::secret::fingerprint;
use ci_intel_secrets::test_support::classic_pat;
use runtime_support::{BIN, code};

/// Run `redact` with exactly `vars` as environment, feeding `input`.
fn redact(vars: &[(&str, &str)], args: &[&str], input: &[u8]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .env_clear()
        .envs(vars.iter().copied())
        .current_dir(dir.path())
        .arg("redact")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A log of about 200 KB (several window rounds) with secrets scattered
/// through it, some near round boundaries.
fn big_log(pats: &[String]) -> Vec<u8> {
    let mut log = Vec::new();
    let mut line = 0;
    while log.len() < 200 * 1024 {
        line += 1;
        if line % 37 == 0 {
            let pat = &pats[line % pats.len()];
            log.extend_from_slice(format!("step {line}: GH_TOKEN={pat}\n").as_bytes());
        } else if line % 101 == 0 {
            log.extend_from_slice(
                format!("db password is hunter2-{line}-ok and hunter2-hunter2!\n").as_bytes(),
            );
        } else {
            log.extend_from_slice(format!("step {line}: building target/release/app\n").as_bytes());
        }
    }
    log
}

#[test]
fn output_does_not_depend_on_the_read_size() {
    let pats: Vec<String> = (0..3).map(|i| classic_pat(400 + i)).collect();
    let log = big_log(&pats);
    let vars = [("DB_PASSWORD", "hunter2-hunter2!")];
    let reference = redact(&vars, &["--env-name", "DB_PASSWORD", "-q"], &log);
    assert_eq!(code(&reference), 0);
    for pat in &pats {
        assert!(!contains(&reference.stdout, pat.as_bytes()));
        let masked = format!(
            "[REDACTED:github-pat-classic:{}]",
            fingerprint(pat.as_bytes())
        );
        assert!(contains(&reference.stdout, masked.as_bytes()));
    }
    assert!(!contains(&reference.stdout, b"hunter2-hunter2!"));
    // Everything but the secrets is untouched.
    assert!(contains(
        &reference.stdout,
        b"db password is hunter2-101-ok and [REDACTED:env-value:"
    ));
    for size in ["1", "7", "4093", "1048576"] {
        let output = redact(
            &vars,
            &["--env-name", "DB_PASSWORD", "-q", "--buffer-size", size],
            &log,
        );
        assert_eq!(code(&output), 0);
        assert!(
            output.stdout == reference.stdout,
            "--buffer-size {size} changed the output"
        );
    }
}

#[test]
fn a_clean_stream_is_copied_byte_for_byte_and_exit_codes_follow_the_contract() {
    let mut input = b"plain \xff\xfe bytes\r\nno newline at the end".to_vec();
    let output = redact(&[], &[], &input);
    assert_eq!(code(&output), 0);
    assert_eq!(output.stdout, input);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("0 secret(s) masked"), "{stderr}");

    // Masked secrets: still exit 0 (a filter), unless --fail-on-detect.
    let pat = classic_pat(410);
    input.extend_from_slice(format!(" {pat}\n").as_bytes());
    assert_eq!(code(&redact(&[], &[], &input)), 0);
    let output = redact(&[], &["--fail-on-detect"], &input);
    assert_eq!(code(&output), 1);
    assert!(!contains(&output.stdout, pat.as_bytes()));
    // ... and a clean stream passes --fail-on-detect.
    assert_eq!(code(&redact(&[], &["--fail-on-detect"], b"clean\n")), 0);
}

#[test]
fn an_unset_or_empty_env_name_is_a_usage_error_naming_it() {
    for vars in [&[][..], &[("DEPLOY_KEY", "")][..]] {
        let output = redact(vars, &["--env-name", "DEPLOY_KEY"], b"log\n");
        assert_eq!(code(&output), 2);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("DEPLOY_KEY") && stderr.contains("unset or empty"),
            "{stderr}"
        );
        assert!(
            output.stdout.is_empty(),
            "nothing is passed through unmasked"
        );
    }
}

#[test]
fn an_unreadable_input_is_an_infrastructure_error() {
    // A directory as stdin: reading it fails with EISDIR.
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(BIN)
        .env_clear()
        .arg("redact")
        .stdin(std::fs::File::open(dir.path()).unwrap())
        .output()
        .unwrap();
    assert_eq!(code(&output), 3);
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read stdin"));
}

#[test]
fn the_report_lists_each_secret_once_with_line_and_count() {
    let pat = classic_pat(420);
    let input = format!("a\nfirst {pat}\nb\nagain {pat}\npw s3cr3t-pw\n");
    let output = redact(
        &[("PW", "s3cr3t-pw")],
        &[
            "--env-name",
            "PW",
            "--format",
            "json",
            "--input-name",
            "build.log",
        ],
        input.as_bytes(),
    );
    assert_eq!(code(&output), 0);
    let stderr = String::from_utf8(output.stderr).unwrap();
    let json_end = stderr.rfind("}\n").unwrap() + 1;
    let report: serde_json::Value = serde_json::from_str(&stderr[..json_end]).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{report:#}");
    let pat_finding = findings
        .iter()
        .find(|f| f["rule"] == "github-pat-classic")
        .unwrap();
    assert_eq!(pat_finding["file"], "build.log");
    assert_eq!(pat_finding["line"], 2);
    assert_eq!(pat_finding["occurrences"], 2);
    assert_eq!(pat_finding["fingerprint"], fingerprint(pat.as_bytes()));
    assert_eq!(pat_finding["preview"], "ghp_…[40 chars redacted]");
    let literal = findings.iter().find(|f| f["rule"] == "env-value").unwrap();
    assert_eq!(literal["variable"], "PW");
    assert_eq!(literal["line"], 5);
    assert_eq!(report["summary"]["masked"], 3);
    assert_eq!(report["summary"]["add_mask"], "off");

    // --report writes the same to a file and keeps stderr short.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.sarif");
    let output = redact(
        &[],
        &["--format", "sarif", "--report", path.to_str().unwrap()],
        input.as_bytes(),
    );
    assert_eq!(code(&output), 0);
    let sarif: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
    assert!(!String::from_utf8_lossy(&output.stderr).contains("\"runs\""));
    // A report that cannot be written is an infrastructure error.
    let output = redact(
        &[],
        &["--report", "/nonexistent/dir/report.json"],
        input.as_bytes(),
    );
    assert_eq!(code(&output), 3);
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/dir/report.json"));
}

#[test]
fn stars_mask_like_the_runner() {
    let pat = classic_pat(430);
    let output = redact(&[], &["--mask", "stars"], format!("x {pat} y\n").as_bytes());
    assert_eq!(output.stdout, b"x *** y\n");
}

#[test]
fn add_mask_goes_before_the_line_in_actions_and_nowhere_outside() {
    let pat = classic_pat(440);
    let other = classic_pat(441);
    let input = format!("one\ntwo {pat} three\nfour {pat}\nfive {other}\n");

    // Outside Actions, even when asked: no command anywhere.
    for args in [
        &[][..],
        &["--add-mask", "stdout"][..],
        &["--add-mask", "stderr"][..],
    ] {
        let output = redact(&[], args, input.as_bytes());
        assert_eq!(code(&output), 0);
        for stream in [&output.stdout, &output.stderr] {
            assert!(!contains(stream, b"::add-mask::"), "{args:?}");
            assert!(!contains(stream, pat.as_bytes()), "{args:?}");
        }
    }

    // In Actions, stdout a pipe (the step log): each value once, before
    // the line that held it.
    let actions = [("GITHUB_ACTIONS", "true")];
    let output = redact(&actions, &[], input.as_bytes());
    assert_eq!(code(&output), 0);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    let pat_fp = fingerprint(pat.as_bytes());
    let other_fp = fingerprint(other.as_bytes());
    assert_eq!(
        lines,
        [
            "one".to_owned(),
            format!("::add-mask::{pat}"),
            format!("two [REDACTED:github-pat-classic:{pat_fp}] three"),
            format!("four [REDACTED:github-pat-classic:{pat_fp}]"),
            format!("::add-mask::{other}"),
            format!("five [REDACTED:github-pat-classic:{other_fp}]"),
        ]
    );
    assert!(!contains(&output.stderr, pat.as_bytes()));

    // In Actions with stdout redirected to a file (a log to upload): the
    // file never holds a command or a value; the commands go to stderr.
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("build.log");
    let mut child = Command::new(BIN)
        .env_clear()
        .envs(actions)
        .arg("redact")
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(&log_path).unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(code(&output), 0);
    let log = std::fs::read(&log_path).unwrap();
    assert!(!contains(&log, b"::add-mask::") && !contains(&log, pat.as_bytes()));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains(&format!("::add-mask::{pat}\n")), "{stderr}");
    assert!(
        stderr.contains(&format!("::add-mask::{other}\n")),
        "{stderr}"
    );

    // --add-mask never: none even in Actions.
    let output = redact(&actions, &["--add-mask", "never"], input.as_bytes());
    assert!(
        !contains(&output.stdout, b"::add-mask::") && !contains(&output.stderr, b"::add-mask::")
    );
}

#[test]
fn a_multi_line_private_key_is_one_mask_and_registered_line_by_line_in_actions() {
    let key = ci_intel_secrets::detect::synthetic::fake("pem-pkcs8", "cli").unwrap();
    let input = format!("before\nkey: {key}\nafter\n");
    let outside = redact(&[], &["--buffer-size", "3"], input.as_bytes());
    let fp = fingerprint(key.trim_end().as_bytes());
    assert_eq!(
        String::from_utf8(outside.stdout).unwrap(),
        format!("before\nkey: [REDACTED:private-key:{fp}]\nafter\n")
    );

    let output = redact(
        &[("GITHUB_ACTIONS", "true")],
        &["--buffer-size", "3"],
        input.as_bytes(),
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    let masked_at = lines
        .iter()
        .position(|l| l.starts_with("key: [REDACTED:private-key:"))
        .unwrap();
    let commands: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("::add-mask::"))
        .collect();
    // The whole key (escaped onto one line) and each of its lines, all
    // before the line that held it.
    assert_eq!(commands.len(), 1 + key.lines().count(), "{stdout}");
    assert!(
        lines[1..masked_at]
            .iter()
            .all(|l| l.starts_with("::add-mask::")),
        "{stdout}"
    );
    assert_eq!(lines[0], "before");
    for key_line in key.lines() {
        assert!(
            commands.contains(&format!("::add-mask::{key_line}").as_str()),
            "{key_line}"
        );
        // Outside the commands, no line of the key.
        assert!(
            !lines
                .iter()
                .any(|l| !l.starts_with("::add-mask::") && l.contains(key_line))
        );
    }
}

#[test]
fn a_closed_output_is_an_infrastructure_error() {
    // Whoever reads our stdout goes away: the rest of the log was not
    // written, which must not look like success.
    let mut child = Command::new(BIN)
        .env_clear()
        .arg("redact")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let line = b"a log line that nobody will read\n".repeat(1000);
        for _ in 0..100 {
            if stdin.write_all(&line).is_err() {
                break;
            }
        }
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(code(&output), 3);
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot write"));
}

#[test]
fn the_sarif_report_is_valid() {
    let text = include_str!("../../core/tests/data/sarif-schema-2.1.0.json");
    let schema: serde_json::Value = serde_json::from_str(text).unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap();
    let pat = classic_pat(450);
    let output = redact(
        &[("PW", "s3cr3t-pw")],
        &["--env-name", "PW", "--format", "sarif", "-v"],
        format!("x {pat}\ny s3cr3t-pw\n").as_bytes(),
    );
    assert_eq!(code(&output), 0);
    let stderr = String::from_utf8(output.stderr).unwrap();
    let start = stderr.find("{\n").unwrap();
    let end = stderr.rfind("}\n").unwrap() + 1;
    let sarif: serde_json::Value = serde_json::from_str(&stderr[start..end]).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
    // -v logs each mask as it happens, before the report.
    assert!(
        stderr[..start].contains("stdin:1: masked github-pat-classic"),
        "{stderr}"
    );
    assert!(
        stderr[..start].contains("stdin:2: masked env-value"),
        "{stderr}"
    );
}
