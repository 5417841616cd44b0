//! ci-intel-autopsy: why did this run fail, in one line, with the fix.
//!
//! - `classify LOG... [--junit FILE...]`: one pass over each log (raw
//!   GitHub Actions logs or plain ones, streaming, in constant memory),
//!   rule-first root causes ranked by priority then time, each with its
//!   line, context, the failing code's `file:line` when the log names it,
//!   and the fix; redacted before anything is printed ([`classify`]).
//! - `rules`: the effective rules (built-in pack plus the repository's
//!   `.ci-intel/autopsy/*.toml`), checked ([`rules`]).
//! - `upsert-issue` (feature `github`): one GitHub issue per failure
//!   signature, updated or reopened instead of duplicated ([`issue`]).
//!
//! The gate ([`gate`]) checks a repository's own rules in `ci-intel check`.

pub mod classify;
pub mod config;
pub mod gate;
#[cfg(feature = "github")]
pub mod issue;
pub mod junit;
pub mod redact;
pub mod report;
pub mod rules;
pub mod scan;
pub mod signature;

use std::ffi::OsString;
use std::sync::OnceLock;

use clap::{Parser, Subcommand};

use ci_intel_core::{ExitCode, RunnerEnv};

pub use gate::AutopsyGate;
pub use scan::analyse;

pub const TOOL: &str = "ci-intel-autopsy";

#[derive(Debug, Parser)]
#[command(name = TOOL, version, about = "CI log root causes with fixes, redacted; one issue per failure signature")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Find the root causes of failed CI logs.
    Classify(Box<classify::ClassifyArgs>),
    /// List (and check) the rules in effect: built-in and the repository's.
    Rules(classify::RulesArgs),
    /// Open, update or reopen one GitHub issue per failure signature.
    #[cfg(feature = "github")]
    UpsertIssue(Box<issue::UpsertArgs>),
}

/// Run the tool with `args` (including the program name) in `env`.
pub fn run<I, T>(args: I, env: &RunnerEnv) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ci_intel_core::cli::run_parsed(TOOL, args, |cli: Cli| match cli.command {
        Command::Classify(args) => classify::run_cli(&args, env),
        Command::Rules(args) => classify::run_rules(&args, env),
        #[cfg(feature = "github")]
        Command::UpsertIssue(args) => issue::run_cli(&args, env),
    })
}

/// The built-in rules compiled once and a redactor without literal values,
/// for [`analyse`]. `None` only if the built-in pack is broken (a unit
/// test guards against that).
pub fn defaults() -> Option<&'static (rules::compile::RuleSet, redact::Redactor)> {
    static DEFAULTS: OnceLock<Option<(rules::compile::RuleSet, redact::Redactor)>> =
        OnceLock::new();
    DEFAULTS
        .get_or_init(|| {
            let rules = rules::builtin().ok()?;
            let set = rules::compile::RuleSet::new(rules).ok()?;
            Some((set, redact::Redactor::new(Vec::new())))
        })
        .as_ref()
}
