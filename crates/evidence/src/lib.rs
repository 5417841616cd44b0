//! ci-intel-evidence: signed evidence for every gate decision, the release
//! evidence bundle and its completeness truth table, the Go/No-Go memo,
//! and SARIF hygiene (merge, suppressions).
//!
//! - [`statement`]: the gate statement (in-toto Statement v1, our predicate
//!   `https://github.com/ci-intel/ci-intel/evidence/gate/v1`);
//! - [`dsse`] and [`keys`]: DSSE envelopes signed with ECDSA P-256 or
//!   Ed25519 PEM keys;
//! - [`vsa`]: the SLSA Verification Summary Attestation over a release;
//! - [`bundle`], [`make`]: the bundle's layout, manifest and archive;
//! - [`verify`]: the truth table; [`memo`]: the Go/No-Go memo;
//! - [`sarif`] and [`suppressions`]: `sarif merge` and
//!   `.ci-intel/suppressions.yml`;
//! - [`gate`]: the `sarif` gate of `ci-intel check` (the suppressions file);
//! - [`cli`]: the `ci-intel-evidence` command line.
//!
//! Exit codes: 0 pass; 1 a gap in the evidence (or a suppression finding at
//! `fail_on`); 2 usage or configuration error; 3 a bundle that cannot be
//! read.

pub mod bundle;
pub mod cli;
pub mod config;
pub mod dsse;
pub mod gate;
pub mod keys;
pub mod make;
pub mod memo;
pub mod sarif;
pub mod statement;
pub mod suppressions;
pub mod verify;
pub mod vsa;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use ci_intel_core::config::LoadedConfig;
use ci_intel_core::gate::GateResult;
use ci_intel_core::{ExitCode, Failure, RunnerEnv};

pub use gate::SuppressionsGate;

pub const TOOL: &str = "ci-intel-evidence";

/// Run the tool with `args` (including the program name) in `env`.
pub fn run<I, T>(args: I, env: &RunnerEnv) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ci_intel_core::cli::run_parsed(TOOL, args, |cli: cli::Cli| cli::run_cli(cli, env))
}

/// The commit a checked directory is at: `git rev-parse HEAD` there, else
/// `$GITHUB_SHA`. `None` when neither is known.
pub fn resolve_commit(dir: &Path, env: &RunnerEnv) -> Option<String> {
    let from_git = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--verify", "HEAD^{commit}"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|sha| statement::is_commit(sha));
    from_git.or_else(|| {
        env.var("GITHUB_SHA")
            .map(str::to_ascii_lowercase)
            .filter(|sha| statement::is_commit(sha))
    })
}

/// The name of the commit subject: the repository's URL in Actions, else
/// `git remote get-url origin`, else the directory's name.
pub fn repository_name(dir: &Path, env: &RunnerEnv) -> String {
    if let (Some(server), Some(repo)) = (env.var("GITHUB_SERVER_URL"), env.var("GITHUB_REPOSITORY"))
    {
        return format!("{}/{repo}", server.trim_end_matches('/'));
    }
    std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["remote", "get-url", "origin"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|url| !url.is_empty() && !url.contains('@'))
        .unwrap_or_else(|| {
            dir.canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "repository".to_owned())
        })
}

/// What `ci-intel check --evidence DIR` needs to write statements.
#[derive(Debug)]
pub struct CheckEvidence<'a> {
    pub dir: &'a Path,
    pub commit: String,
    pub repository: String,
    pub tool: statement::ToolRef,
    pub sign_key: Option<&'a keys::SigningKey>,
}

/// Write one statement per gate of a `ci-intel check` run (the `config`
/// and `checkout` pseudo-gates, which carry no decision of their own, are
/// left out).
pub fn write_check_evidence(
    evidence: &CheckEvidence<'_>,
    results: &[GateResult],
    loaded: &LoadedConfig,
) -> Result<Vec<PathBuf>, Failure> {
    let run = statement::RunContext {
        commit: evidence.commit.clone(),
        repository: evidence.repository.clone(),
        tool: evidence.tool.clone(),
        config_digest: loaded.digest(),
        layers: loaded.layers.iter().map(ToString::to_string).collect(),
        effective: loaded.effective.clone(),
    };
    let gates: Vec<GateResult> = results
        .iter()
        .filter(|r| !r.section_key.is_empty())
        .cloned()
        .collect();
    statement::write_statements(evidence.dir, &gates, &run, evidence.sign_key)
}
