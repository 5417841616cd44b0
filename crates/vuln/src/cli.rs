//! The `ci-intel-vuln` command line: `check` (the gate) and `diff`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use ci_intel_core::checkout::Checkout;
use ci_intel_core::config::{self, LoadedConfig, Sections};
use ci_intel_core::{
    ExitCode, Failure, OutputFormat, Report, RunnerEnv, Severity, ToolInfo, Verdict, render,
};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::check::{self, CheckInputs, Decision, Evaluation};
use crate::config::VulnConfig;

#[derive(Debug, Parser)]
#[command(name = crate::TOOL, version, about = "SBOM + VEX risk gate with KEV and EPSS, SBOM diff, licences")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Judge the findings of SBOMs: risk (KEV, CVSS, EPSS), VEX waivers,
    /// SBOM quality and licences. Exit 0 pass, 1 deny, 2 usage, 3 infra.
    Check(Box<CheckArgs>),
    /// Compare two SBOMs: added, removed, upgraded, downgraded components,
    /// licence changes, new and fixed vulnerabilities.
    Diff(DiffArgs),
}

/// Arguments of `check`. Inputs not given here come from the `vuln:`
/// section of the configuration (paths relative to the current directory).
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// SBOMs (CycloneDX or SPDX JSON).
    #[arg(long = "sbom", value_name = "FILE")]
    pub sboms: Vec<PathBuf>,
    /// Scanner reports (grype/trivy/osv-scanner JSON, CycloneDX, SARIF).
    #[arg(long = "findings", value_name = "FILE")]
    pub findings: Vec<PathBuf>,
    /// CISA's KEV catalog (JSON).
    #[arg(long, value_name = "FILE")]
    pub kev: Option<PathBuf>,
    /// FIRST's EPSS scores (CSV).
    #[arg(long, value_name = "FILE")]
    pub epss: Option<PathBuf>,
    /// VEX documents (OpenVEX, CycloneDX VEX, CSAF; bare or DSSE).
    #[arg(long = "vex", value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// The base's SBOMs (a pull request's target branch).
    #[arg(long = "base-sbom", value_name = "FILE")]
    pub base_sboms: Vec<PathBuf>,
    /// The base's scanner reports: risky findings the base had are
    /// reported, and deny only with vuln.deny_existing.
    #[arg(long = "base-findings", value_name = "FILE")]
    pub base_findings: Vec<PathBuf>,
    /// The product's purl, when the SBOM does not name it (vuln.product).
    #[arg(long)]
    pub product: Option<String>,
    /// Download today's KEV and EPSS into vuln.feed_cache (once a day)
    /// and use them.
    #[arg(long)]
    pub refresh: bool,
    /// `--refresh`: seconds before a download gives up.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub refresh_timeout: u64,
    /// `--refresh`: the KEV catalog's URL.
    #[arg(long, env = "CI_INTEL_VULN_KEV_URL", default_value = crate::feeds::refresh::KEV_URL)]
    pub kev_url: String,
    /// `--refresh`: the EPSS scores' URL (CSV or gzip).
    #[arg(long, env = "CI_INTEL_VULN_EPSS_URL", default_value = crate::feeds::refresh::EPSS_URL)]
    pub epss_url: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// Also write the findings as SARIF 2.1.0 to this file.
    #[arg(long)]
    pub sarif_output: Option<PathBuf>,
    /// Repository configuration (default: .ci-intel/config.yml if present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Org policy overlay, applied below the repository configuration.
    #[arg(long, env = "CI_INTEL_ORG_POLICY")]
    pub org_policy: Option<PathBuf>,
    /// Judge as of this time (RFC 3339) instead of now: feed age and VEX
    /// expiry, to reproduce a past decision.
    #[arg(long, value_parser = parse_time)]
    pub now: Option<DateTime<Utc>>,
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| format!("`{text}` is not an RFC 3339 time (2025-08-26T00:00:00Z): {e}"))
}

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old SBOM.
    pub old: PathBuf,
    /// The new SBOM.
    pub new: PathBuf,
    /// Scanner reports of the old side.
    #[arg(long = "old-findings", value_name = "FILE")]
    pub old_findings: Vec<PathBuf>,
    /// Scanner reports of the new side.
    #[arg(long = "new-findings", value_name = "FILE")]
    pub new_findings: Vec<PathBuf>,
    /// `markdown` (a PR comment) or `json`.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: DiffFormat,
}

/// Output of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Markdown,
    Json,
}

/// Load the `vuln:` section as every tool does.
pub fn load_config(
    config: Option<&Path>,
    org: Option<&Path>,
) -> Result<(VulnConfig, LoadedConfig), Failure> {
    let loaded = config::load_cli(config, org, &Sections::partial([crate::gate::section()]))?;
    let vuln = loaded.section(crate::gate::SECTION)?;
    Ok((vuln, loaded))
}

