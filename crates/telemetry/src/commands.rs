//! The store commands: `ingest`, `synth`, `dora`, `health`, `report`,
//! `schema`. Each query command reads the same `--store` as `ingest`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use ci_intel_core::{ExitCode, Failure, RunnerEnv};

use crate::dora::DoraReport;
use crate::ingest::{FileResult, IngestReport};
use crate::query::{self, HealthReport, Window};
use crate::store::{self, StoreUrl};

/// Output of `dora` and `health`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Markdown,
}

/// `--since 90d` (also `h`, `w`) in milliseconds.
pub fn parse_span(text: &str) -> Result<i64, String> {
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = number
        .parse()
        .map_err(|_| format!("`{text}`: expected a number and a unit, like 90d, 12h or 4w"))?;
    let unit_ms = match unit {
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        _ => return Err(format!("`{text}`: the unit must be h, d or w")),
    };
    if n <= 0 || n > 3650 * 24 {
        return Err(format!(
            "`{text}`: expected a positive span of at most ten years"
        ));
    }
    Ok(n * unit_ms)
}

/// `--until` as RFC 3339 or YYYY-MM-DD (midnight UTC), in milliseconds.
pub fn parse_until(text: &str) -> Result<i64, String> {
    if let Some(ms) = crate::read::epoch_ms(text) {
        return Ok(ms);
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
        .ok_or_else(|| format!("`{text}`: expected an RFC 3339 time or YYYY-MM-DD"))
}

/// The window options every query command shares.
#[derive(Debug, Clone, clap::Args)]
pub struct WindowArgs {
    /// The store: a SQLite path (default .ci-intel/telemetry.db),
    /// postgres://..., or clickhouse+http://host:port/database.
    #[arg(long, env = "CI_INTEL_TELEMETRY_STORE")]
    pub store: Option<String>,
    /// How far back from --until: 90d, 12h, 4w.
    #[arg(long, default_value = "90d", value_parser = parse_span)]
    pub since: i64,
    /// The end of the window (RFC 3339 or YYYY-MM-DD); default now.
    #[arg(long, value_parser = parse_until)]
    pub until: Option<i64>,
    /// Only this repository (OWNER/REPO).
    #[arg(long)]
    pub repo: Option<String>,
}

impl WindowArgs {
    pub fn window(&self) -> Window {
        let until = self
            .until
            .unwrap_or_else(|| chrono::Utc::now().timestamp_millis());
        Window {
            since_ms: until - self.since,
            until_ms: until,
            repo: self.repo.clone(),
        }
    }
    pub fn store_url(&self) -> Result<StoreUrl, Failure> {
        store_url(self.store.as_deref())
    }
}

pub fn store_url(text: Option<&str>) -> Result<StoreUrl, Failure> {
    match text {
        Some(t) => StoreUrl::parse(t),
        None => Ok(StoreUrl::default()),
    }
}

/// Query commands never create a store: a missing SQLite file is a usage error.
fn open_existing(url: &StoreUrl) -> Result<Box<dyn store::Backend>, Failure> {
    if let StoreUrl::Sqlite(path) = url
        && !path.exists()
    {
        return Err(Failure::usage(format!(
            "no telemetry store at {}: run `ci-intel-telemetry ingest FILE.ndjson` first, or pass --store",
            path.display()
        )));
    }
    store::open_migrated(url)
}

pub fn cmd_ingest(
    files: &[PathBuf],
    store_arg: Option<&str>,
    env: &RunnerEnv,
) -> Result<ExitCode, Failure> {
    let url = store_url(store_arg)?;
    let mut backend = store::open_migrated(&url)?;
    let load_id = uuid::Uuid::new_v4().to_string();
    let report = crate::ingest::ingest(backend.as_mut(), files, &load_id)?;
    print_ingest(&report, &url);
    env.set_output("load-id", &report.load_id)?;
    env.set_output("inserted", &report.inserted().to_string())?;
    env.set_output("rejected-files", &report.rejected().to_string())?;
    if report.rejected() > 0 || report.conflicts() > 0 {
        return Err(Failure::deny(format!(
            "{} file(s) rejected, {} conflicting run_id(s); see above",
            report.rejected(),
            report.conflicts()
        )));
    }
    Ok(ExitCode::Pass)
}

fn print_ingest(report: &IngestReport, url: &StoreUrl) {
    for file in &report.files {
        match file {
            FileResult::Loaded {
                file,
                records,
                repeated_in_file,
                migrated,
                outcome,
            } => {
                eprintln!(
                    "{file}: {records} record(s): {} inserted, {} already loaded, {} repeated in the file, {} migrated from v1.1, {} conflict(s)",
                    outcome.inserted,
                    outcome.duplicates,
                    repeated_in_file,
                    migrated,
                    outcome.conflicts.len()
                );
                for c in &outcome.conflicts {
                    eprintln!(
                        "{file}:{}: run_id {} was loaded before (load {}) with other content; the first load is kept",
                        c.line, c.run_id, c.kept_load_id
                    );
                }
            }
            FileResult::Rejected(rejection) => eprintln!("{rejection}"),
        }
    }
    eprintln!(
        "{}: load {} into {}: {} run(s) inserted, {} file(s) rejected",
        crate::TOOL,
        report.load_id,
        url.redacted(),
        report.inserted(),
        report.rejected()
    );
}

#[derive(Debug, Clone, clap::Args)]
pub struct SynthArgs {
    /// Seed of the generator: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of records.
    #[arg(long, default_value_t = 1000)]
    pub runs: u64,
    /// Number of repositories.
    #[arg(long, default_value_t = 3)]
    pub repos: u32,
    /// Days the records span.
    #[arg(long, default_value_t = 90)]
    pub days: u32,
    /// End of the span (RFC 3339 or YYYY-MM-DD); default 2026-01-01, fixed
    /// so the output does not depend on the day.
    #[arg(long, value_parser = parse_until)]
    pub end: Option<i64>,
    /// Write here instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

pub fn cmd_synth(args: &SynthArgs) -> Result<ExitCode, Failure> {
    let options = crate::synth::SynthOptions {
        seed: args.seed,
        runs: args.runs,
        repos: args.repos.max(1),
        days: args.days.max(1),
        end: args
            .end
            .and_then(chrono::DateTime::from_timestamp_millis)
            .unwrap_or_else(crate::synth::default_end),
    };
    let result = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| Failure::usage(format!("cannot create {}: {e}", path.display())))?;
            let mut out = std::io::BufWriter::new(file);
            crate::synth::synth(&options, &mut out).and_then(|()| out.flush())
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            crate::synth::synth(&options, &mut out).and_then(|()| out.flush())
        }
    };
    result.map_err(|e| Failure::infra(format!("synth: cannot write: {e}")))?;
    Ok(ExitCode::Pass)
}

