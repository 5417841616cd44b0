#![allow(clippy::unwrap_used)]
//! The composite actions under the action harness: install from a fake
//! release on loopback (checksum, cache, token scoping), build from source,
//! both manifest parsers, and the lints every `actions/*/action.yml` obeys.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use ci_intel_workspace_tests::action::{
    Action, ActionRun, Job, parse_file_commands, substitute_with,
};
use ci_intel_workspace_tests::hub::{
    Asset, Hub, files_under, released_manifest, repo_root, telemetry_binary, telemetry_bytes,
    unreleased_manifest,
};
use ci_intel_workspace_tests::server::FakeServer;
use ci_intel_workspace_tests::sha256_hex;
use serde_json::{Value, json};
use tempfile::TempDir;

const VERSION: &str = "1.4.0";
const LINUX_X64: &str = "x86_64-unknown-linux-musl";
const ASSET: &str = "ci-intel-telemetry-x86_64-unknown-linux-musl";
const RELEASE_PATH: &str = "/OWNER/ci-intel/releases/download/v1.4.0";

/// A hub checkout, a job and a loopback release server.
struct Fixture {
    tmp: TempDir,
    hub: Hub,
    server: FakeServer,
    job: Job,
    binary: Arc<Vec<u8>>,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let hub = Hub::create(&tmp.path().join("hub")).unwrap();
        let server = FakeServer::start().unwrap();
        let mut job = Job::new(&tmp.path().join("job")).unwrap();
        job.set_env("GITHUB_SERVER_URL", server.url());
        let binary = telemetry_bytes().unwrap();
        Fixture {
            tmp,
            hub,
            server,
            job,
            binary,
        }
    }

    /// `download_base` of the fake release.
    fn base(&self) -> String {
        format!("{}{RELEASE_PATH}", self.server.url())
    }

    fn asset_path() -> String {
        format!("{RELEASE_PATH}/{ASSET}")
    }

    /// A manifest listing the real binary for Linux X64.
    fn manifest(&self) -> Value {
        released_manifest(
            VERSION,
            &self.base(),
            &[Asset {
                tool: "telemetry",
                target: LINUX_X64,
                file: ASSET,
                bytes: &self.binary,
            }],
        )
    }

    /// Publish the real binary as release 1.4.0 and serve exactly those bytes.
    fn release(&self) {
        self.hub.write_manifest(&self.manifest()).unwrap();
        self.server
            .serve(&Self::asset_path(), Arc::clone(&self.binary));
    }

    fn telemetry(&self) -> Action {
        self.hub.action("telemetry").unwrap()
    }

    /// Write `text` into the workspace as `name`; returns `name`.
    fn workspace_file<'a>(&self, name: &'a str, text: &str) -> &'a str {
        fs::write(self.job.workspace.join(name), text).unwrap();
        name
    }

    /// The example pipeline_run record, compacted to one NDJSON line.
    fn good_records(&self) -> &'static str {
        let example: Value = serde_json::from_str(
            &fs::read_to_string(
                repo_root().join("schemas/examples/pipeline_run.v1.2.example.json"),
            )
            .unwrap(),
        )
        .unwrap();
        self.workspace_file("records.ndjson", &format!("{example}\n"))
    }

    fn cached_asset(&self) -> PathBuf {
        self.job
            .tool_cache
            .join("ci-intel/telemetry")
            .join(VERSION)
            .join(LINUX_X64)
            .join(ASSET)
    }

    /// A fake `cargo` first on PATH: it records its working directory and
    /// arguments, then puts the real binary where `cargo build --release`
    /// would. Returns the log file it writes.
    fn fake_cargo(&mut self) -> PathBuf {
        let dir = self.tmp.path().join("fake-bin");
        fs::create_dir_all(&dir).unwrap();
        let log = self.tmp.path().join("cargo.log");
        let real = telemetry_binary().unwrap();
        let script = format!(
            "#!/usr/bin/env bash\nset -euo pipefail\n{{ printf 'cwd=%s\\n' \"$PWD\"; printf 'arg=%s\\n' \"$@\"; }} > '{}'\nout=\"${{CARGO_TARGET_DIR:-target}}/release\"\nmkdir -p \"$out\"\ncp '{}' \"$out/ci-intel-telemetry\"\n",
            log.display(),
            real.display()
        );
        let cargo = dir.join("cargo");
        fs::write(&cargo, script).unwrap();
        fs::set_permissions(&cargo, fs::Permissions::from_mode(0o755)).unwrap();
        let path = std::env::var("PATH").unwrap_or_default();
        self.job.base_path = Some(format!("{}:{path}", dir.display()));
        log
    }

    fn run(&mut self, inputs: &[(&str, &str)]) -> ActionRun {
        let action = self.telemetry();
        self.job.run(&action, inputs).unwrap()
    }
}

fn assert_success(run: &ActionRun, action_steps: usize) {
    assert!(
        run.failed().is_none() && run.steps.len() == action_steps,
        "the action failed: {}\n{}",
        run.failure_report(),
        run.log()
    );
}

/// The install step failed with `code`, the run step never ran, and the
/// failure is returned for message checks.
fn assert_install_failed(run: &ActionRun, code: i32) -> String {
    let failed = run
        .failed()
        .unwrap_or_else(|| panic!("expected the install step to fail\n{}", run.log()));
    assert_eq!(failed.id.as_deref(), Some("install"), "{}", run.log());
    assert_eq!(failed.exit_code, code, "{}", run.log());
    assert_eq!(run.steps.len(), 1, "no step may run after a failed install");
    format!("{}{}", failed.stdout, failed.stderr)
}

fn canonical(path: &Path) -> String {
    fs::canonicalize(path).unwrap().display().to_string()
}

fn on_path(program: &str) -> bool {
    std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .any(|dir| !dir.is_empty() && Path::new(dir).join(program).is_file())
}

// ------------------------------------------------------------------ release

#[test]
fn release_is_downloaded_once_with_the_token_verified_and_then_cached() {
    let mut fx = Fixture::new();
    fx.release();
    let files = fx.good_records();

    let run = fx.run(&[("files", files)]);
    assert_success(&run, 2);
    assert_eq!(run.output("result"), "allow");
    assert_eq!(run.output("records"), "1");
    assert_eq!(run.output("invalid"), "0");
    assert_eq!(run.output("version"), VERSION);

    let install = run.step("install").unwrap();
    assert_eq!(install.output("source"), "release");
    assert_eq!(install.output("version"), VERSION);
    let cached = fx.cached_asset();
    assert_eq!(install.output("path"), canonical(&cached));
    assert_eq!(
        install.path_added,
        vec![canonical(cached.parent().unwrap())],
        "the binary's directory goes to GITHUB_PATH"
    );
    // The run step got the installed path through env, not through `run:`.
    let run_step = run.step("run").unwrap();
    assert!(
        run_step
            .env
            .iter()
            .any(|(k, v)| k == "CI_INTEL_BIN" && *v == canonical(&cached))
    );

    let requests = fx.server.requests();
    assert_eq!(requests.len(), 1, "exactly one download: {requests:?}");
    assert_eq!(requests[0].path, Fixture::asset_path());
    assert_eq!(
        requests[0].header("Authorization"),
        Some(format!("Bearer {}", fx.job.token).as_str()),
        "the download host is the GITHUB_SERVER_URL host, so the token is sent"
    );
    let log = run.log();
    assert!(log.contains("Authorization: token sent"), "{log}");
    assert!(
        !log.contains(&fx.job.token),
        "the token must never be printed"
    );

    let bytes = fs::read(&cached).unwrap();
    assert_eq!(sha256_hex(&bytes), sha256_hex(&fx.binary));
    assert_ne!(
        fs::metadata(&cached).unwrap().permissions().mode() & 0o111,
        0,
        "the cached binary is executable"
    );
    assert!(
        files_under(&fx.job.tool_cache)
            .unwrap()
            .iter()
            .all(|f| *f == cached),
        "no partial downloads left in the tool cache"
    );

    // Second run in a later job on the same runner: the cache answers.
    let again = fx.run(&[("files", files)]);
    assert_success(&again, 2);
    assert_eq!(again.step("install").unwrap().output("source"), "cache");
    assert_eq!(again.output("result"), "allow");
    assert_eq!(
        fx.server.requests().len(),
        1,
        "a cache hit downloads nothing"
    );
    assert!(again.log().contains("tool cache hit"), "{}", again.log());
}

