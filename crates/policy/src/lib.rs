//! ci-intel-policy: compliance-as-code for GitHub workflows and actions
//! (`audit`), and SHA pinning with Renovate's `# vX.Y.Z` comments (`pin`).
//!
//! The binary is a thin wrapper around [`run`].

pub mod audit;
pub mod pin;

use std::ffi::OsString;

use clap::{Parser, Subcommand};

use ci_intel_core::{ExitCode, RunnerEnv};

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
    Pin(pin::PinArgs),
}

/// Run the tool with `args` (including the program name) in `env`.
pub fn run<I, T>(args: I, env: &RunnerEnv) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() {
                ExitCode::Usage
            } else {
                ExitCode::Pass
            };
            let _ = error.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Audit(args) => audit::run_cli(&args, env),
        Command::Pin(args) => pin::run_cli(&args, env),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("{TOOL}: error: {failure}");
            failure.code
        }
    }
}
