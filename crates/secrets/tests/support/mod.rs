//! Helpers shared by the CLI tests.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command as StdCommand;

use assert_cmd::Command;
use ci_intel_secrets::detect::synthetic;

/// Write `text` (templates expanded) to `dir/rel`, creating directories.
pub fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, synthetic::expand(text).unwrap()).unwrap();
}

/// A synthetic credential.
pub fn fake(kind: &str, seed: &str) -> String {
    synthetic::fake(kind, seed).unwrap()
}

/// `ci-intel-secrets` in `dir`, outside Actions.
pub fn secrets(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("ci-intel-secrets").unwrap();
    cmd.current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("CI_INTEL_ORG_POLICY");
    cmd
}

/// Run git in `dir` with a fixed identity; panics on failure.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = StdCommand::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=ci",
            "-c",
            "user.email=ci@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh repository with one commit holding `files`.
pub fn repo_with(dir: &Path, files: &[(&str, &str)]) {
    git(dir, &["init", "-q", "-b", "main"]);
    for (rel, text) in files {
        write(dir, rel, text);
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
}

pub fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}