#[test]
fn token_is_not_sent_to_a_mirror() {
    let mut fx = Fixture::new();
    fx.release();
    let mirror_path = format!("/mirror/{ASSET}");
    fx.server.serve(&mirror_path, Arc::clone(&fx.binary));
    let files = fx.good_records();
    // Same machine, different host name: a mirror as far as the token goes.
    let mirror = format!("http://localhost:{}/mirror/", fx.server.port());

    let run = fx.run(&[("files", files), ("download-url", &mirror)]);
    assert_success(&run, 2);
    assert_eq!(run.output("result"), "allow");
    let requests = fx.server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(
        requests[0].path, mirror_path,
        "download-url overrides download_base"
    );
    assert_eq!(
        requests[0].header("Authorization"),
        None,
        "the token must not leave for a mirror"
    );
    assert!(
        run.log().contains("Authorization: not sent"),
        "{}",
        run.log()
    );
}

#[test]
fn token_is_scoped_to_the_server_origin() {
    // GITHUB_SERVER_URL on another port of the same host: another origin.
    let mut fx = Fixture::new();
    fx.release();
    let other = FakeServer::start().unwrap();
    fx.job.set_env("GITHUB_SERVER_URL", other.url());
    let files = fx.good_records();
    let run = fx.run(&[("files", files)]);
    assert_success(&run, 2);
    assert_eq!(fx.server.requests()[0].header("Authorization"), None);

    // github.com (the default) while the release lives elsewhere: not sent.
    let mut fx = Fixture::new();
    fx.release();
    fx.job.set_env("GITHUB_SERVER_URL", "https://github.com");
    let files = fx.good_records();
    let run = fx.run(&[("files", files)]);
    assert_success(&run, 2);
    assert_eq!(fx.server.requests()[0].header("Authorization"), None);

    // An empty token is never sent, even to the server's own host.
    let mut fx = Fixture::new();
    fx.release();
    let files = fx.good_records();
    let run = fx.run(&[("files", files), ("token", "")]);
    assert_success(&run, 2);
    assert_eq!(fx.server.requests()[0].header("Authorization"), None);
    assert!(run.log().contains("input token is empty"), "{}", run.log());
}

#[test]
fn tampered_asset_is_refused_deleted_and_not_retried() {
    let mut fx = Fixture::new();
    fx.hub.write_manifest(&fx.manifest()).unwrap();
    let mut tampered = (*fx.binary).clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0xff;
    let actual = sha256_hex(&tampered);
    fx.server.serve(&Fixture::asset_path(), tampered);
    let files = fx.good_records();

    let run = fx.run(&[("files", files)]);
    let out = assert_install_failed(&run, 1);
    assert!(out.contains("::error"), "{out}");
    assert!(out.contains("checksum mismatch"), "{out}");
    assert!(
        out.contains(&format!("expected sha256 {}", sha256_hex(&fx.binary))),
        "{out}"
    );
    assert!(out.contains(&format!("actual sha256 {actual}")), "{out}");
    assert!(out.contains("not retried"), "{out}");
    assert_eq!(
        files_under(&fx.job.tool_cache).unwrap(),
        Vec::<PathBuf>::new(),
        "nothing may be left in the tool cache"
    );
    assert_eq!(fx.server.requests().len(), 1, "no retry after a mismatch");
    assert!(run.outputs["version"].is_empty());
}

#[test]
fn truncated_or_oversized_asset_is_refused() {
    type Tamper = fn(&[u8]) -> Vec<u8>;
    let cases: [(&str, Tamper, &str); 2] = [
        (
            "truncated",
            |b| b[..b.len() - 1].to_vec(),
            "checksum mismatch",
        ),
        // curl's --max-filesize refuses a Content-Length over the manifest's
        // size before the body is written.
        ("oversized", |b| [b, b"+"].concat(), "is larger than"),
    ];
    for (label, bytes, fragment) in cases {
        let mut fx = Fixture::new();
        fx.hub.write_manifest(&fx.manifest()).unwrap();
        fx.server.serve(&Fixture::asset_path(), bytes(&fx.binary));
        let files = fx.good_records();
        let run = fx.run(&[("files", files)]);
        let out = assert_install_failed(&run, 1);
        assert!(out.contains(fragment), "{label}: {out}");
        assert!(
            out.contains(&format!("{} bytes", fx.binary.len())),
            "{label}: names the expected size: {out}"
        );
        assert_eq!(
            files_under(&fx.job.tool_cache).unwrap(),
            Vec::<PathBuf>::new()
        );
        assert_eq!(fx.server.requests().len(), 1, "{label}: not retried");
    }
}

#[test]
fn poisoned_cache_is_never_executed_and_is_replaced_by_a_verified_download() {
    let mut fx = Fixture::new();
    fx.release();
    let marker = fx.tmp.path().join("poisoned-binary-ran");
    let cached = fx.cached_asset();
    fs::create_dir_all(cached.parent().unwrap()).unwrap();
    let poison = format!(
        "#!/bin/sh\ntouch '{}'\necho 'records<<EOF' >> \"$GITHUB_OUTPUT\"\n",
        marker.display()
    );
    fs::write(&cached, &poison).unwrap();
    fs::set_permissions(&cached, fs::Permissions::from_mode(0o755)).unwrap();
    let files = fx.good_records();

    let run = fx.run(&[("files", files)]);
    assert_success(&run, 2);
    assert!(!marker.exists(), "the poisoned cache entry was executed");
    let install = run.step("install").unwrap();
    assert_eq!(
        install.output("source"),
        "release",
        "re-downloaded, not cache"
    );
    assert!(install.stderr.contains("::warning"), "{}", install.stderr);
    assert!(
        install.stderr.contains("does not match") && install.stderr.contains("without running it"),
        "{}",
        install.stderr
    );
    assert!(
        install
            .stderr
            .contains(&format!("actual sha256 {}", sha256_hex(poison.as_bytes()))),
        "{}",
        install.stderr
    );
    assert_eq!(fx.server.requests().len(), 1);
    assert_eq!(
        sha256_hex(&fs::read(&cached).unwrap()),
        sha256_hex(&fx.binary),
        "the cache now holds the verified release"
    );
    assert_eq!(run.output("result"), "allow");
}

