//! `sweep` against real processes: children started by the test with
//! crafted environments, read through the real `/proc`.

#![allow(clippy::unwrap_used)]
#![cfg(target_os = "linux")]

mod runtime_support;

use ci_intel_secrets::secret::fingerprint;
use ci_intel_secrets::test_support::classic_pat;
use runtime_support::{Sleeper, code, json, proc_root_of, run, secrets};
use serde_json::Value;

fn findings_for<'a>(report: &'a Value, variable: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["variable"] == variable)
        .collect()
}

fn pids_of(finding: &Value) -> Vec<u64> {
    finding["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["pid"].as_u64().unwrap())
        .collect()
}

#[test]
fn a_planted_pat_in_a_live_process_is_reported_with_pid_name_and_fingerprint() {
    let pat = classic_pat(101);
    let child = Sleeper::spawn(&[("DEPLOY_TOKEN", &pat), ("HOME", "/nonexistent")]);
    let dir = tempfile::tempdir().unwrap();
    // The whole real /proc: whatever else runs on this machine, our child
    // must be among the findings, and the run must deny.
    let output = run(secrets(dir.path(), &[], &["sweep", "--format", "json"]));
    assert_eq!(
        code(&output),
        1,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output);
    let ours: Vec<&Value> = findings_for(&report, "DEPLOY_TOKEN")
        .into_iter()
        .filter(|f| f["fingerprint"] == fingerprint(pat.as_bytes()))
        .collect();
    assert_eq!(ours.len(), 1, "{report:#}");
    let finding = ours[0];
    assert_eq!(finding["rule"], "github-pat-classic");
    assert_eq!(finding["file"], "env:DEPLOY_TOKEN");
    assert_eq!(finding["line"], Value::Null);
    assert_eq!(finding["preview"], "ghp_…[40 chars redacted]");
    let processes = finding["processes"].as_array().unwrap();
    assert!(
        processes
            .iter()
            .any(|p| p["pid"] == child.pid() && p["comm"] == "sleep"),
        "{finding:#}"
    );
    assert!(report["summary"]["environments_read"].as_u64().unwrap() >= 2);
    assert!(!String::from_utf8_lossy(&output.stdout).contains(&pat));
    assert!(!String::from_utf8_lossy(&output.stderr).contains(&pat));
}

#[test]
fn the_same_secret_in_several_processes_is_one_finding_listing_every_pid() {
    let pat = classic_pat(102);
    let first = Sleeper::spawn(&[("DEPLOY_TOKEN", &pat)]);
    let second = Sleeper::spawn(&[("DEPLOY_TOKEN", &pat), ("LANG", "C")]);
    let third = Sleeper::spawn(&[("RELEASE_TOKEN", &pat)]);
    let root = proc_root_of(&[first.pid(), second.pid(), third.pid()]);
    let dir = tempfile::tempdir().unwrap();
    let output = run(secrets(
        dir.path(),
        &[],
        &[
            "sweep",
            "--format",
            "json",
            "--proc-root",
            root.path().to_str().unwrap(),
        ],
    ));
    assert_eq!(code(&output), 1);
    let report = json(&output);
    let deploy = findings_for(&report, "DEPLOY_TOKEN");
    assert_eq!(deploy.len(), 1, "{report:#}");
    let mut expected = vec![u64::from(first.pid()), u64::from(second.pid())];
    expected.sort_unstable();
    assert_eq!(pids_of(deploy[0]), expected);
    // Another name for the same value is another finding (the name is
    // what a job owner has to remove), with the same fingerprint.
    let release = findings_for(&report, "RELEASE_TOKEN");
    assert_eq!(pids_of(release[0]), [u64::from(third.pid())]);
    assert_eq!(release[0]["fingerprint"], deploy[0]["fingerprint"]);
    assert_eq!(report["findings"].as_array().unwrap().len(), 2);
}

#[test]
fn a_clean_process_and_a_clean_sweep_pass() {
    let child = Sleeper::spawn(&[("HOME", "/home/runner"), ("LANG", "C.UTF-8")]);
    let dir = tempfile::tempdir().unwrap();
    // Only our child (and the sweep itself, run with a cleared
    // environment): nothing else on the machine can make this fail.
    let root = proc_root_of(&[child.pid()]);
    let output = run(secrets(
        dir.path(),
        &[],
        &[
            "sweep",
            "--format",
            "json",
            "--proc-root",
            root.path().to_str().unwrap(),
        ],
    ));
    assert_eq!(
        code(&output),
        0,
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
    assert_eq!(report["summary"]["environments_read"], 2);
    assert_eq!(report["summary"]["variables"], 2);
    assert_eq!(report["summary"]["verdict"], "allow");

    // Over the whole real /proc the verdict depends on the machine, but the
    // clean child is never in a finding.
    let output = run(secrets(dir.path(), &[], &["sweep", "--format", "json"]));
    let report = json(&output);
    for finding in report["findings"].as_array().unwrap() {
        assert!(
            !pids_of(finding).contains(&u64::from(child.pid())),
            "{finding:#}"
        );
    }
}

#[test]
fn short_lived_tokens_and_configured_names_are_allowed_and_listed() {
    let pat = classic_pat(103);
    let ghs = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
    let child = Sleeper::spawn(&[
        ("GITHUB_TOKEN", ghs),
        ("ACTIONS_RUNTIME_TOKEN", "opaque-runtime-token"),
        ("DEPLOY_TOKEN", &pat),
    ]);
    let root = proc_root_of(&[child.pid()]);
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "sweep",
        "--format",
        "json",
        "--proc-root",
        root.path().to_str().unwrap(),
    ];
    let output = run(secrets(dir.path(), &[], &args));
    assert_eq!(code(&output), 1);
    let report = json(&output);
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    assert_eq!(findings_for(&report, "DEPLOY_TOKEN").len(), 1);
    let allowed: Vec<&str> = report["summary"]["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["variable"].as_str().unwrap())
        .collect();
    assert_eq!(allowed, ["ACTIONS_RUNTIME_TOKEN", "GITHUB_TOKEN"]);

    let mut with_allow = args.to_vec();
    with_allow.extend(["--allow-name", "DEPLOY_TOKEN"]);
    let output = run(secrets(dir.path(), &[], &with_allow));
    assert_eq!(
        code(&output),
        0,
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(
        json(&output)["summary"]["allowed"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn exited_and_unreadable_processes_are_counted_not_errors() {
    let child = Sleeper::spawn(&[("HOME", "/h")]);
    let gone = Sleeper::spawn(&[("HOME", "/h")]);
    let gone_pid = gone.pid();
    drop(gone); // killed and reaped: /proc/<pid> is gone
    let root = proc_root_of(&[child.pid(), gone_pid]);
    // An entry whose environ cannot be read as a file (even by root).
    std::fs::create_dir_all(root.path().join("999999999/environ")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let output = run(secrets(
        dir.path(),
        &[],
        &[
            "sweep",
            "--format",
            "json",
            "--proc-root",
            root.path().to_str().unwrap(),
            "-v",
        ],
    ));
    assert_eq!(
        code(&output),
        0,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = &json(&output)["summary"];
    assert_eq!(summary["processes"], 4);
    assert_eq!(summary["environments_read"], 2);
    assert_eq!(summary["gone"], 1);
    assert_eq!(summary["unreadable"], 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("pid 999999999"), "{stderr}");
    assert!(
        !stderr.contains(&format!("pid {gone_pid}: exited")),
        "{stderr}"
    );
    // -vv adds the processes that are gone.
    let output = run(secrets(
        dir.path(),
        &[],
        &["sweep", "--proc-root", root.path().to_str().unwrap(), "-vv"],
    ));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("pid {gone_pid}: exited")),
        "{stderr}"
    );
}

#[test]
fn self_only_reads_this_process_and_an_empty_sweep_is_not_a_pass() {
    let pat = classic_pat(104);
    let dir = tempfile::tempdir().unwrap();
    let output = run(secrets(
        dir.path(),
        &[("NPM_TOKEN", &pat)],
        &["sweep", "--self-only", "--format", "json"],
    ));
    assert_eq!(code(&output), 1);
    let report = json(&output);
    assert_eq!(report["summary"]["processes"], 1);
    assert_eq!(report["summary"]["proc_root"], Value::Null);
    assert_eq!(findings_for(&report, "NPM_TOKEN").len(), 1);

    // Nothing to read at all: exit 3, with a reason.
    let output = run(secrets(dir.path(), &[], &["sweep", "--self-only"]));
    assert_eq!(code(&output), 3);
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a pass"));

    // A proc root that does not exist cannot be swept.
    let output = run(secrets(
        dir.path(),
        &[("HOME", "/h")],
        &["sweep", "--proc-root", "/nonexistent/proc"],
    ));
    assert_eq!(code(&output), 3);
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/proc"));
}

#[test]
fn aws_keys_are_judged_with_the_rest_of_their_process() {
    let secret = "wJalrXUtnFEMI0K7MDENG0bPxRfiCYEXAMPLEKEY";
    let long_lived = Sleeper::spawn(&[
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", secret),
    ]);
    let oidc = Sleeper::spawn(&[
        ("AWS_ACCESS_KEY_ID", "ASIAIOSFODNN7EXAMPLE"),
        (
            "AWS_SECRET_ACCESS_KEY",
            "temporarySecretKeyFromStsExample0123456",
        ),
        ("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2VjEXAMPLE"),
    ]);
    let root = proc_root_of(&[long_lived.pid(), oidc.pid()]);
    let dir = tempfile::tempdir().unwrap();
    let output = run(secrets(
        dir.path(),
        &[],
        &[
            "sweep",
            "--format",
            "json",
            "--proc-root",
            root.path().to_str().unwrap(),
        ],
    ));
    assert_eq!(code(&output), 1);
    let report = json(&output);
    let aws = findings_for(&report, "AWS_SECRET_ACCESS_KEY");
    assert_eq!(aws.len(), 1, "{report:#}");
    assert_eq!(aws[0]["rule"], "env-aws-secret-access-key");
    assert_eq!(pids_of(aws[0]), [u64::from(long_lived.pid())]);
    assert_eq!(aws[0]["fingerprint"], fingerprint(secret.as_bytes()));
}

#[test]
fn provider_credentials_and_private_keys_in_a_live_process() {
    use ci_intel_secrets::detect::synthetic::fake;
    let akid = fake("aws-akid", "sweep").unwrap();
    let aws_secret = fake("aws-secret", "sweep").unwrap();
    let ssh_key = fake("pem-openssh", "sweep").unwrap();
    let ghs = fake("ghs", "sweep").unwrap();
    let ghu = fake("ghu", "sweep").unwrap();
    let long_lived = Sleeper::spawn(&[
        ("AWS_ACCESS_KEY_ID", &akid),
        ("AWS_SECRET_ACCESS_KEY", &aws_secret),
        ("SSH_PRIVATE_KEY", &ssh_key),
        ("GITHUB_TOKEN", &ghs),
        ("USER_TOKEN", &ghu),
    ]);
    // What OIDC role assumption exports: temporary, allowed.
    let temporary = Sleeper::spawn(&[
        ("AWS_ACCESS_KEY_ID", &fake("aws-asid", "sweep").unwrap()),
        (
            "AWS_SECRET_ACCESS_KEY",
            &fake("aws-secret", "temporary").unwrap(),
        ),
        ("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2VjEFAKEsessiontoken"),
    ]);
    let root = proc_root_of(&[long_lived.pid(), temporary.pid()]);
    let dir = tempfile::tempdir().unwrap();
    let output = run(secrets(
        dir.path(),
        &[],
        &[
            "sweep",
            "--format",
            "json",
            "--proc-root",
            root.path().to_str().unwrap(),
        ],
    ));
    assert_eq!(code(&output), 1);
    let report = json(&output);
    let rule_of = |variable: &str| -> Vec<String> {
        findings_for(&report, variable)
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        rule_of("AWS_ACCESS_KEY_ID"),
        ["aws-access-key-id"],
        "{report:#}"
    );
    assert_eq!(
        rule_of("AWS_SECRET_ACCESS_KEY"),
        ["env-aws-secret-access-key"]
    );
    assert_eq!(rule_of("SSH_PRIVATE_KEY"), ["private-key"]);
    assert_eq!(rule_of("USER_TOKEN"), ["github-app-token"]);
    assert!(rule_of("GITHUB_TOKEN").is_empty());
    assert_eq!(report["findings"].as_array().unwrap().len(), 4);
    for finding in report["findings"].as_array().unwrap() {
        assert_eq!(
            pids_of(finding),
            [u64::from(long_lived.pid())],
            "{finding:#}"
        );
    }
    let key = findings_for(&report, "SSH_PRIVATE_KEY")[0];
    assert_eq!(key["fingerprint"], fingerprint(ssh_key.as_bytes()));
    let allowed: Vec<&str> = report["summary"]["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["variable"].as_str().unwrap())
        .collect();
    assert_eq!(
        allowed,
        [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "GITHUB_TOKEN"
        ]
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    for secret in [&akid, &aws_secret, &ghs, &ghu] {
        assert!(!stdout.contains(secret.as_str()));
    }
    assert!(!stdout.contains("OPENSSH PRIVATE KEY-----\n"));
}

#[test]
fn the_configuration_allows_names_and_a_locked_list_cannot_be_extended() {
    let pat = classic_pat(105);
    let child = Sleeper::spawn(&[("DEPLOY_TOKEN", &pat), ("NPM_TOKEN", &pat)]);
    let root = proc_root_of(&[child.pid()]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".ci-intel")).unwrap();
    std::fs::write(
        dir.path().join(".ci-intel/config.yml"),
        "version: 1\nsecrets:\n  sweep:\n    allowed_names: [DEPLOY_TOKEN]\n",
    )
    .unwrap();
    let root_arg = root.path().to_str().unwrap();
    let output = run(secrets(
        dir.path(),
        &[],
        &["sweep", "--format", "json", "--proc-root", root_arg],
    ));
    assert_eq!(code(&output), 1);
    let report = json(&output);
    assert!(findings_for(&report, "DEPLOY_TOKEN").is_empty());
    assert_eq!(findings_for(&report, "NPM_TOKEN").len(), 1);
    let output = run(secrets(
        dir.path(),
        &[],
        &[
            "sweep",
            "--proc-root",
            root_arg,
            "--allow-name",
            "NPM_TOKEN",
        ],
    ));
    assert_eq!(code(&output), 0);

    // An org that locks the list: the repository cannot add a name by flag.
    let org = dir.path().join("org.yml");
    std::fs::write(
        &org,
        "version: 1\nsecrets:\n  sweep:\n    allowed_names: [DEPLOY_TOKEN]\nlock: [secrets.sweep.allowed_names]\n",
    )
    .unwrap();
    let output = run(secrets(
        dir.path(),
        &[],
        &[
            "sweep",
            "--proc-root",
            root_arg,
            "--org-policy",
            org.to_str().unwrap(),
            "--allow-name",
            "NPM_TOKEN",
        ],
    ));
    assert_eq!(code(&output), 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("locked"));

    // Disabled rules do not deny (the name rule still sees a credential
    // name), and a misspelt one is a usage error naming it.
    std::fs::write(
        dir.path().join(".ci-intel/config.yml"),
        "version: 1\nsecrets:\n  disabled_rules: [github-pat-classic]\n",
    )
    .unwrap();
    let output = run(secrets(
        dir.path(),
        &[],
        &["sweep", "--format", "json", "--proc-root", root_arg],
    ));
    let report = json(&output);
    assert_eq!(
        findings_for(&report, "NPM_TOKEN")[0]["rule"],
        "env-credential-name"
    );
    std::fs::write(
        dir.path().join(".ci-intel/config.yml"),
        "version: 1\nsecrets:\n  disabled_rules: [github-pat-clasic]\n",
    )
    .unwrap();
    let output = run(secrets(
        dir.path(),
        &[],
        &["sweep", "--proc-root", root_arg],
    ));
    assert_eq!(code(&output), 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("github-pat-clasic"));
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
fn sarif_is_valid_and_actions_get_outputs_and_a_summary() {
    let pat = classic_pat(106);
    let dir = tempfile::tempdir().unwrap();
    let output = run(secrets(
        dir.path(),
        &[("DEPLOY_TOKEN", &pat), ("HOME", "/h")],
        &["sweep", "--self-only", "--format", "sarif"],
    ));
    assert_eq!(code(&output), 1);
    let sarif = json(&output);
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "github-pat-classic");
    assert!(
        result["message"]["text"]
            .as_str()
            .unwrap()
            .contains(&fingerprint(pat.as_bytes()))
    );

    let runner = tempfile::tempdir().unwrap();
    let summary = runner.path().join("summary.md");
    let outputs = runner.path().join("output");
    let output = run(secrets(
        dir.path(),
        &[
            ("DEPLOY_TOKEN", &pat),
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
            ("GITHUB_OUTPUT", outputs.to_str().unwrap()),
        ],
        &["sweep", "--self-only", "-q"],
    ));
    assert_eq!(code(&output), 1);
    // -q: the report on stdout, no summary line on stderr.
    assert!(!output.stdout.is_empty());
    assert!(!String::from_utf8_lossy(&output.stderr).contains("sweep:"));
    let values =
        ci_intel_core::runner::parse_key_value_file(&std::fs::read_to_string(&outputs).unwrap())
            .unwrap();
    assert_eq!(values["result"], "deny");
    assert_eq!(values["findings"], "1");
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.contains("`DEPLOY_TOKEN`") && summary.contains(&fingerprint(pat.as_bytes())),
        "{summary}"
    );
}