#[derive(Debug, Clone, clap::Args)]
pub struct DoraArgs {
    #[command(flatten)]
    pub window: WindowArgs,
    /// The production environment.
    #[arg(long, default_value = "prod")]
    pub env: String,
    /// A checkout whose `git log` gives commit times and the commits of each deployment.
    #[arg(long)]
    pub git: Option<PathBuf>,
    /// Incidents, NDJSON: {"id", "repo", "created_at", "resolved_at"?, "environment"?}.
    #[arg(long)]
    pub incidents: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

pub fn dora_of(args: &DoraArgs) -> Result<DoraReport, Failure> {
    let url = args.window.store_url()?;
    let mut backend = open_existing(&url)?;
    let incidents = match &args.incidents {
        Some(path) => query::read_incidents(path)?,
        None => Vec::new(),
    };
    let window = args.window.window();
    let report = query::dora_report(
        backend.as_mut(),
        &window,
        &args.env,
        &incidents,
        args.git.as_deref(),
    )?;
    if report.overall.deployments == 0 {
        hint_empty(
            backend.as_mut(),
            &window,
            &format!("{} deployment", args.env),
        )?;
    }
    Ok(report)
}

fn hint_empty(
    backend: &mut dyn store::Backend,
    window: &Window,
    what: &str,
) -> Result<(), Failure> {
    match query::newest_run(backend)? {
        None => eprintln!("note: the store holds no runs yet"),
        Some(newest) if newest < window.since_ms => eprintln!(
            "note: no {what} in {} .. {}; the newest run ended {}: pass --until {}",
            window.since(),
            window.until(),
            query::ms_to_rfc3339(newest),
            query::ms_to_rfc3339(newest + 1000)
        ),
        Some(_) => eprintln!(
            "note: no {what} in {} .. {}",
            window.since(),
            window.until()
        ),
    }
    Ok(())
}

pub fn cmd_dora(args: &DoraArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let report = dora_of(args)?;
    let text = match args.format {
        Format::Json => json(&report)?,
        Format::Markdown => crate::report::dora_markdown(&report),
        Format::Human => crate::report::dora_human(&report),
    };
    print!("{text}");
    env.set_output(
        "deployments-per-week",
        &report.overall.deployments_per_week.to_string(),
    )?;
    env.set_output(
        "change-failure-rate",
        &report
            .overall
            .change_failure_rate
            .map(|r| r.to_string())
            .unwrap_or_default(),
    )?;
    Ok(ExitCode::Pass)
}

#[derive(Debug, Clone, clap::Args)]
pub struct HealthArgs {
    #[command(flatten)]
    pub window: WindowArgs,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

pub fn health_of(window_args: &WindowArgs) -> Result<HealthReport, Failure> {
    let url = window_args.store_url()?;
    let mut backend = open_existing(&url)?;
    let window = window_args.window();
    let report = query::health_report(backend.as_mut(), &window)?;
    if report.overall.runs == 0 {
        hint_empty(backend.as_mut(), &window, "run")?;
    }
    Ok(report)
}

pub fn cmd_health(args: &HealthArgs) -> Result<ExitCode, Failure> {
    let report = health_of(&args.window)?;
    let text = match args.format {
        Format::Json => json(&report)?,
        Format::Markdown => crate::report::health_markdown(&report),
        Format::Human => crate::report::health_human(&report),
    };
    print!("{text}");
    Ok(ExitCode::Pass)
}

#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub window: WindowArgs,
    /// The production environment for DORA.
    #[arg(long, default_value = "prod")]
    pub env: String,
    /// Write the self-contained HTML dashboard here.
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Write the Markdown summary here (`-` for standard output); in Actions
    /// it is also appended to $GITHUB_STEP_SUMMARY.
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// A checkout for commit times (as `dora --git`).
    #[arg(long)]
    pub git: Option<PathBuf>,
    /// Incidents NDJSON (as `dora --incidents`).
    #[arg(long)]
    pub incidents: Option<PathBuf>,
}

pub fn cmd_report(args: &ReportArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    if args.html.is_none() && args.markdown.is_none() {
        return Err(Failure::usage(
            "report: pass --html OUT.html and/or --markdown OUT.md (- for standard output)",
        ));
    }
    let dora = dora_of(&DoraArgs {
        window: args.window.clone(),
        env: args.env.clone(),
        git: args.git.clone(),
        incidents: args.incidents.clone(),
        format: Format::Json,
    })?;
    let health = health_of(&args.window)?;
    if let Some(path) = &args.html {
        let html = crate::report::html(&dora, &health);
        write_file(path, &html)?;
        eprintln!("{}: wrote {}", crate::TOOL, path.display());
        env.set_output("html", &path.display().to_string())?;
    }
    if let Some(path) = &args.markdown {
        let markdown = crate::report::markdown(&dora, &health);
        if path == Path::new("-") {
            print!("{markdown}");
        } else {
            write_file(path, &markdown)?;
        }
        if env.in_actions() {
            env.append_summary(&markdown)?;
        }
    }
    Ok(ExitCode::Pass)
}

fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::infra(format!("cannot create {}: {e}", parent.display())))?;
    }
    std::fs::write(path, text)
        .map_err(|e| Failure::infra(format!("cannot write {}: {e}", path.display())))
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| Failure::infra(format!("JSON: {e}")))
}

