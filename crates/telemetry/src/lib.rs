//! ci-intel-telemetry: pipeline_run v1.2 records.
//!
//! - `validate`: every NDJSON line against the (corrected) v1.2 schema;
//! - `emit`: a record from the Actions environment, flags and JUnit XML;
//! - `start`: remember the job's start time for `emit`;
//! - `migrate`: v1.1 to v1.2, idempotent;
//! - `action`: the same, driven by `INPUT_*` (what `actions/telemetry` runs).
//!
//! With the `store` feature (the binary's default; the umbrella's gate does
//! not enable it):
//!
//! - `ingest`: NDJSON into SQLite (default), PostgreSQL or ClickHouse,
//!   exactly once per run_id;
//! - `synth`: deterministic realistic records;
//! - `dora`, `health`: metrics over the store;
//! - `report`: the HTML dashboard and the Markdown step summary;
//! - `schema`: the store's DDL per dialect, or the BigQuery load schema.
//!
//! The binary is a thin wrapper around [`run`].

pub mod bigquery;
#[cfg(feature = "store")]
pub mod commands;
pub mod dora;
pub mod emit;
pub mod files;
pub mod gate;
/// The JUnit reader lives in core (shared with ci-intel-tests); re-exported
/// here so `ci_intel_telemetry::junit` keeps working.
pub use ci_intel_core::junit;
#[cfg(feature = "store")]
pub mod ingest;
pub mod migrate;
#[cfg(feature = "store")]
pub mod query;
pub mod read;
pub mod record;
#[cfg(feature = "store")]
pub mod report;
pub mod schema;
#[cfg(feature = "store")]
pub mod store;
pub mod synth;
pub mod validate;

use std::ffi::OsString;
use std::io::Write as _;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use ci_intel_core::pipeline_run::{PolicyDecision, RunStatus};
use ci_intel_core::{
    ExitCode, Failure, OutputFormat, Report, RunnerEnv, Severity, ToolInfo, render,
};

pub const TOOL: &str = "ci-intel-telemetry";

#[derive(Debug, Parser)]
#[command(name = TOOL, version, about = "pipeline_run v1.2 telemetry: validate, emit, migrate")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate pipeline_run records (NDJSON, or one JSON document for *.json).
    Validate {
        /// Files to validate.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Let a file without records pass (by default an empty file is a denial).
        #[arg(long)]
        allow_empty: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: OutputFormat,
        /// Validate against this JSON Schema instead of the embedded,
        /// corrected pipeline_run v1.2 schema.
        #[arg(long)]
        schema: Option<PathBuf>,
    },
    /// Build a record from the Actions environment and JUnit files and append it.
    Emit(Box<EmitArgs>),
    /// Record the job's start time (exports CI_INTEL_STARTED_AT through $GITHUB_ENV).
    Start,
    /// Migrate v1.1 records to v1.2 (idempotent).
    Migrate {
        /// NDJSON files to migrate.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write the migrated records here (default: standard output).
        #[arg(long, conflicts_with = "in_place")]
        output: Option<PathBuf>,
        /// Rewrite each file in place.
        #[arg(long)]
        in_place: bool,
    },
    /// Run as the `actions/telemetry` composite action: parameters from INPUT_*.
    Action,
    /// Load NDJSON files into the store, exactly once per run_id.
    #[cfg(feature = "store")]
    Ingest {
        /// pipeline_run NDJSON files (v1.1 records are migrated).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// A SQLite path (default .ci-intel/telemetry.db), postgres://...,
        /// or clickhouse+http://host:port/database.
        #[arg(long, env = "CI_INTEL_TELEMETRY_STORE")]
        store: Option<String>,
    },
    /// Write deterministic, realistic records (the same seed gives the same bytes).
    #[cfg(feature = "store")]
    Synth(commands::SynthArgs),
    /// DORA's four key metrics with their performance bands.
    #[cfg(feature = "store")]
    Dora(Box<commands::DoraArgs>),
    /// Run health: success rate, durations, queue, cost, CO2e, flakiness,
    /// mutation score, denials; per repo, day and job.
    #[cfg(feature = "store")]
    Health(commands::HealthArgs),
    /// The dashboard: --html OUT.html (self-contained) and/or --markdown OUT.md.
    #[cfg(feature = "store")]
    Report(Box<commands::ReportArgs>),
    /// Print the store schema: SQL DDL per dialect, or --bigquery for `bq load`.
    #[cfg(feature = "store")]
    Schema {
        /// The BigQuery table schema (JSON) for our NDJSON.
        #[arg(long, conflicts_with = "dialect")]
        bigquery: bool,
        /// The SQL dialect.
        #[arg(long, value_enum, default_value = "sqlite")]
        dialect: commands::SchemaKind,
    },
}

