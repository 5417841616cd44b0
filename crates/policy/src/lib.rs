//! ci-intel-policy: compliance-as-code for GitHub workflows and actions
//! (`audit`), and SHA pinning with Renovate's `# vX.Y.Z` comments (`pin`).
//!
//! The binary is a thin wrapper around [`run`]. `pin` talks to the network
//! (git smart-HTTP over reqwest, REST over octocrab, both on rustls), so it
//! sits behind the `pin` feature: the umbrella `ci-intel` links `audit` only
//! and stays free of HTTP and TLS.

pub mod audit;
pub mod config;
pub mod fix;
pub mod gate;
#[cfg(feature = "pin")]
pub mod pin;
pub mod zizmor_config;

use std::ffi::OsString;

use clap::{Parser, Subcommand};

use ci_intel_core::{ExitCode, RunnerEnv};

pub use gate::PolicyGate;

pub const TOOL: &str = "ci-intel-policy";

#[derive(Debug, Parser)]
#[command(name = TOOL, version, about = "Workflow and action policy gates, and SHA pinning")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Audit workflows, action metadata and dependabot.yml.
    Audit(audit::AuditArgs),
    /// Resolve tag and branch references to commit SHAs with version comments.
    #[cfg(feature = "pin")]
    Pin(pin::PinArgs),
}

/// Run the tool with `args` (including the program name) in `env`.
pub fn run<I, T>(args: I, env: &RunnerEnv) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ci_intel_core::cli::run_parsed(TOOL, args, |cli: Cli| match cli.command {
        Command::Audit(args) => audit::run_cli(&args, env),
        #[cfg(feature = "pin")]
        Command::Pin(args) => pin::run_cli(&args, env),
    })
}
