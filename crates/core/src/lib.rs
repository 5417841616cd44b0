//! ci-intel-core: what every ci-intel tool shares.
//!
//! - [`runner`]: the GitHub Actions runner contract (inputs, outputs, env,
//!   summaries, masks);
//! - [`commands`]: workflow commands with correct escaping;
//! - [`findings`] and [`render`]: one findings type, rendered as human text,
//!   JSON, SARIF 2.1.0 or GitHub annotations;
//! - [`exit`]: the 0/1/2/3 exit codes;
//! - [`config`]: `.ci-intel/config.yml`, its schema and its layers;
//! - [`pipeline_run`]: typed pipeline_run v1.2 records;
//! - [`gate`] and [`checkout`]: the gate contract every tool plugs into, and
//!   the one view of the checkout every gate shares;
//! - [`canonical`]: canonical JSON and sha256 for evidence and digests;
//! - [`junit`]: the one JUnit XML reader (totals and per-test cases).

pub mod canonical;
pub mod checkout;
pub mod cli;
pub mod commands;
pub mod config;
pub mod exit;
pub mod findings;
pub mod gate;
pub mod junit;
pub mod pipeline_run;
pub mod render;
pub mod runner;
pub mod walk;

pub use exit::{ExitCode, Failure};
pub use findings::{Confidence, Finding, Location, Report, RuleMeta, Severity, ToolInfo, Verdict};
pub use render::OutputFormat;
pub use runner::RunnerEnv;