#[test]
fn poisoned_cache_with_a_failing_download_fails_closed() {
    let mut fx = Fixture::new();
    fx.hub.write_manifest(&fx.manifest()).unwrap();
    fx.server.serve_status(&Fixture::asset_path(), 404);
    let marker = fx.tmp.path().join("poisoned-binary-ran");
    let cached = fx.cached_asset();
    fs::create_dir_all(cached.parent().unwrap()).unwrap();
    fs::write(
        &cached,
        format!("#!/bin/sh\ntouch '{}'\n", marker.display()),
    )
    .unwrap();
    fs::set_permissions(&cached, fs::Permissions::from_mode(0o755)).unwrap();
    let files = fx.good_records();

    let run = fx.run(&[("files", files)]);
    let out = assert_install_failed(&run, 3);
    assert!(out.contains("HTTP error"), "{out}");
    assert!(!marker.exists());
    assert!(!cached.exists(), "the mismatching cache entry was deleted");
    assert_eq!(fx.server.requests().len(), 1, "a 404 is not retried");
}

#[test]
fn transient_server_errors_are_retried_a_bounded_number_of_times() {
    let mut fx = Fixture::new();
    fx.hub.write_manifest(&fx.manifest()).unwrap();
    fx.server.serve_status(&Fixture::asset_path(), 503);
    let files = fx.good_records();
    let run = fx.run(&[("files", files)]);
    let out = assert_install_failed(&run, 3);
    assert!(out.contains("HTTP error"), "{out}");
    assert_eq!(
        fx.server.requests().len(),
        4,
        "one attempt and three retries for a transient 503"
    );
    assert_eq!(
        files_under(&fx.job.tool_cache).unwrap(),
        Vec::<PathBuf>::new()
    );
}

#[test]
fn plain_http_and_credentials_in_urls_are_refused() {
    for (url, fragment) in [
        ("http://example.com/releases", "refusing plain-http"),
        ("http://127.0.0.2:1/releases", "refusing plain-http"),
        (
            "https://user:secret@example.com/releases",
            "without credentials",
        ),
        ("ftp://example.com/releases", "not a valid https:// URL"),
    ] {
        let mut fx = Fixture::new();
        fx.release();
        let files = fx.good_records();
        let run = fx.run(&[("files", files), ("download-url", url)]);
        let out = assert_install_failed(&run, 2);
        assert!(out.contains(fragment), "{url}: {out}");
        assert!(!out.contains("secret"), "{url}: credentials echoed: {out}");
        assert!(fx.server.requests().is_empty());
    }
}

// ------------------------------------------------------------------ verdicts

#[test]
fn a_denial_propagates_as_exit_1_with_result_deny() {
    let mut fx = Fixture::new();
    fx.release();
    let files = fx.workspace_file("bad.ndjson", "{\"schema\":\"pipeline_run.v1.2\"}\n");
    let run = fx.run(&[("files", files)]);
    let failed = run.failed().expect("a denial must fail the step");
    assert_eq!(failed.id.as_deref(), Some("run"));
    assert_eq!(failed.exit_code, 1, "{}", run.failure_report());
    assert_eq!(failed.output("result"), "deny");
    assert_eq!(failed.output("invalid"), "1");
    assert_eq!(run.output("result"), "deny");
    assert!(
        failed.stdout.contains("::error file=bad.ndjson"),
        "{}",
        failed.stdout
    );
}

#[test]
fn start_emit_and_validate_work_through_the_action() {
    let mut fx = Fixture::new();
    fx.release();
    let start = fx.run(&[("command", "start")]);
    assert_success(&start, 2);
    assert!(
        fx.job.exported.contains_key("CI_INTEL_STARTED_AT"),
        "start exports CI_INTEL_STARTED_AT: {:?}",
        fx.job.exported
    );

    let emit = fx.run(&[
        ("command", "emit"),
        ("output", "run.ndjson"),
        ("status", "success"),
        ("environment", "staging"),
        ("job-name", "build"),
    ]);
    assert_success(&emit, 2);
    assert_eq!(emit.output("record-file"), "run.ndjson");
    assert!(!emit.output("run-id").is_empty());
    let text = fs::read_to_string(fx.job.workspace.join("run.ndjson")).unwrap();
    let record: Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(record["run_id"], emit.output("run-id"));
    assert_eq!(record["environment"], "staging");
    assert_eq!(
        record["started_at"].as_str(),
        fx.job
            .exported
            .get("CI_INTEL_STARTED_AT")
            .map(String::as_str)
    );

    let validate = fx.run(&[("files", "run.ndjson")]);
    assert_success(&validate, 2);
    assert_eq!(validate.output("result"), "allow");
    assert_eq!(
        fx.server.requests().len(),
        1,
        "one download for the whole job"
    );
}

// ------------------------------------------------------------------ source

#[test]
fn unreleased_commit_with_build_from_source_never_fails_closed() {
    let mut fx = Fixture::new();
    let cargo_log = fx.fake_cargo();
    let files = fx.good_records();
    let run = fx.run(&[("files", files), ("build-from-source", "never")]);
    let out = assert_install_failed(&run, 1);
    assert!(out.contains("this commit is unreleased"), "{out}");
    assert!(out.contains("build-from-source is 'never'"), "{out}");
    assert!(out.contains("Pin the action to a released commit"), "{out}");
    assert!(!cargo_log.exists(), "cargo must not run under `never`");
    assert!(fx.server.requests().is_empty());
    assert_eq!(
        files_under(&fx.job.tool_cache).unwrap(),
        Vec::<PathBuf>::new()
    );
}

#[test]
fn unreleased_commit_builds_from_source_with_locked_release() {
    let mut fx = Fixture::new();
    let cargo_log = fx.fake_cargo();
    let files = fx.good_records();
    let run = fx.run(&[("files", files)]); // build-from-source defaults to auto
    assert_success(&run, 2);
    let log = fs::read_to_string(&cargo_log).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(
        lines,
        vec![
            format!("cwd={}", canonical(&fx.hub.root)).as_str(),
            "arg=build",
            "arg=--locked",
            "arg=--release",
            "arg=-p",
            "arg=ci-intel-telemetry",
        ]
    );
    let install = run.step("install").unwrap();
    assert_eq!(install.output("source"), "build");
    assert_eq!(install.output("version"), "source");
    assert_eq!(
        install.output("path"),
        canonical(&fx.hub.root.join("target/release/ci-intel-telemetry"))
    );
    assert_eq!(run.output("version"), "source");
    assert_eq!(run.output("result"), "allow");
    assert!(fx.server.requests().is_empty(), "nothing to download");
}

