//! ci-intel-tests: how good the tests are, which ones lie, and how to run
//! them faster.
//!
//! - `mutation`: mutation reports (Stryker schema, cargo-mutants, mutmut,
//!   PIT) read into one model ([`mutation`]), scored the Stryker way, judged
//!   on the lines a change touched, against a baseline;
//! - `flake`: JUnit history read per test and per run ([`flake`]): flake
//!   rates, the suite flake index, new flaky tests, the quarantine list;
//! - `shard`: per-test durations predicted from JUnit history and packed
//!   into shards ([`shard`]), with a backtest of the predictions.
//!
//! The gate ([`gate::TestsGate`], section `tests:`) runs the same checks in
//! `ci-intel check`. The readers' entry points are plain functions over
//! bytes that never panic ([`read`]), for property tests and fuzzing.

pub mod cli;
pub mod config;
pub mod flake;
pub mod gate;
pub mod mutation;
pub mod read;
pub mod rules;
pub mod shard;

use std::ffi::OsString;

use clap::{Parser, Subcommand};

use ci_intel_core::{ExitCode, RunnerEnv};

pub use gate::TestsGate;

pub const TOOL: &str = "ci-intel-tests";

#[derive(Debug, Parser)]
#[command(
    name = TOOL,
    version,
    about = "Mutation score and delta, flake index and quarantine, timing-based sharding"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read mutation reports, score them (on the lines a change touched
    /// with --diff) and judge the score against thresholds and a baseline.
    Mutation(Box<cli::mutation::MutationArgs>),
    /// Read JUnit history: flake rates, the suite flake index, new flaky
    /// tests, and the quarantine list.
    Flake(Box<cli::flake::FlakeArgs>),
    /// Predict test durations from JUnit history and pack shards; or
    /// replay the history (--backtest) to measure the predictions.
    Shard(Box<cli::shard::ShardArgs>),
}

/// Run the tool with `args` (including the program name) in `env`.
pub fn run<I, T>(args: I, env: &RunnerEnv) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ci_intel_core::cli::run_parsed(TOOL, args, |cli: Cli| match cli.command {
        Command::Mutation(args) => cli::mutation::run(&args, env),
        Command::Flake(args) => cli::flake::run(&args, env),
        Command::Shard(args) => cli::shard::run(&args, env),
    })
}