#[derive(Debug, clap::Args)]
struct EmitArgs {
    /// NDJSON file the record is appended to.
    #[arg(long)]
    output: PathBuf,
    /// JUnit XML files or glob patterns (repeatable).
    #[arg(long)]
    junit: Vec<String>,
    /// Run status (success, failed/failure, canceled/cancelled, skipped);
    /// default: failed when JUnit reports failures, else success.
    #[arg(long, value_parser = parse_status)]
    status: Option<RunStatus>,
    /// Start time (RFC 3339); default: $CI_INTEL_STARTED_AT from `start`.
    #[arg(long)]
    started_at: Option<String>,
    /// End time (RFC 3339); default: now.
    #[arg(long)]
    ended_at: Option<String>,
    /// Record id (UUID); default: derived from the run id and attempt.
    #[arg(long)]
    run_id: Option<String>,
    /// OWNER/REPO; default: $GITHUB_REPOSITORY.
    #[arg(long)]
    repo: Option<String>,
    /// Commit SHA; default: $GITHUB_SHA.
    #[arg(long)]
    sha: Option<String>,
    /// Branch; default: $GITHUB_HEAD_REF or $GITHUB_REF_NAME.
    #[arg(long)]
    branch: Option<String>,
    /// Job name; default: $GITHUB_JOB.
    #[arg(long)]
    job_name: Option<String>,
    /// Deployment environment (preview, dev, staging, prod, test).
    #[arg(long)]
    environment: Option<String>,
    /// A gate decision to record: ID=allow|warn|deny[:REASON] (repeatable).
    #[arg(long, value_parser = emit::parse_policy)]
    policy: Vec<PolicyDecision>,
}

fn parse_status(text: &str) -> Result<RunStatus, String> {
    text.parse()
}

/// Run the tool with `args` (including the program name) in `env`.
pub fn run<I, T>(args: I, env: &RunnerEnv) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ci_intel_core::cli::run_parsed(TOOL, args, |cli: Cli| match cli.command {
        Command::Validate {
            files,
            allow_empty,
            format,
            schema,
        } => load_schema(schema.as_deref())
            .and_then(|s| cmd_validate(&files, allow_empty, format, &s, env)),
        Command::Emit(args) => cmd_emit(*args, env),
        Command::Start => cmd_start(env),
        Command::Migrate {
            files,
            output,
            in_place,
        } => cmd_migrate(&files, output, in_place),
        Command::Action => cmd_action(env),
        #[cfg(feature = "store")]
        Command::Ingest { files, store } => commands::cmd_ingest(&files, store.as_deref(), env),
        #[cfg(feature = "store")]
        Command::Synth(args) => commands::cmd_synth(&args),
        #[cfg(feature = "store")]
        Command::Dora(args) => commands::cmd_dora(&args, env),
        #[cfg(feature = "store")]
        Command::Health(args) => commands::cmd_health(&args),
        #[cfg(feature = "store")]
        Command::Report(args) => commands::cmd_report(&args, env),
        #[cfg(feature = "store")]
        Command::Schema { bigquery, dialect } => commands::cmd_schema(if bigquery {
            commands::SchemaKind::Bigquery
        } else {
            dialect
        }),
    })
}

fn tool_info() -> ToolInfo {
    ToolInfo::new(TOOL, env!("CARGO_PKG_VERSION"))
}

