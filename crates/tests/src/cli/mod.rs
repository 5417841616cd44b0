//! The command line: one module per subcommand, and what they share.

pub mod flake;
pub mod mutation;
pub mod shard;

use std::path::{Path, PathBuf};

use serde::Serialize;

use ci_intel_core::config::{self, LoadedConfig, Sections};
use ci_intel_core::{Failure, OutputFormat, Report, ToolInfo};

use crate::config::TestsConfig;

/// `--format`: every core format, plus Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable lines for a terminal.
    Human,
    /// This command's own JSON document.
    Json,
    /// SARIF 2.1.0 of the findings, uploadable to code scanning.
    Sarif,
    /// GitHub workflow-command annotations of the findings.
    Github,
    /// A Markdown report (the step summary's).
    Markdown,
}

impl Format {
    pub fn core(self) -> Option<OutputFormat> {
        match self {
            Format::Human => Some(OutputFormat::Human),
            Format::Json => Some(OutputFormat::Json),
            Format::Sarif => Some(OutputFormat::Sarif),
            Format::Github => Some(OutputFormat::Github),
            Format::Markdown => None,
        }
    }
}

/// `--config` and `--org-policy`, as every tool takes them.
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    /// Repository configuration (`.ci-intel/config.yml` format). Default:
    /// `.ci-intel/config.yml` in the current directory, if present.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Org policy overlay, applied below the repository configuration.
    #[arg(long, env = "CI_INTEL_ORG_POLICY")]
    pub org_policy: Option<PathBuf>,
}

impl ConfigArgs {
    /// The effective `tests:` section and the loaded layers.
    pub fn load(&self) -> Result<(TestsConfig, LoadedConfig), Failure> {
        let loaded = config::load_cli(
            self.config.as_deref(),
            self.org_policy.as_deref(),
            &Sections::partial([crate::gate::section()]),
        )?;
        let tests = loaded.section(crate::gate::SECTION)?;
        Ok((tests, loaded))
    }
}

/// Apply a command-line number over a configured one, refusing to loosen a
/// key the org policy locked. `higher_is_tighter` says which way is tighter.
pub fn override_number(
    loaded: &LoadedConfig,
    key: &str,
    flag: &str,
    configured: f64,
    given: Option<f64>,
    higher_is_tighter: bool,
) -> Result<f64, Failure> {
    let Some(given) = given else {
        return Ok(configured);
    };
    if !given.is_finite() {
        return Err(Failure::usage(format!(
            "{flag} {given}: expected a finite number"
        )));
    }
    let looser = if higher_is_tighter {
        given < configured
    } else {
        given > configured
    };
    if looser && loaded.locked.iter().any(|k| k == key) {
        return Err(Failure::usage(format!(
            "{flag} {given}: {key} is locked by the org policy at {configured}; only a {} value is allowed",
            if higher_is_tighter { "higher" } else { "lower" }
        )));
    }
    Ok(given)
}

/// The tool's identity for reports.
pub fn tool_info() -> ToolInfo {
    ToolInfo::new(crate::TOOL, env!("CARGO_PKG_VERSION"))
}

/// Print the findings report, or this command's own JSON, or its Markdown.
pub fn print<J: Serialize>(
    report: &Report,
    format: Format,
    json: &dyn Fn() -> J,
    markdown: &dyn Fn() -> String,
    human_head: &dyn Fn() -> String,
) -> Result<(), Failure> {
    use std::io::Write as _;
    match format {
        Format::Markdown => write_stdout(&markdown()),
        Format::Human => {
            write_stdout(&human_head())?;
            ci_intel_core::render::print_report::<()>(report, OutputFormat::Human, None)
        }
        other => {
            let core = other.core().unwrap_or(OutputFormat::Json);
            ci_intel_core::render::print_report(report, core, Some(json))?;
            std::io::stdout()
                .flush()
                .map_err(|e| Failure::infra(format!("cannot write to standard output: {e}")))
        }
    }
}

pub fn write_stdout(text: &str) -> Result<(), Failure> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::infra(format!("cannot write to standard output: {e}")))
}

/// Write a JSON document to `path` (`--pipeline-run`, `--export-plan`).
pub fn write_json<T: Serialize>(path: &Path, value: &T, flag: &str) -> Result<(), Failure> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::infra(format!("{flag}: cannot serialise: {e}")))?;
    text.push('\n');
    std::fs::write(path, text)
        .map_err(|e| Failure::infra(format!("cannot write {flag} {}: {e}", path.display())))
}