/// The `--format json` document of `check`.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    pub tool: &'a ToolInfo,
    pub verdict: Verdict,
    pub checked: &'a str,
    pub findings: &'a [ci_intel_core::Finding],
    pub vulnerabilities: &'a [check::VulnRecord],
    pub vex: &'a [check::VexRecord],
    pub licenses: &'a [check::LicenseRecord],
    pub counts: &'a std::collections::BTreeMap<String, u64>,
    pub notes: &'a [String],
}

/// Run the parsed command line.
pub fn run_cli(cli: Cli, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Check(args) => run_check(&args, env),
        Command::Diff(args) => run_diff(&args, env),
    }
}

fn run_check(args: &CheckArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let (mut vuln, loaded) = load_config(args.config.as_deref(), args.org_policy.as_deref())?;
    if let Some(p) = &args.product {
        vuln.product = Some(p.clone());
    }
    let now = args.now.unwrap_or_else(Utc::now);
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::infra(format!("cannot read the current directory: {e}")))?;
    // Inputs: each kind from the command line, else from the configuration.
    let from_config = vuln
        .sboms
        .iter()
        .chain(&vuln.findings)
        .chain(&vuln.vex)
        .next()
        .is_some()
        || vuln.kev.is_some()
        || vuln.epss.is_some();
    let (mut inputs, mut missing) = if from_config {
        let checkout = Checkout::open(&cwd)?;
        crate::resolve::from_config(&vuln, &checkout)?
    } else {
        (CheckInputs::default(), Vec::new())
    };
    let cli_given = !args.sboms.is_empty() || !args.findings.is_empty();
    if cli_given {
        inputs.sboms.clone_from(&args.sboms);
        inputs.findings.clone_from(&args.findings);
        missing.retain(|f| {
            !f.message.starts_with("vuln.sboms") && !f.message.starts_with("vuln.findings")
        });
    }
    if !args.vex.is_empty() {
        inputs.vex.clone_from(&args.vex);
        missing.retain(|f| !f.message.starts_with("vuln.vex"));
    }
    if let Some(k) = &args.kev {
        inputs.kev = Some(k.clone());
        missing.retain(|f| !f.message.starts_with("vuln.kev"));
    }
    if let Some(e) = &args.epss {
        inputs.epss = Some(e.clone());
        missing.retain(|f| !f.message.starts_with("vuln.epss"));
    }
    inputs.base_sboms.clone_from(&args.base_sboms);
    inputs.base_findings.clone_from(&args.base_findings);
    inputs.root = Some(cwd.clone());
    if args.refresh {
        let refreshed = crate::feeds::refresh::refresh(&crate::feeds::refresh::RefreshOptions {
            cache_dir: cwd.join(&vuln.feed_cache),
            kev_url: args.kev_url.clone(),
            epss_url: args.epss_url.clone(),
            timeout: Duration::from_secs(args.refresh_timeout),
            today: now.date_naive(),
        })?;
        inputs.kev = Some(refreshed.kev);
        inputs.epss = Some(refreshed.epss);
        missing
            .retain(|f| !f.message.starts_with("vuln.kev") && !f.message.starts_with("vuln.epss"));
    }
    let fail_on = loaded.config.fail_on;
    if inputs.is_empty() && missing.is_empty() {
        let what = "nothing to check: no SBOM or findings given (--sbom, --findings, or vuln.sboms / vuln.findings)";
        env.set_output("result", if vuln.allow_empty { "warn" } else { "deny" })?;
        env.set_output("findings", "0")?;
        if vuln.allow_empty {
            eprintln!("{}: {what} (allowed: vuln.allow_empty)", crate::TOOL);
            return Ok(ExitCode::Pass);
        }
        eprintln!(
            "{}: {what}; an empty input is not a pass (vuln.allow_empty: false)",
            crate::TOOL
        );
        return Ok(ExitCode::Deny);
    }
    let settings = check::settings(vuln, &cwd, now, fail_on)?;
    let mut evaluation = check::evaluate(&inputs, &settings)?;
    evaluation.findings.extend(missing);
    evaluation.verdict = check::verdict(&evaluation.findings, fail_on);
    let tool = crate::tool_info();
    let report = Report::new(
        tool.clone(),
        crate::rules::rule_metas(),
        evaluation.findings.clone(),
    );
    render::print_report(
        &report,
        args.format,
        Some(&|| JsonReport {
            tool: &tool,
            verdict: evaluation.verdict,
            checked: &evaluation.checked,
            findings: &report.findings,
            vulnerabilities: &evaluation.vulnerabilities,
            vex: &evaluation.vex,
            licenses: &evaluation.licenses,
            counts: &evaluation.counts,
            notes: &evaluation.notes,
        }),
    )?;
    if let Some(path) = &args.sarif_output {
        render::write_sarif(&report, path)?;
    }
    for note in &evaluation.notes {
        eprintln!("{}: note: {note}", crate::TOOL);
    }
    eprintln!(
        "{}: {}; failing at {fail_on} (and on every vuln-risk): {}",
        crate::TOOL,
        evaluation.checked,
        evaluation.verdict.as_str()
    );
    env.set_output("result", evaluation.verdict.as_str())?;
    env.set_output("findings", &evaluation.findings.len().to_string())?;
    env.set_output(
        "blocking",
        &evaluation
            .counts
            .get("blocking")
            .copied()
            .unwrap_or(0)
            .to_string(),
    )?;
    env.set_output(
        "waived",
        &evaluation
            .counts
            .get("waived")
            .copied()
            .unwrap_or(0)
            .to_string(),
    )?;
    if env.in_actions() {
        env.append_summary(&step_summary(&evaluation, fail_on))?;
    }
    Ok(evaluation.verdict.exit_code())
}