/// The schema to validate against: a file the user named, or the embedded one.
fn load_schema(path: Option<&std::path::Path>) -> Result<SchemaChoice, Failure> {
    match path {
        None => Ok(SchemaChoice::Embedded),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Failure::usage(format!("cannot read --schema {}: {e}", path.display()))
            })?;
            let compiled = schema::RecordSchema::compile(&text)
                .map_err(|e| Failure::usage(format!("--schema {}: {e}", path.display())))?;
            Ok(SchemaChoice::Custom(Box::new(compiled)))
        }
    }
}

enum SchemaChoice {
    Embedded,
    Custom(Box<schema::RecordSchema>),
}

impl std::ops::Deref for SchemaChoice {
    type Target = schema::RecordSchema;
    fn deref(&self) -> &schema::RecordSchema {
        match self {
            SchemaChoice::Embedded => schema::RecordSchema::embedded(),
            SchemaChoice::Custom(schema) => schema,
        }
    }
}

fn cmd_validate(
    files: &[PathBuf],
    allow_empty: bool,
    format: OutputFormat,
    schema: &schema::RecordSchema,
    env: &RunnerEnv,
) -> Result<ExitCode, Failure> {
    let validation = validate::validate_files(files, allow_empty, schema)?;
    let report = Report::new(tool_info(), validate::rules(), validation.findings);
    print!("{}", render::render(&report, format));
    let verdict = report.verdict(Severity::High);
    let line = format!(
        "{TOOL} validate: {} record(s) in {} file(s), {} invalid: {}",
        validation.records,
        validation.files,
        validation.invalid_records,
        verdict.as_str()
    );
    eprintln!("{line}");
    env.set_output("records", &validation.records.to_string())?;
    env.set_output("invalid", &validation.invalid_records.to_string())?;
    env.set_output("result", verdict.as_str())?;
    if env.in_actions() {
        env.append_summary(&format!(
            "### pipeline_run validation\n\n| files | records | invalid | result |\n|---|---|---|---|\n| {} | {} | {} | {} |\n",
            validation.files,
            validation.records,
            validation.invalid_records,
            verdict.as_str()
        ))?;
    }
    Ok(verdict.exit_code())
}

fn cmd_emit(args: EmitArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let options = emit::EmitOptions {
        output: args.output,
        junit: args.junit,
        status: args.status,
        started_at: args.started_at,
        ended_at: args.ended_at,
        run_id: args.run_id,
        repo: args.repo,
        sha: args.sha,
        branch: args.branch,
        job_name: args.job_name,
        environment: args.environment,
        policies: args.policy,
    };
    emit_with(&options, env)
}

fn emit_with(options: &emit::EmitOptions, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let record = emit::emit(options, env, chrono::Utc::now())?;
    eprintln!(
        "{TOOL} emit: appended run {} ({} tests, {} failed) to {}",
        record.run_id,
        record.tests.total,
        record.tests.failed,
        options.output.display()
    );
    env.set_output("run-id", &record.run_id)?;
    env.set_output("record-file", &options.output.display().to_string())?;
    Ok(ExitCode::Pass)
}

fn cmd_start(env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let now = emit::rfc3339(chrono::Utc::now());
    if env.var("GITHUB_ENV").is_some() {
        env.export_env(emit::STARTED_AT_VAR, &now)?;
    } else {
        println!("export {}={now}", emit::STARTED_AT_VAR);
    }
    Ok(ExitCode::Pass)
}

fn cmd_migrate(
    files: &[PathBuf],
    output: Option<PathBuf>,
    in_place: bool,
) -> Result<ExitCode, Failure> {
    let mut all = String::new();
    let mut invalid = 0usize;
    for path in files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
        let mut out = String::new();
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let at = format!("{}:{}", path.display(), index + 1);
            let mut record: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| Failure::usage(format!("{at}: invalid JSON: {e}")))?;
            migrate::migrate_record(&mut record).map_err(|e| {
                Failure::usage(format!(
                    "{at}: {}: {}",
                    if e.pointer.is_empty() {
                        "/"
                    } else {
                        &e.pointer
                    },
                    e.message
                ))
            })?;
            for defect in schema::defects(&record) {
                invalid += 1;
                eprintln!(
                    "{at}: {}: {} (after migration)",
                    if defect.pointer.is_empty() {
                        "/"
                    } else {
                        &defect.pointer
                    },
                    defect.message
                );
            }
            out.push_str(&record.to_string());
            out.push('\n');
        }
        if in_place {
            write_atomically(path, &out)?;
        } else {
            all.push_str(&out);
        }
    }
    if invalid > 0 {
        return Err(Failure::deny(format!(
            "{invalid} defect(s) remain after migration; the records were migrated but do not validate as v1.2"
        )));
    }
    if !in_place {
        match output {
            Some(path) => write_atomically(&path, &all)?,
            None => {
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(all.as_bytes())
                    .map_err(|e| Failure::infra(format!("cannot write to standard output: {e}")))?;
            }
        }
    }
    Ok(ExitCode::Pass)
}