#[test]
fn build_from_source_respects_cargo_target_dir_and_always() {
    let mut fx = Fixture::new();
    fx.release();
    let cargo_log = fx.fake_cargo();
    let target_dir = fx.tmp.path().join("custom-target");
    fx.job
        .set_env("CARGO_TARGET_DIR", target_dir.display().to_string());
    let files = fx.good_records();
    let run = fx.run(&[("files", files), ("build-from-source", "always")]);
    assert_success(&run, 2);
    assert!(cargo_log.exists(), "`always` builds even on a release");
    let install = run.step("install").unwrap();
    assert_eq!(install.output("source"), "build");
    assert_eq!(
        install.output("path"),
        canonical(&target_dir.join("release/ci-intel-telemetry"))
    );
    assert!(
        fx.server.requests().is_empty(),
        "`always` downloads nothing"
    );
    assert!(install.stdout.contains("build-from-source is 'always'"));
}

#[test]
fn build_from_source_without_cargo_fails_with_a_message() {
    let mut fx = Fixture::new();
    let path: Vec<String> = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .filter(|dir| !dir.is_empty() && !Path::new(dir).join("cargo").exists())
        .map(str::to_owned)
        .collect();
    if !path.iter().any(|dir| Path::new(dir).join("bash").exists()) {
        eprintln!("skipping: cargo shares a PATH directory with bash here");
        return;
    }
    fx.job.base_path = Some(path.join(":"));
    let files = fx.good_records();
    let run = fx.run(&[("files", files), ("build-from-source", "auto")]);
    let out = assert_install_failed(&run, 3);
    assert!(out.contains("cargo is not on PATH"), "{out}");
    assert!(out.contains("this commit is unreleased"), "{out}");
}

#[test]
fn invalid_build_from_source_value_is_a_usage_error() {
    let mut fx = Fixture::new();
    fx.release();
    let files = fx.good_records();
    let run = fx.run(&[("files", files), ("build-from-source", "sometimes")]);
    let out = assert_install_failed(&run, 2);
    assert!(
        out.contains("input build-from-source is 'sometimes': expected auto, never or always"),
        "{out}"
    );
}

// ------------------------------------------------------------------ parsers

fn parser_reads_a_release(tool: &str) {
    let mut fx = Fixture::new();
    fx.release();
    fx.job.set_env("CI_INTEL_JSON_TOOL", tool);
    let files = fx.good_records();
    let run = fx.run(&[("files", files)]);
    assert_success(&run, 2);
    assert!(
        run.step("install")
            .unwrap()
            .stdout
            .contains(&format!("with {tool}")),
        "{}",
        run.log()
    );
    assert_eq!(run.output("result"), "allow");
    assert_eq!(fx.server.requests().len(), 1);

    // The unreleased manifest reads the same with this parser.
    let mut fx = Fixture::new();
    fx.job.set_env("CI_INTEL_JSON_TOOL", tool);
    let run = fx.run(&[("files", files), ("build-from-source", "never")]);
    let out = assert_install_failed(&run, 1);
    assert!(out.contains("this commit is unreleased"), "{tool}: {out}");
}

#[test]
fn jq_parser_reads_a_release() {
    if !on_path("jq") {
        eprintln!("skipping the jq parser test: jq is not on PATH (.ci/run installs it)");
        return;
    }
    parser_reads_a_release("jq");
}

#[test]
fn python3_parser_reads_a_release() {
    assert!(on_path("python3"), "python3 must be on PATH for this test");
    parser_reads_a_release("python3");
}

#[test]
fn both_parsers_reject_the_same_malformed_manifests() {
    let binary = telemetry_bytes().unwrap();
    let good = released_manifest(
        VERSION,
        "https://example.invalid/dl",
        &[Asset {
            tool: "telemetry",
            target: LINUX_X64,
            file: ASSET,
            bytes: &binary,
        }],
    );
    let with = |pointer: &str, value: Value| {
        let mut doc = good.clone();
        *doc.pointer_mut(pointer).unwrap() = value;
        serde_json::to_string(&doc).unwrap()
    };
    let entry = format!("/assets/telemetry/{LINUX_X64}");
    let cases: Vec<(String, String)> = vec![
        ("not json {".to_owned(), "is not a valid".to_owned()),
        ("[]".to_owned(), "must be a JSON object".to_owned()),
        (
            with("/schema", json!("ci-intel-dist-manifest/v2")),
            "expected 'ci-intel-dist-manifest/v1'".to_owned(),
        ),
        (
            with(&format!("{entry}/sha256"), json!("abc")),
            "must be 64 hexadecimal digits".to_owned(),
        ),
        (
            with(&format!("{entry}/size"), json!("123")),
            "size must be a non-negative integer".to_owned(),
        ),
        (
            with(&format!("{entry}/size"), json!(-1)),
            "size must be a non-negative integer".to_owned(),
        ),
        (
            with(&format!("{entry}/file"), json!("../../bin/sh")),
            "must be a plain file name".to_owned(),
        ),
        (
            with(&format!("{entry}/file"), json!(7)),
            "file must be a string or null".to_owned(),
        ),
        (with("/version", Value::Null), "version is null".to_owned()),
        (
            with("/version", json!("1.4.0\nsha256=00")),
            "version contains a line break".to_owned(),
        ),
        (
            with("/assets", json!([])),
            "assets must be an object".to_owned(),
        ),
        (
            with(&entry, json!("ci-intel-telemetry")),
            "must be an object".to_owned(),
        ),
    ];
    for tool in ["jq", "python3"] {
        if !on_path(tool) {
            eprintln!("skipping the {tool} variant: {tool} is not on PATH");
            continue;
        }
        for (text, fragment) in &cases {
            let mut fx = Fixture::new();
            fx.hub.write_manifest_text(text).unwrap();
            fx.job.set_env("CI_INTEL_JSON_TOOL", tool);
            let run = fx.run(&[("files", "x.ndjson")]);
            let out = assert_install_failed(&run, 2);
            assert!(
                out.contains(fragment.as_str()),
                "{tool} on {text}: expected {fragment:?} in\n{out}"
            );
        }
    }

    let mut fx = Fixture::new();
    fx.job.set_env("CI_INTEL_JSON_TOOL", "perl");
    let run = fx.run(&[("files", "x.ndjson")]);
    let out = assert_install_failed(&run, 2);
    assert!(
        out.contains("CI_INTEL_JSON_TOOL is 'perl': expected jq or python3"),
        "{out}"
    );
}

// ------------------------------------------------------------------ platforms