/// The step summary: the verdict, counts and the blocking findings.
pub fn step_summary(e: &Evaluation, fail_on: Severity) -> String {
    use std::fmt::Write as _;
    let mut out = format!(
        "### ci-intel-vuln: {}\n\n{}\n\n",
        e.verdict.as_str(),
        e.checked
    );
    let risky: Vec<&check::VulnRecord> = e
        .vulnerabilities
        .iter()
        .filter(|v| v.decision != Decision::BelowThreshold)
        .collect();
    if !risky.is_empty() {
        out.push_str("| vulnerability | package | risk | decision |\n|---|---|---|---|\n");
        for v in risky.iter().take(100) {
            let _ = writeln!(
                out,
                "| {} | {}@{} | {} | {:?} |",
                v.id,
                v.package.replace('|', "\\|"),
                v.version.as_deref().unwrap_or("?"),
                v.explanation.replace('|', "\\|"),
                v.decision
            );
        }
        out.push('\n');
    }
    let other: Vec<&ci_intel_core::Finding> = e
        .findings
        .iter()
        .filter(|f| !f.rule_id.starts_with("vuln-") && f.rule_id != "vex-waiver")
        .collect();
    if !other.is_empty() {
        let _ = writeln!(out, "Other findings (failing at {fail_on}):\n");
        for f in other.iter().take(50) {
            let _ = writeln!(out, "- **{}** {}: {}", f.severity, f.rule_id, f.message);
        }
    }
    out
}

fn read_side(files: &[PathBuf]) -> Result<Vec<crate::scan::Vulnerability>, Failure> {
    let mut reports = Vec::new();
    for path in files {
        let source = crate::input::Source::read(path, "findings report")?;
        let report = crate::scan::parse_findings(&source.bytes)
            .map_err(|e| e.in_file(&source.name, "findings report"))?;
        reports.push((source.name, report));
    }
    Ok(crate::scan::merge(&reports))
}

fn run_diff(args: &DiffArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let read = |path: &Path| -> Result<crate::sbom::Sbom, Failure> {
        let source = crate::input::Source::read(path, "SBOM")?;
        crate::sbom::parse_sbom(&source.bytes).map_err(|e| e.in_file(&source.name, "SBOM"))
    };
    let old = read(&args.old)?;
    let new = read(&args.new)?;
    let vulns = if args.old_findings.is_empty() && args.new_findings.is_empty() {
        None
    } else {
        Some((
            read_side(&args.old_findings)?,
            read_side(&args.new_findings)?,
        ))
    };
    let diff = crate::diff::diff(
        &old,
        &new,
        vulns.as_ref().map(|(a, b)| (a.as_slice(), b.as_slice())),
    );
    let markdown = crate::diff::markdown(
        &diff,
        &args.old.display().to_string(),
        &args.new.display().to_string(),
    );
    match args.format {
        DiffFormat::Markdown => print!("{markdown}"),
        DiffFormat::Json => {
            let text = serde_json::to_string_pretty(&diff)
                .map_err(|e| Failure::infra(format!("cannot serialise the diff: {e}")))?;
            println!("{text}");
        }
    }
    env.set_output("added", &diff.added.len().to_string())?;
    env.set_output("removed", &diff.removed.len().to_string())?;
    env.set_output("upgraded", &diff.upgraded.len().to_string())?;
    env.set_output("downgraded", &diff.downgraded.len().to_string())?;
    if env.in_actions() {
        env.append_summary(&markdown)?;
    }
    Ok(ExitCode::Pass)
}
