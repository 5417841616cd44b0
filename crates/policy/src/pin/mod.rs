//! `pin`: resolve references to commit SHAs. (Being built.)

use ci_intel_core::{ExitCode, Failure, RunnerEnv};

#[derive(Debug, clap::Args)]
pub struct PinArgs {
    /// Files or directories whose references to pin.
    pub paths: Vec<std::path::PathBuf>,
}

pub fn run_cli(_args: &PinArgs, _env: &RunnerEnv) -> Result<ExitCode, Failure> {
    Err(Failure::infra("pin is not implemented yet"))
}