#[test]
fn runner_os_and_arch_select_the_target_triple() {
    let binary = telemetry_bytes().unwrap();
    let targets = [
        ("Linux", "X64", "x86_64-unknown-linux-musl", ""),
        ("Linux", "ARM64", "aarch64-unknown-linux-musl", ""),
        ("macOS", "X64", "x86_64-apple-darwin", ""),
        ("macOS", "ARM64", "aarch64-apple-darwin", ""),
        ("Windows", "X64", "x86_64-pc-windows-msvc", ".exe"),
    ];
    let files: Vec<String> = targets
        .iter()
        .map(|(_, _, target, exe)| format!("ci-intel-telemetry-{target}{exe}"))
        .collect();
    for ((os, arch, target, _), file) in targets.iter().zip(&files) {
        let mut fx = Fixture::new();
        let assets: Vec<Asset<'_>> = targets
            .iter()
            .zip(&files)
            .map(|((_, _, target, _), file)| Asset {
                tool: "telemetry",
                target,
                file,
                bytes: &binary,
            })
            .collect();
        fx.hub
            .write_manifest(&released_manifest(VERSION, &fx.base(), &assets))
            .unwrap();
        for file in &files {
            fx.server
                .serve(&format!("{RELEASE_PATH}/{file}"), Arc::clone(&binary));
        }
        fx.job.runner_os = (*os).to_owned();
        fx.job.runner_arch = (*arch).to_owned();
        let records = fx.good_records();
        let run = fx.run(&[("files", records)]);
        assert_success(&run, 2);
        let requests = fx.server.requests();
        assert_eq!(requests.len(), 1, "{os}/{arch}");
        assert_eq!(
            requests[0].path,
            format!("{RELEASE_PATH}/{file}"),
            "{os}/{arch} must fetch the {target} asset"
        );
        let path = run.step("install").unwrap().output("path").to_owned();
        assert!(
            path.ends_with(&format!("/{VERSION}/{target}/{file}")),
            "{os}/{arch}: {path}"
        );
    }

    for (os, arch) in [("Windows", "ARM64"), ("Linux", "ARM"), ("FreeBSD", "X64")] {
        let mut fx = Fixture::new();
        fx.release();
        fx.job.runner_os = os.to_owned();
        fx.job.runner_arch = arch.to_owned();
        let run = fx.run(&[("files", "x.ndjson")]);
        let out = assert_install_failed(&run, 2);
        assert!(
            out.contains(&format!(
                "no ci-intel build for RUNNER_OS={os} RUNNER_ARCH={arch}"
            )),
            "{out}"
        );
        assert!(fx.server.requests().is_empty());
    }
}

// ------------------------------------------------------------------ ci-intel action

#[test]
fn ci_intel_action_runs_check_with_the_org_policy_only_when_given() {
    check_action_runs_check(|hub| hub.action("ci-intel").unwrap());
}

#[test]
fn root_action_runs_check_with_the_org_policy_only_when_given() {
    check_action_runs_check(|hub| hub.root_action().unwrap());
}

#[test]
fn root_action_and_actions_ci_intel_run_the_same_check() {
    let root = Action::load(&repo_root().join("action.yml")).unwrap();
    let nested = Action::load(&repo_root().join("actions/ci-intel/action.yml")).unwrap();
    let body = |action: &Action, id: &str| {
        action
            .steps
            .iter()
            .find(|s| s.id.as_deref() == Some(id))
            .and_then(|s| s.run.clone())
            .unwrap_or_else(|| panic!("no run step `{id}`"))
    };
    assert_eq!(
        body(&root, "check"),
        body(&nested, "check"),
        "the two check steps drifted apart"
    );
    let names = |action: &Action| -> Vec<String> { action.inputs.keys().cloned().collect() };
    assert_eq!(
        names(&root),
        names(&nested),
        "the two actions take different inputs"
    );
}

fn check_action_runs_check(load: impl Fn(&Hub) -> Action) {
    let mut fx = Fixture::new();
    let file = "ci-intel-x86_64-unknown-linux-musl";
    // Stands in for the umbrella binary: records where and how it ran and
    // answers like `ci-intel check` does on $GITHUB_OUTPUT.
    let fake = br#"#!/usr/bin/env bash
{ printf 'cwd=%s\n' "$PWD"; printf 'arg=%s\n' "$@"; printf 'org_policy_env=%s\n' "${CI_INTEL_ORG_POLICY-unset}"; } >> "$FAKE_CI_INTEL_LOG"
result=pass
if [ "${FAKE_CI_INTEL_EXIT:-0}" != 0 ]; then result=deny; fi
printf 'result=%s\ndecisions<<EOF\n[{"id":"policy","result":"%s"}]\nEOF\n' "$result" "$result" >> "$GITHUB_OUTPUT"
exit "${FAKE_CI_INTEL_EXIT:-0}"
"#
    .to_vec();
    fx.hub
        .write_manifest(&released_manifest(
            VERSION,
            &fx.base(),
            &[Asset {
                tool: "ci-intel",
                target: LINUX_X64,
                file,
                bytes: &fake,
            }],
        ))
        .unwrap();
    fx.server.serve(&format!("{RELEASE_PATH}/{file}"), fake);
    let log = fx.tmp.path().join("ci-intel.log");
    fx.job
        .set_env("FAKE_CI_INTEL_LOG", log.display().to_string());
    let action = load(&fx.hub);
    let workspace = canonical(&fx.job.workspace);

    let run = fx.job.run(&action, &[]).unwrap();
    assert_success(&run, 2);
    assert_eq!(run.output("version"), VERSION);
    assert_eq!(run.output("result"), "pass");
    assert_eq!(
        run.output("decisions"),
        r#"[{"id":"policy","result":"pass"}]"#
    );
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        format!("cwd={workspace}\narg=check\narg=--format\narg=github\norg_policy_env=unset\n")
    );

    fs::remove_file(&log).unwrap();
    fs::create_dir_all(fx.job.workspace.join("sub dir")).unwrap();
    let run = fx
        .job
        .run(
            &action,
            &[("directory", "sub dir"), ("org-policy", "policies/org.yml")],
        )
        .unwrap();
    assert_success(&run, 2);
    assert_eq!(run.step("install").unwrap().output("source"), "cache");
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        format!(
            "cwd={workspace}/sub dir\narg=check\narg=--format\narg=github\narg=--org-policy\narg={workspace}/policies/org.yml\norg_policy_env=unset\n"
        )
    );

    fx.job.set_env("FAKE_CI_INTEL_EXIT", "1");
    let run = fx.job.run(&action, &[]).unwrap();
    let failed = run.failed().expect("a denial from check fails the step");
    assert_eq!(failed.id.as_deref(), Some("check"));
    assert_eq!(failed.exit_code, 1);
    assert_eq!(run.output("result"), "deny");
}

// ------------------------------------------------------------------ secrets action

