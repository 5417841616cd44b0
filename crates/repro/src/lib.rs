//! ci-intel-repro, the determinism gate: build twice from two copies of
//! the tree, normalised alike (`SOURCE_DATE_EPOCH` from the commit, `TZ`,
//! `LC_ALL`, umask, `PYTHONHASHSEED`) and varied between the two the way
//! reprotest varies them; compare the outputs by BLAKE3 manifest (the one
//! ci-intel-cache signs); explain every differing file by its format, and
//! with diffoscope when it is installed.
//!
//! - [`variations`]: normalisation and variations;
//! - [`double`]: `run`, the double build;
//! - [`compare`]: `compare A B` (trees, manifests or files) and the
//!   report (JSON, Markdown, text);
//! - [`formats`]: [`formats::explain`], the format-aware reader (ELF,
//!   static archives, zip/jar, tar, gzip, text), a plain function for
//!   fuzzing;
//! - [`diffoscope`]: diffoscope on a pair, bounded by a timeout;
//! - [`gate`] and [`config`]: the `repro` gate of `ci-intel check`.
//!
//! Exit codes: 0 identical; 1 a difference (or no output to compare);
//! 2 usage error; 3 a build failed or a file could not be read.

pub mod cli;
pub mod compare;
pub mod config;
pub mod diffoscope;
pub mod double;
pub mod formats;
pub mod gate;
pub mod variations;

use std::ffi::OsString;

use ci_intel_core::{ExitCode, RunnerEnv};

pub use gate::ReproGate;

pub const TOOL: &str = "ci-intel-repro";

/// Run the tool with `args` (including the program name) in `env`.
pub fn run<I, T>(args: I, env: &RunnerEnv) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ci_intel_core::cli::run_parsed(TOOL, args, |cli: cli::Cli| cli::run_cli(cli, env))
}