/// Which schema `schema` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    Sqlite,
    Postgres,
    Clickhouse,
    Bigquery,
}

pub fn cmd_schema(kind: SchemaKind) -> Result<ExitCode, Failure> {
    let text = match kind {
        SchemaKind::Bigquery => crate::bigquery::schema_json(),
        SchemaKind::Sqlite => store::schema_statements(store::Dialect::Sqlite).join(";\n") + ";\n",
        SchemaKind::Postgres => {
            store::schema_statements(store::Dialect::Postgres).join(";\n") + ";\n"
        }
        SchemaKind::Clickhouse => {
            let mut out: Vec<String> = store::tables::RECORD_TABLES
                .iter()
                .chain(std::iter::once(&&store::tables::LOADS))
                .map(|t| store::create_table(store::Dialect::ClickHouse, t, ""))
                .collect();
            out.push("CREATE TABLE IF NOT EXISTS meta (meta_key String, meta_value String) ENGINE = ReplacingMergeTree ORDER BY meta_key".to_owned());
            out.join(";\n") + ";\n"
        }
    };
    print!("{text}");
    Ok(ExitCode::Pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_dates_parse_with_clear_errors() {
        assert_eq!(parse_span("90d"), Ok(90 * 86_400_000));
        assert_eq!(parse_span("12h"), Ok(12 * 3_600_000));
        assert_eq!(parse_span("2w"), Ok(14 * 86_400_000));
        assert!(parse_span("d").is_err());
        assert!(parse_span("5y").unwrap_err().contains("unit"));
        assert!(parse_span("0d").is_err());
        assert_eq!(
            parse_until("2026-01-01"),
            Ok(crate::synth::default_end().timestamp_millis())
        );
        assert!(parse_until("yesterday").is_err());
    }
}