#[test]
fn secrets_action_scans_the_history_since_a_revision_and_refuses_contradictory_inputs() {
    let mut fx = Fixture::new();
    let file = "ci-intel-secrets-x86_64-unknown-linux-musl";
    // Stands in for ci-intel-secrets: records its arguments.
    let fake =
        b"#!/usr/bin/env bash\nprintf 'arg=%s\\n' \"$@\" >> \"$FAKE_SECRETS_LOG\"\n".to_vec();
    fx.hub
        .write_manifest(&released_manifest(
            VERSION,
            &fx.base(),
            &[Asset {
                tool: "secrets",
                target: LINUX_X64,
                file,
                bytes: &fake,
            }],
        ))
        .unwrap();
    fx.server.serve(&format!("{RELEASE_PATH}/{file}"), fake);
    let log = fx.tmp.path().join("secrets.log");
    fx.job
        .set_env("FAKE_SECRETS_LOG", log.display().to_string());
    let action = fx.hub.action("secrets").unwrap();
    let args = |log: &Path| -> Vec<String> {
        let text = fs::read_to_string(log).unwrap_or_default();
        fs::remove_file(log).ok();
        text.lines()
            .map(|l| l.trim_start_matches("arg=").to_owned())
            .collect()
    };

    let run = fx
        .job
        .run(&action, &[("history", "true"), ("since", "v1.2.0")])
        .unwrap();
    assert_success(&run, 2);
    let seen = args(&log);
    let at = |flag: &str| seen.iter().position(|a| a == flag);
    assert!(at("--history").is_some(), "{seen:?}");
    assert_eq!(
        at("--since").map(|i| seen[i + 1].as_str()),
        Some("v1.2.0"),
        "{seen:?}"
    );
    assert!(at("--diff").is_none(), "{seen:?}");

    // The default is the tree: no history flags.
    let run = fx.job.run(&action, &[]).unwrap();
    assert_success(&run, 2);
    let seen = args(&log);
    assert!(
        !seen.iter().any(|a| a == "--history" || a == "--since"),
        "{seen:?}"
    );

    // Contradictions and bad values stop before the tool runs, with exit 2.
    for inputs in [
        vec![("history", "true"), ("diff-base", "origin/main")],
        vec![("since", "v1.2.0")],
        vec![("history", "yes")],
    ] {
        let run = fx.job.run(&action, &inputs).unwrap();
        let failed = run
            .failed()
            .unwrap_or_else(|| panic!("{inputs:?} should fail\n{}", run.log()));
        assert_eq!(failed.id.as_deref(), Some("run"), "{inputs:?}");
        assert_eq!(failed.exit_code, 2, "{inputs:?}");
        assert!(args(&log).is_empty(), "{inputs:?}: the tool ran");
    }
}

// ------------------------------------------------------------------ the harness itself

fn scratch_action(dir: &Path, yaml: &str) -> Action {
    fs::create_dir_all(dir).unwrap();
    let path = dir.join("action.yml");
    fs::write(&path, yaml).unwrap();
    Action::load(&path).unwrap()
}

#[test]
fn harness_refuses_expressions_in_run_bodies_and_unknown_expressions() {
    let tmp = tempfile::tempdir().unwrap();
    let mut job = Job::new(&tmp.path().join("job")).unwrap();
    let cases = [
        (
            "inj",
            "inputs:\n  x:\n    description: x\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: echo \"${{ inputs.x }}\"\n",
            "template-injection",
        ),
        (
            "ctx",
            "runs:\n  using: composite\n  steps:\n    - shell: bash\n      env:\n        T: ${{ github.event.issue.title }}\n      run: echo \"$T\"\n",
            "unsupported expression",
        ),
        (
            "op",
            "inputs:\n  a:\n    description: a\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      env:\n        T: ${{ inputs.a || 'b' }}\n      run: echo \"$T\"\n",
            "unsupported expression",
        ),
        (
            "undeclared",
            "runs:\n  using: composite\n  steps:\n    - shell: bash\n      env:\n        T: ${{ inputs.nope }}\n      run: echo \"$T\"\n",
            "is not declared",
        ),
        (
            "later",
            "runs:\n  using: composite\n  steps:\n    - shell: bash\n      env:\n        T: ${{ steps.b.outputs.x }}\n      run: echo\n    - id: b\n      shell: bash\n      run: echo\n",
            "no step with id `b` runs before",
        ),
        (
            "if",
            "runs:\n  using: composite\n  steps:\n    - shell: bash\n      if: always()\n      run: echo\n",
            "key `if` is not modelled",
        ),
        (
            "sh",
            "runs:\n  using: composite\n  steps:\n    - shell: sh\n      run: echo\n",
            "must use `shell: bash`",
        ),
        (
            "node",
            "runs:\n  using: node20\n  main: index.js\n",
            "only composite actions",
        ),
    ];
    for (name, yaml, fragment) in cases {
        let action = scratch_action(&tmp.path().join(name), yaml);
        let error = job
            .run(&action, &[])
            .expect_err(&format!("{name}: the harness must refuse"));
        assert!(format!("{error:#}").contains(fragment), "{name}: {error:#}");
    }
    // An input the action does not declare is refused too.
    let action = scratch_action(
        &tmp.path().join("plain"),
        "runs:\n  using: composite\n  steps:\n    - shell: bash\n      run: echo\n",
    );
    let error = job.run(&action, &[("typo", "1")]).unwrap_err();
    assert!(format!("{error:#}").contains("input `typo` is not declared"));
}

#[test]
fn harness_models_runner_files_shell_options_and_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let mut job = Job::new(&tmp.path().join("job")).unwrap();
    let yaml = r#"
inputs:
  greeting:
    description: a greeting
    default: hello
  token:
    description: a token
    default: ${{ github.token }}
outputs:
  multi:
    description: multi-line
    value: ${{ steps.a.outputs.multi }}
  seen:
    description: what step b saw
    value: ${{ steps.b.outputs.seen }}
runs:
  using: composite
  steps:
    - id: a
      shell: bash
      env:
        GREETING: ${{ inputs.greeting }}
        TOKEN: ${{ inputs.token }}
        WHERE: ${{ github.action_path }}/x ${{ runner.os }}/${{ runner.arch }}
      run: |
        printf 'multi<<EOF_1\nline one\nline=two\nEOF_1\n' >> "$GITHUB_OUTPUT"
        echo "plain=$GREETING" >> "$GITHUB_OUTPUT"
        echo "token_len=${#TOKEN}" >> "$GITHUB_OUTPUT"
        echo "where=$WHERE" >> "$GITHUB_OUTPUT"
        echo "FROM_A=exported" >> "$GITHUB_ENV"
        mkdir -p "$RUNNER_TEMP/bin"
        printf '#!/bin/sh\necho tool-on-path\n' > "$RUNNER_TEMP/bin/harness-tool"
        chmod +x "$RUNNER_TEMP/bin/harness-tool"
        echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
    - id: b
      shell: bash
      env:
        MULTI: ${{ steps.a.outputs.multi }}
      run: |
        echo "seen=$FROM_A $(harness-tool) ${MULTI//$'\n'/|}" >> "$GITHUB_OUTPUT"
    - id: c
      shell: bash
      run: |
        false | true
        echo "pipefail is off" >&2
    - id: d
      shell: bash
      run: echo never
"#;
    let action = scratch_action(&tmp.path().join("model"), yaml);
    let run = job.run(&action, &[("greeting", "hi")]).unwrap();
    let a = run.step("a").unwrap();
    assert_eq!(a.output("multi"), "line one\nline=two");
    assert_eq!(a.output("plain"), "hi");
    assert_eq!(a.output("token_len"), job.token.len().to_string());
    assert_eq!(
        a.output("where"),
        format!("{}/x Linux/X64", action.dir.display())
    );
    assert_eq!(
        run.output("seen"),
        "exported tool-on-path line one|line=two"
    );
    assert_eq!(run.output("multi"), "line one\nline=two");
    let failed = run.failed().unwrap();
    assert_eq!(failed.id.as_deref(), Some("c"), "pipefail must be on");
    assert_ne!(failed.exit_code, 0);
    assert!(!failed.stderr.contains("pipefail is off"));
    assert!(
        run.step("d").is_none(),
        "the run stops at the first failure"
    );
    assert_eq!(
        job.exported.get("FROM_A").map(String::as_str),
        Some("exported")
    );
}

