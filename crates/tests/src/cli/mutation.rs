//! `ci-intel-tests mutation REPORT...`.

use std::path::PathBuf;

use serde::Serialize;

use ci_intel_core::{ExitCode, Failure, Report, RunnerEnv, Severity, Verdict};

use super::{ConfigArgs, Format, override_number, print, tool_info, write_json};
use crate::mutation::analysis::{self, Analysis, Thresholds};
use crate::mutation::diff::Touched;
use crate::mutation::{self, MutationReport};

/// Command-line arguments of `mutation`.
#[derive(Debug, clap::Args)]
pub struct MutationArgs {
    /// Mutation reports: a Stryker report (`mutation.json`), cargo-mutants'
    /// `mutants.out/` (or its `outcomes.json`), mutmut's project folder (or
    /// `mutants/`, or a `.meta` file), PIT's `mutations.xml` (or its report
    /// folder). Several reports are judged as one.
    #[arg(required = true, value_name = "REPORT")]
    pub reports: Vec<PathBuf>,
    /// The baseline report (main's): the score's delta, and
    /// `tests.mutation.max_drop`. Default: `tests.mutation.baseline`.
    #[arg(long, value_name = "REPORT")]
    pub baseline: Option<PathBuf>,
    /// Judge only the mutants on lines changed since BASE (`git diff BASE`
    /// in --repo: a commit, a branch, `origin/main...HEAD`).
    #[arg(long, value_name = "BASE")]
    pub diff: Option<String>,
    /// The git repository for --diff.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Deny below this score (percent). Default: tests.mutation.fail_below.
    #[arg(long)]
    pub fail_below: Option<f64>,
    /// Warn below this score (percent). Default: tests.mutation.warn_below.
    #[arg(long)]
    pub warn_below: Option<f64>,
    /// Deny a drop of more than this many points against --baseline.
    /// Default: tests.mutation.max_drop.
    #[arg(long)]
    pub max_drop: Option<f64>,
    /// How many surviving mutants the Markdown and JSON list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Also write the SARIF log (one result per surviving mutant) here.
    #[arg(long)]
    pub sarif_output: Option<PathBuf>,
    /// Also write the pipeline_run v1.2 fields this measures
    /// (`{"tests": {"resilience": ...}}`) to this file.
    #[arg(long, value_name = "FILE")]
    pub pipeline_run: Option<PathBuf>,
}

/// The `--format json` document.
#[derive(Debug, Serialize)]
pub struct JsonOut<'a> {
    pub tool: &'a ci_intel_core::ToolInfo,
    #[serde(flatten)]
    pub analysis: &'a Analysis,
    pub verdict: &'a str,
    pub fail_on: Severity,
    pub findings: &'a [ci_intel_core::Finding],
    pub pipeline_run: serde_json::Value,
}

/// Read every report as one.
pub fn load_all(paths: &[PathBuf]) -> Result<MutationReport, Failure> {
    let mut reports = Vec::new();
    for path in paths {
        reports.push(mutation::load(path)?);
    }
    MutationReport::merge(reports).ok_or_else(|| Failure::usage("no mutation report given"))
}

/// `ci-intel-tests mutation`.
pub fn run(args: &MutationArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let (tests, loaded) = args.config.load()?;
    let m = &tests.mutation;
    let thresholds = Thresholds {
        fail_below: override_number(
            &loaded,
            "tests.mutation.fail_below",
            "--fail-below",
            m.fail_below,
            args.fail_below,
            true,
        )?,
        warn_below: override_number(
            &loaded,
            "tests.mutation.warn_below",
            "--warn-below",
            m.warn_below,
            args.warn_below,
            true,
        )?,
        max_drop: override_number(
            &loaded,
            "tests.mutation.max_drop",
            "--max-drop",
            m.max_drop,
            args.max_drop,
            false,
        )?,
    };
    let report = load_all(&args.reports)?;
    let baseline_path = args
        .baseline
        .clone()
        .or_else(|| (!m.baseline.is_empty()).then(|| PathBuf::from(&m.baseline)));
    let baseline = match &baseline_path {
        Some(path) => Some(mutation::load(path)?),
        None => None,
    };
    let touched = match &args.diff {
        Some(base) => Some(Touched::from_git(&args.repo, base)?),
        None => None,
    };
    let analysis = analysis::analyse(
        &report,
        baseline.as_ref(),
        touched.as_ref().zip(args.diff.as_deref()),
        &thresholds,
        args.top,
    );
    let fail_on = loaded.config.fail_on;
    let verdict = Verdict::from_findings(&analysis.findings, fail_on);
    let findings_report = Report::new(
        tool_info(),
        crate::rules::metas(),
        analysis.findings.clone(),
    );
    let pipeline_run = serde_json::json!({ "tests": { "resilience": &analysis.resilience } });
    let tool = tool_info();
    print(
        &findings_report,
        args.format,
        &|| JsonOut {
            tool: &tool,
            analysis: &analysis,
            verdict: verdict.as_str(),
            fail_on,
            findings: &findings_report.findings,
            pipeline_run: pipeline_run.clone(),
        },
        &|| analysis::markdown(&analysis, verdict.as_str()),
        &|| human_head(&analysis),
    )?;
    if let Some(path) = &args.sarif_output {
        ci_intel_core::render::write_sarif(&findings_report, path)?;
    }
    if let Some(path) = &args.pipeline_run {
        write_json(path, &pipeline_run, "--pipeline-run")?;
    }
    let score = |s: Option<f64>| s.map(|v| format!("{v:.2}")).unwrap_or_default();
    env.set_output("result", verdict.as_str())?;
    env.set_output("score", &score(analysis.score_percent))?;
    env.set_output("scope-score", &score(analysis.scope_score_percent))?;
    env.set_output("delta", &score(analysis.delta_points))?;
    env.set_output(
        "resilience",
        &serde_json::to_string(&analysis.resilience).unwrap_or_default(),
    )?;
    if env.in_actions() {
        env.append_summary(&analysis::markdown(&analysis, verdict.as_str()))?;
    }
    eprintln!(
        "{}: mutation: {} mutant(s) read from {}; {}: {}",
        crate::TOOL,
        analysis.counts.total(),
        analysis.source,
        analysis.scope,
        verdict.as_str()
    );
    Ok(verdict.exit_code())
}

fn human_head(a: &Analysis) -> String {
    let pct = |v: Option<f64>| {
        v.map(|v| format!("{v:.2} %"))
            .unwrap_or_else(|| "n/a (no tested mutant)".to_owned())
    };
    let c = &a.counts;
    let mut out = format!(
        "mutation score {} ({} of {} valid mutants detected: {} killed, {} timed out; {} survived, {} not covered; {} excluded) [{}]\n",
        pct(a.score_percent),
        c.detected(),
        c.valid(),
        c.killed,
        c.timeout,
        c.survived,
        c.no_coverage,
        c.excluded(),
        a.kind
    );
    if a.scope != "all mutants" {
        out.push_str(&format!(
            "{}: {} ({} mutant(s))\n",
            a.scope,
            pct(a.scope_score_percent),
            a.scope_counts.total()
        ));
    }
    if let Some(d) = a.delta_points {
        out.push_str(&format!("delta vs baseline: {d:+.2} points\n"));
    }
    if let Some(p) = a.partial {
        out.push_str(&format!(
            "partial run: {} of {} listed mutants tested\n",
            p.tested, p.listed
        ));
    }
    out
}
