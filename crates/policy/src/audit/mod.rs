//! `audit`: the workflow and action rules. (Being built.)

use ci_intel_core::{ExitCode, Failure, RunnerEnv};

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Files or directories to audit.
    pub paths: Vec<std::path::PathBuf>,
}

pub fn run_cli(_args: &AuditArgs, _env: &RunnerEnv) -> Result<ExitCode, Failure> {
    Err(Failure::infra("audit is not implemented yet"))
}