#[test]
fn harness_parses_file_commands_like_the_runner() {
    let parsed =
        parse_file_commands("a=1\n\nb<<DELIM\nx\ny=z\nDELIM\nc=d<<e\nf<<g=h\ng=h\n").unwrap();
    assert_eq!(parsed["a"], "1");
    assert_eq!(parsed["b"], "x\ny=z");
    assert_eq!(parsed["c"], "d<<e", "`=` before `<<` is a plain value");
    assert_eq!(
        parsed["f"], "",
        "`<<` first: a heredoc with delimiter `g=h`"
    );
    assert!(parse_file_commands("x<<EOF\nnever closed\n").is_err());
    assert!(parse_file_commands("no separator\n").is_err());
    assert!(parse_file_commands("=value\n").is_err());
    assert_eq!(
        substitute_with("a ${{ x }} b ${{y}}", |e| Ok(format!("<{e}>"))).unwrap(),
        "a <x> b <y>"
    );
    assert!(substitute_with("${{ x", |_| Ok(String::new())).is_err());
}

// ------------------------------------------------------------------ lints on the real actions

fn expressions(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    substitute_with(text, |e| {
        found.push(e.to_owned());
        Ok(String::new())
    })
    .unwrap();
    found
}

#[test]
fn every_action_is_composite_bash_documented_and_injection_free() {
    let actions_dir = repo_root().join("actions");
    let mut names = Vec::new();
    // The root action.yml obeys the same rules as every actions/<tool>.
    let mut targets = vec![(
        "(root)".to_owned(),
        repo_root().join("action.yml"),
        "action.yml".to_owned(),
    )];
    for entry in fs::read_dir(&actions_dir).unwrap() {
        let entry = entry.unwrap();
        if !entry.file_type().unwrap().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let at = format!("actions/{name}/action.yml");
        targets.push((name, entry.path().join("action.yml"), at));
    }
    for (name, path, at) in targets {
        assert!(path.is_file(), "{at} is missing");
        let action = Action::load(&path).unwrap();

        assert_eq!(action.using, "composite", "{at}");
        assert!(
            action
                .description
                .as_deref()
                .is_some_and(|d| !d.trim().is_empty()),
            "{at}: no description"
        );
        assert!(!action.steps.is_empty(), "{at}: no steps");
        let ids: Vec<&str> = action
            .steps
            .iter()
            .filter_map(|s| s.id.as_deref())
            .collect();
        let mut used_inputs = Vec::new();
        for (index, step) in action.steps.iter().enumerate() {
            let label = format!("{at}: {}", step.label(index));
            // A step running an upstream action (pinned, see check_static)
            // has `with:` where a run step has `env:`.
            let values = if step.uses.is_some() {
                &step.with
            } else {
                assert_eq!(step.shell.as_deref(), Some("bash"), "{label}: shell");
                let run = step
                    .run
                    .as_deref()
                    .unwrap_or_else(|| panic!("{label}: no run"));
                assert!(
                    !run.contains("${{"),
                    "{label}: `${{{{` in run (template injection)"
                );
                &step.env
            };
            for (var, value) in values {
                for expr in expressions(value) {
                    let parts: Vec<&str> = expr.split('.').collect();
                    match parts.as_slice() {
                        ["inputs", input] => {
                            assert!(
                                action.inputs.contains_key(*input),
                                "{label}: env {var} uses undeclared input {input}"
                            );
                            used_inputs.push((*input).to_owned());
                        }
                        ["steps", id, "outputs", _] => assert!(
                            action.steps[..index]
                                .iter()
                                .any(|s| s.id.as_deref() == Some(*id)),
                            "{label}: env {var} uses step `{id}` that has not run yet"
                        ),
                        ["github", "action_path" | "token"] | ["runner", "os" | "arch"] => {}
                        _ => panic!(
                            "{label}: env {var} uses `{expr}`, which the harness does not model"
                        ),
                    }
                }
            }
        }
        for (input, spec) in &action.inputs {
            assert!(
                spec.description
                    .as_deref()
                    .is_some_and(|d| !d.trim().is_empty()),
                "{at}: input `{input}` has no description"
            );
            assert!(
                used_inputs.contains(input),
                "{at}: input `{input}` is declared but never passed to a step"
            );
        }
        for (output, spec) in &action.outputs {
            assert!(
                spec.description
                    .as_deref()
                    .is_some_and(|d| !d.trim().is_empty()),
                "{at}: output `{output}` has no description"
            );
            let value = spec
                .value
                .as_deref()
                .unwrap_or_else(|| panic!("{at}: output `{output}` has no value"));
            let exprs = expressions(value);
            assert!(!exprs.is_empty(), "{at}: output `{output}` is a constant");
            for expr in exprs {
                let parts: Vec<&str> = expr.split('.').collect();
                assert!(
                    matches!(parts.as_slice(), ["steps", id, "outputs", _] if ids.contains(id)),
                    "{at}: output `{output}` uses `{expr}`; expected steps.<id>.outputs.<name> of a step of this action"
                );
            }
        }
        action.check_static().unwrap();

        // The README documents every input and output and pins by SHA.
        let readme_path = path.parent().unwrap().join("README.md");
        let readme = fs::read_to_string(&readme_path)
            .unwrap_or_else(|_| panic!("{} is missing", readme_path.display()));
        for input in action.inputs.keys() {
            assert!(
                readme.contains(&format!("`{input}`")),
                "{}: input `{input}`",
                readme_path.display()
            );
        }
        for output in action.outputs.keys() {
            assert!(
                readme.contains(&format!("`{output}`")),
                "{}: output `{output}`",
                readme_path.display()
            );
        }
        let pin = if name == "(root)" {
            "uses: OWNER/ci-intel@".to_owned()
        } else {
            format!("uses: OWNER/ci-intel/actions/{name}@")
        };
        let pinned: Vec<&str> = readme.lines().filter(|l| l.contains(&pin)).collect();
        assert!(
            !pinned.is_empty(),
            "actions/{name}/README.md has no usage example"
        );
        for line in pinned {
            let rest = line.split_once(&pin).unwrap().1;
            let (sha, comment) = rest.split_once(' ').unwrap_or((rest, ""));
            assert!(
                sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
                "actions/{name}/README.md: `{line}` is not pinned to a full SHA"
            );
            assert!(
                comment.trim_start().starts_with("# v"),
                "actions/{name}/README.md: `{line}` lacks a # vX.Y.Z comment"
            );
        }
        names.push(name);
    }
    names.sort();
    assert!(
        names.contains(&"telemetry".to_owned()) && names.contains(&"ci-intel".to_owned()),
        "{names:?}"
    );
}

