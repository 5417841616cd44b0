//! ci-intel-vuln: the policy layer scanners lack. It takes their output
//! (grype, trivy, osv-scanner, CycloneDX, SARIF), the SBOMs, CISA's KEV
//! catalog, FIRST's EPSS scores and signed VEX documents, and decides with
//! evidence whether a release ships a known, exploitable vulnerability that
//! nobody has signed off.
//!
//! - [`sbom`]: CycloneDX and SPDX readers, schema validation;
//! - [`scan`]: scanner reports, merged across scanners;
//! - [`feeds`]: KEV and EPSS (files, or `--refresh`);
//! - [`vex`]: OpenVEX, CycloneDX VEX, CSAF, and their signatures;
//! - [`risk`], [`check`]: the decision; [`rules`]: what it reports;
//! - [`license`]: SPDX expressions against the licence policy;
//! - [`diff`]: SBOM diff; [`version`]: ecosystem version order;
//! - [`gate`]: the `vuln` gate of `ci-intel check`; [`cli`]: the binary.
//!
//! Every reader of untrusted input is a plain function over bytes
//! ([`sbom::parse_sbom`], [`scan::parse_findings`], [`vex::parse_vex`],
//! [`feeds::kev::parse_kev`], [`feeds::epss::parse_epss`]) for fuzzing.

pub mod check;
pub mod cli;
pub mod config;
pub mod diff;
pub mod feeds;
pub mod gate;
pub mod input;
pub mod license;
pub mod purl;
pub mod resolve;
pub mod risk;
pub mod rules;
pub mod sbom;
pub mod scan;
pub mod version;
pub mod vex;

use std::ffi::OsString;

use ci_intel_core::{ExitCode, RunnerEnv, ToolInfo};

pub use gate::VulnGate;

pub const TOOL: &str = "ci-intel-vuln";

pub fn tool_info() -> ToolInfo {
    ToolInfo::new(TOOL, env!("CARGO_PKG_VERSION"))
}

/// Run the tool with `args` (including the program name) in `env`.
pub fn run<I, T>(args: I, env: &RunnerEnv) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ci_intel_core::cli::run_parsed(TOOL, args, |cli: cli::Cli| cli::run_cli(cli, env))
}
