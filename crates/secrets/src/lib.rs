//! ci-intel-secrets: secret hygiene for pipelines.
//!
//! - `scan`: committed secrets in a tree or a diff ([`scan`]);
//! - `sweep`: long-lived credentials in a live job's environment ([`sweep`]);
//! - `redact`: a streaming log filter that masks secrets ([`redact`]).
//!
//! All three share [`detect`]: the detectors, and [`secret`]: how a secret
//! is shown (a redacted preview and a SHA-256 fingerprint prefix, never the
//! value).

pub mod config;
pub mod detect;
pub mod gate;
pub mod redact;
pub mod report;
pub mod scan;
pub mod secret;
pub mod sweep;
#[doc(hidden)]
pub mod test_support;
pub mod text;

use std::ffi::OsString;

use clap::{Parser, Subcommand};

use ci_intel_core::{ExitCode, RunnerEnv};

pub use gate::SecretsGate;

pub const TOOL: &str = "ci-intel-secrets";

#[derive(Debug, Parser)]
#[command(name = TOOL, version, about = "Secret scan, runtime environment sweep, log redaction")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan files (or the added lines of a git diff) for committed secrets.
    Scan(Box<scan::cli::ScanArgs>),
    /// Fail on long-lived credentials in this job's processes' environments.
    Sweep(sweep::SweepArgs),
    /// Mask secrets in a log stream: stdin to stdout.
    Redact(redact::RedactArgs),
}

/// Run the tool with `args` (including the program name) in `env`.
pub fn run<I, T>(args: I, env: &RunnerEnv) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ci_intel_core::cli::run_parsed(TOOL, args, |cli: Cli| match cli.command {
        Command::Scan(args) => scan::cli::run_cli(&args, env),
        Command::Sweep(args) => sweep::run_cli(&args, env),
        Command::Redact(args) => redact::run_cli(&args, env),
    })
}