#[test]
fn install_script_and_run_bodies_pass_shellcheck() {
    let script = repo_root().join("scripts/install-tool.sh");
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(syntax.success(), "bash -n {}", script.display());
    if !on_path("shellcheck") {
        eprintln!("skipping shellcheck: not on PATH (apt-get install shellcheck)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut files = vec![script];
    let dirs = fs::read_dir(repo_root().join("actions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .chain(std::iter::once(repo_root()));
    for dir in dirs {
        let Ok(action) = Action::load(&dir.join("action.yml")) else {
            continue;
        };
        for (index, step) in action.steps.iter().enumerate() {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let file = tmp.path().join(format!("{name}-{index}.bash"));
            fs::write(
                &file,
                format!(
                    "#!/usr/bin/env bash\nset -eo pipefail\n{}",
                    step.run.as_deref().unwrap_or("")
                ),
            )
            .unwrap();
            files.push(file);
        }
    }
    let output = Command::new("shellcheck")
        .arg("--severity=style")
        .args(&files)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "shellcheck:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

// ------------------------------------------------------------------ manifest schema

fn manifest_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(repo_root().join("schemas/dist-manifest.schema.json")).unwrap(),
    )
    .unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .unwrap()
}

#[test]
fn committed_manifest_is_the_unreleased_form_and_matches_the_schema() {
    let validator = manifest_validator();
    let committed: Value =
        serde_json::from_str(&fs::read_to_string(repo_root().join("dist/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(committed, unreleased_manifest());
    let errors: Vec<String> = validator
        .iter_errors(&committed)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    let bytes = b"binary".to_vec();
    let released = released_manifest(
        VERSION,
        "https://github.com/OWNER/ci-intel/releases/download/v1.4.0",
        &[
            Asset {
                tool: "telemetry",
                target: LINUX_X64,
                file: ASSET,
                bytes: &bytes,
            },
            Asset {
                tool: "ci-intel",
                target: "x86_64-pc-windows-msvc",
                file: "ci-intel-x86_64-pc-windows-msvc.exe",
                bytes: &bytes,
            },
        ],
    );
    let errors: Vec<String> = validator
        .iter_errors(&released)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    let entry = format!("/assets/telemetry/{LINUX_X64}");
    for (pointer, value) in [
        (format!("{entry}/sha256"), json!("ABC")),
        (format!("{entry}/file"), json!("dir/file")),
        (format!("{entry}/size"), json!(-1)),
        ("/version".to_owned(), Value::Null),
        ("/download_base".to_owned(), json!("http://example.com/dl")),
        ("/schema".to_owned(), json!("something-else")),
    ] {
        let mut doc = released.clone();
        *doc.pointer_mut(&pointer).unwrap() = value.clone();
        assert!(
            !validator.is_valid(&doc),
            "{pointer} = {value} must be rejected by the schema"
        );
    }
    let mut unknown_target = released.clone();
    unknown_target["assets"]["telemetry"]["riscv64gc-unknown-linux-gnu"] =
        released["assets"]["telemetry"][LINUX_X64].clone();
    assert!(!validator.is_valid(&unknown_target));
}

// ------------------------------------------------------------------ attest action

/// The attest action turns its inputs into flags (only the non-empty ones,
/// artifacts one per line), and its step fails with the binary's exit code
/// while `result` says which kind of failure it was.
#[test]
fn attest_action_passes_inputs_as_flags_and_fails_with_the_tool() {
    let mut fx = Fixture::new();
    let file = "ci-intel-attest-x86_64-unknown-linux-musl";
    // Stands in for ci-intel-attest: records its arguments and answers on
    // $GITHUB_OUTPUT like the real one.
    let fake = br#"#!/usr/bin/env bash
printf 'arg=%s\n' "$@" >> "$FAKE_ATTEST_LOG"
code=${FAKE_ATTEST_EXIT:-0}
case "$code" in 0) result=pass ;; 1) result=deny ;; *) result=error ;; esac
printf 'result=%s\nfindings=0\ntranscript=t.json\n' "$result" >> "$GITHUB_OUTPUT"
exit "$code"
"#
    .to_vec();
    fx.hub
        .write_manifest(&released_manifest(
            VERSION,
            &fx.base(),
            &[Asset {
                tool: "attest",
                target: LINUX_X64,
                file,
                bytes: &fake,
            }],
        ))
        .unwrap();
    fx.server.serve(&format!("{RELEASE_PATH}/{file}"), fake);
    let log = fx.tmp.path().join("attest.log");
    fx.job.set_env("FAKE_ATTEST_LOG", log.display().to_string());
    let action = fx.hub.action("attest").unwrap();

    let inputs = [
        ("command", "verify-provenance"),
        ("artifacts", "dist/a b.bin\n# a comment\n\nsha256:ABCDEF\n"),
        ("provenance", "dist/a.intoto.jsonl"),
        ("source-uri", "github.com/acme/tool"),
        ("source-tag", "v2.0.0"),
        ("signer-workflow", "acme/tool/.github/workflows/release.yml"),
    ];
    let run = fx.job.run(&action, &inputs).unwrap();
    assert_success(&run, 2);
    assert_eq!(run.output("result"), "pass");
    assert_eq!(run.output("transcript"), "t.json");
    assert_eq!(run.output("version"), VERSION);
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        "arg=verify-provenance\narg=--format\narg=github\narg=dist/a b.bin\narg=sha256:ABCDEF\n\
         arg=--provenance\narg=dist/a.intoto.jsonl\narg=--source-uri\narg=github.com/acme/tool\n\
         arg=--source-tag\narg=v2.0.0\narg=--signer-workflow\narg=acme/tool/.github/workflows/release.yml\n\
         arg=--transcript\narg=ci-intel-attest-transcript.json\narg=--instance\narg=public-good\n"
    );

    // A trusted root replaces the instance; refresh adds its timeout.
    fs::remove_file(&log).unwrap();
    let run = fx
        .job
        .run(
            &action,
            &[
                ("command", "verify-bundle"),
                ("artifacts", "a.txt"),
                ("bundle", "a.sigstore.json"),
                ("key", "key.pub"),
                ("trusted-root", "root.json"),
                ("refresh", "true"),
                ("timeout", "7"),
            ],
        )
        .unwrap();
    assert_success(&run, 2);
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        "arg=verify-bundle\narg=--format\narg=github\narg=a.txt\narg=--bundle\narg=a.sigstore.json\n\
         arg=--key\narg=key.pub\narg=--trusted-root\narg=root.json\narg=--transcript\n\
         arg=ci-intel-attest-transcript.json\narg=--refresh\narg=--timeout\narg=7\n"
    );

    // A denial and a could-not-verify both fail the step, with their codes.
    for (code, result) in [("1", "deny"), ("3", "error")] {
        fx.job.set_env("FAKE_ATTEST_EXIT", code);
        let run = fx.job.run(&action, &inputs).unwrap();
        let failed = run.failed().expect("the tool's failure fails the step");
        assert_eq!(failed.id.as_deref(), Some("run"));
        assert_eq!(failed.exit_code.to_string(), code);
        assert_eq!(run.output("result"), result);
    }

    // Misuse is caught before the tool runs.
    fx.job.set_env("FAKE_ATTEST_EXIT", "0");
    fs::remove_file(&log).unwrap();
    for bad in [
        vec![("command", "verify"), ("artifacts", "a")],
        vec![("command", "verify-bundle"), ("artifacts", "\n# none\n")],
        vec![
            ("command", "verify-bundle"),
            ("artifacts", "a"),
            ("refresh", "yes"),
        ],
    ] {
        let run = fx.job.run(&action, &bad).unwrap();
        let failed = run.failed().expect("misuse fails the step");
        assert_eq!(failed.exit_code, 2, "{bad:?}");
    }
    assert!(!log.exists(), "the tool ran on misuse");
}
