//! `ci-intel-tests flake --history DIR`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use ci_intel_core::{ExitCode, Failure, Report, RunnerEnv, Severity, Verdict};

use super::{ConfigArgs, Format, override_number, print, tool_info, write_json};
use crate::flake::{self, FlakeOptions, FlakeReport, Quarantine, history};
use crate::mutation::analysis::md_cell;

/// Command-line arguments of `flake`.
#[derive(Debug, clap::Args)]
pub struct FlakeArgs {
    /// JUnit XML history: a folder with one run per sub-folder (and one per
    /// `*.xml` directly in it), or one JUnit file.
    #[arg(long, value_name = "DIR")]
    pub history: PathBuf,
    /// JUnit XML of the current change (a pull request's runs), judged for
    /// new flaky tests against --history. Default: the newest commit of the
    /// history.
    #[arg(long, value_name = "DIR")]
    pub current: Option<PathBuf>,
    /// The quarantine list. Default: tests.quarantine
    /// (`.ci-intel/quarantine.yml`), if it exists.
    #[arg(long)]
    pub quarantine: Option<PathBuf>,
    /// Deny above this suite flake index. Default: tests.flake.max_index.
    #[arg(long)]
    pub max_index: Option<f64>,
    /// The window in days before the newest run. Default: tests.flake.window_days.
    #[arg(long)]
    pub window_days: Option<u32>,
    /// Clean runs after which a quarantined test is reported for release.
    /// Default: tests.flake.release_after.
    #[arg(long)]
    pub release_after: Option<u32>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Also write the SARIF log here.
    #[arg(long)]
    pub sarif_output: Option<PathBuf>,
    /// Also write the pipeline_run v1.2 field this measures
    /// (`{"flakiness_index": ...}`) to this file.
    #[arg(long, value_name = "FILE")]
    pub pipeline_run: Option<PathBuf>,
}

/// The `--format json` document.
#[derive(Debug, Serialize)]
pub struct JsonOut<'a> {
    pub tool: &'a ci_intel_core::ToolInfo,
    #[serde(flatten)]
    pub report: &'a FlakeReport,
    pub verdict: &'a str,
    pub fail_on: Severity,
    pub findings: &'a [ci_intel_core::Finding],
    pub pipeline_run: serde_json::Value,
}

/// Load the quarantine list: a path given on the command line must exist;
/// the configured default may be absent.
pub fn load_quarantine(path: &Path, required: bool) -> Result<Option<Quarantine>, Failure> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(Quarantine::parse(&path.display().to_string(), &text)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(None),
        Err(e) => Err(Failure::usage(format!(
            "cannot read quarantine list {}: {e}",
            path.display()
        ))),
    }
}

/// `ci-intel-tests flake`.
pub fn run(args: &FlakeArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let (tests, loaded) = args.config.load()?;
    let f = &tests.flake;
    let options = FlakeOptions {
        max_index: override_number(
            &loaded,
            "tests.flake.max_index",
            "--max-index",
            f.max_index,
            args.max_index,
            false,
        )?,
        window_days: args.window_days.unwrap_or(f.window_days).max(1),
        release_after: args.release_after.unwrap_or(f.release_after),
        deny_new: f.deny_new,
    };
    let quarantine = match &args.quarantine {
        Some(path) => load_quarantine(path, true)?,
        None => load_quarantine(Path::new(&tests.quarantine), false)?,
    };
    let runs = history::read_history(&args.history)?;
    if runs.is_empty() {
        return Err(Failure::usage(format!(
            "--history {}: no JUnit XML file in it; record the test runs' JUnit reports there",
            args.history.display()
        )));
    }
    let current = match &args.current {
        Some(path) => history::read_history(path)?,
        None => Vec::new(),
    };
    let name = args.history.display().to_string();
    let mut report = flake::analyse(&runs, &current, quarantine.as_ref(), &options, &name);
    if let Some(q) = &quarantine {
        report
            .findings
            .extend(q.check(chrono::Utc::now().date_naive()));
    }
    let fail_on = loaded.config.fail_on;
    let verdict = Verdict::from_findings(&report.findings, fail_on);
    let findings = Report::new(tool_info(), crate::rules::metas(), report.findings.clone());
    let pipeline_run = serde_json::json!({ "flakiness_index": report.flakiness_index });
    let tool = tool_info();
    print(
        &findings,
        args.format,
        &|| JsonOut {
            tool: &tool,
            report: &report,
            verdict: verdict.as_str(),
            fail_on,
            findings: &findings.findings,
            pipeline_run: pipeline_run.clone(),
        },
        &|| markdown(&report, verdict.as_str()),
        &|| human_head(&report),
    )?;
    if let Some(path) = &args.sarif_output {
        ci_intel_core::render::write_sarif(&findings, path)?;
    }
    if let Some(path) = &args.pipeline_run {
        write_json(path, &pipeline_run, "--pipeline-run")?;
    }
    env.set_output("result", verdict.as_str())?;
    env.set_output("flakiness-index", &format!("{:.4}", report.flakiness_index))?;
    env.set_output(
        "new-flaky-tests",
        &report
            .flaky_tests
            .iter()
            .filter(|t| t.new)
            .map(|t| t.test.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    )?;
    if env.in_actions() {
        env.append_summary(&markdown(&report, verdict.as_str()))?;
    }
    Ok(verdict.exit_code())
}

fn human_head(r: &FlakeReport) -> String {
    let mut out = format!(
        "flake index {:.3}: {} flaky run(s) of {} in the {}-day window; {} flaky test(s), {} new\n",
        r.flakiness_index,
        r.flaky_runs,
        r.runs,
        r.window_days,
        r.flaky_tests.len(),
        r.flaky_tests.iter().filter(|t| t.new).count()
    );
    for t in r.flaky_tests.iter().take(10) {
        let _ = writeln!(
            out,
            "  {:>5.1} %  {} of {} runs  {}{}{}",
            100.0 * t.rate,
            t.flaky_runs,
            t.runs,
            t.test,
            if t.new { "  [new]" } else { "" },
            if t.quarantined { "  [quarantined]" } else { "" }
        );
    }
    out
}

/// The Markdown report.
pub fn markdown(r: &FlakeReport, verdict: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### Flaky tests: {verdict}\n");
    let _ = writeln!(
        out,
        "Flake index **{:.3}**: {} flaky run(s) of {} in the {}-day window.\n",
        r.flakiness_index, r.flaky_runs, r.runs, r.window_days
    );
    if !r.flaky_tests.is_empty() {
        let _ = writeln!(
            out,
            "| test | flaky runs | runs | rate | |\n|---|---:|---:|---:|---|"
        );
        for t in r.flaky_tests.iter().take(20) {
            let tag = match (t.new, t.quarantined) {
                (_, true) => "quarantined",
                (true, _) => "**new**",
                _ => "",
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {:.1} % | {tag} |",
                md_cell(&t.test),
                t.flaky_runs,
                t.runs,
                100.0 * t.rate
            );
        }
    }
    if !r.release.is_empty() {
        let _ = writeln!(out, "\nReady to leave quarantine:");
        for (test, clean) in &r.release {
            let _ = writeln!(out, "- `{}` ({clean} clean runs)", md_cell(test));
        }
    }
    out
}