fn write_atomically(path: &std::path::Path, text: &str) -> Result<(), Failure> {
    let tmp = path.with_extension("ci-intel-tmp");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| Failure::infra(format!("cannot write {}: {e}", path.display())))
}

/// The composite action's entry point: parameters from `INPUT_*`.
fn cmd_action(env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let command = env
        .input("command")
        .unwrap_or_else(|| "validate".to_owned());
    match command.as_str() {
        "validate" => {
            let mut files = Vec::new();
            for pattern in env.input_list("files") {
                let matched = files::expand(&pattern)?;
                if matched.is_empty() {
                    return Err(Failure::usage(format!(
                        "input `files`: `{pattern}` matched no file"
                    )));
                }
                files.extend(matched);
            }
            if files.is_empty() {
                return Err(Failure::usage(
                    "input `files` is empty: list the NDJSON files to validate, one per line",
                ));
            }
            let allow_empty = env.input_bool("allow-empty")?.unwrap_or(false);
            cmd_validate(
                &files,
                allow_empty,
                OutputFormat::Github,
                schema::RecordSchema::embedded(),
                env,
            )
        }
        "start" => cmd_start(env),
        "emit" => {
            let options = emit::EmitOptions {
                output: PathBuf::from(env.required_input("output")?),
                junit: env.input_list("junit"),
                status: env
                    .input("status")
                    .map(|s| {
                        s.parse()
                            .map_err(|e: String| Failure::usage(format!("input `status`: {e}")))
                    })
                    .transpose()?,
                started_at: env.input("started-at"),
                environment: env.input("environment"),
                job_name: env.input("job-name"),
                ..Default::default()
            };
            emit_with(&options, env)
        }
        #[cfg(feature = "store")]
        "report" => action_report(env),
        other => Err(Failure::usage(format!(
            "input `command` is `{other}`; expected validate, start, emit or report"
        ))),
    }
}

/// `command: report`: ingest `files` (patterns that match nothing are
/// skipped: a first run has no records yet), then write `html` and the
/// step summary.
#[cfg(feature = "store")]
fn action_report(env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let mut files = Vec::new();
    for pattern in env.input_list("files") {
        files.extend(files::expand(&pattern)?);
    }
    let store = env.input("store");
    if files.is_empty() {
        eprintln!("{TOOL}: no record file matched `files`; reporting on the store as it is");
    } else {
        let code = commands::cmd_ingest(&files, store.as_deref(), env)?;
        if code != ExitCode::Pass {
            return Ok(code);
        }
    }
    let since = commands::parse_span(&env.input("since").unwrap_or_else(|| "90d".to_owned()))
        .map_err(|e| Failure::usage(format!("input `since`: {e}")))?;
    let args = commands::ReportArgs {
        window: commands::WindowArgs {
            store,
            since,
            until: None,
            repo: None,
        },
        env: env
            .input("environment")
            .unwrap_or_else(|| "prod".to_owned()),
        html: env.input("html").map(PathBuf::from),
        markdown: env.in_actions().then(|| {
            PathBuf::from(env.var("RUNNER_TEMP").unwrap_or("."))
                .join("ci-intel-telemetry-report.md")
        }),
        git: Some(PathBuf::from(".")).filter(|p| p.join(".git").exists()),
        incidents: None,
    };
    commands::cmd_report(&args, env)
}
