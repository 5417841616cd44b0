//! The command line: `run` and `compare`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use ci_intel_core::{ExitCode, Failure, RunnerEnv};

use crate::compare::{self, CompareOptions, Report};
use crate::double::{self, From, RunRequest};
use crate::variations;

#[derive(Debug, Parser)]
#[command(
    name = crate::TOOL,
    version,
    about = "Determinism gate: build twice, normalised and varied, and explain every difference"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build twice from two copies of the tree and compare the outputs.
    Run(Box<RunArgs>),
    /// Compare two output trees, two manifests, or two files.
    Compare(CompareArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// Output on standard output.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Also write the JSON report (evidence) here.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Compare permission bits too.
    #[arg(long)]
    modes: bool,
    /// Never run diffoscope, even when it is installed.
    #[arg(long)]
    no_diffoscope: bool,
    /// Seconds diffoscope may take per differing file.
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    diffoscope_timeout: u64,
}

impl ReportArgs {
    fn options(&self) -> CompareOptions {
        CompareOptions {
            modes: self.modes,
            diffoscope: if self.no_diffoscope {
                None
            } else {
                crate::diffoscope::find().map(|p| (p, Duration::from_secs(self.diffoscope_timeout)))
            },
            ..CompareOptions::default()
        }
    }
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Output files to compare: globs relative to the tree (`target/release/app`,
    /// `dist/*.whl`). Repeat or separate with commas.
    #[arg(long, value_name = "GLOB", required = true, num_args = 1.., value_delimiter = ',')]
    outputs: Vec<String>,
    /// reprotest-like: `+all,-time`, `build_path,umask`, `none`. Known:
    /// build_path, time_zone, locales, umask, environment, file_order, time.
    #[arg(long, value_name = "SPEC")]
    variations: Option<String>,
    /// The tree to build.
    #[arg(long, value_name = "DIR", default_value = ".")]
    source: PathBuf,
    /// Which files to copy: head (committed), worktree (default in a git
    /// checkout), all (default elsewhere).
    #[arg(long, value_enum)]
    from: Option<From>,
    /// SOURCE_DATE_EPOCH for both builds (default: the commit time).
    #[arg(long, value_name = "SECONDS")]
    source_date_epoch: Option<u64>,
    /// Where to put the copies (default: a temporary folder).
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
    /// Keep the copies and outputs for diagnosis.
    #[arg(long)]
    keep: bool,
    /// Copy the outputs of both builds here (`a/...`, `b/...`) after the
    /// comparison, identical or not.
    #[arg(long, value_name = "DIR")]
    keep_outputs: Option<PathBuf>,
    #[command(flatten)]
    report: ReportArgs,
    /// The build command, after `--`.
    #[arg(last = true, required = true, value_name = "BUILD-COMMAND")]
    command: Vec<String>,
}

#[derive(Debug, Args)]
struct CompareArgs {
    a: PathBuf,
    b: PathBuf,
    #[command(flatten)]
    report: ReportArgs,
}

/// Run a parsed command line.
pub fn run_cli(cli: Cli, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Run(args) => {
            let from = args.from.unwrap_or(if args.source.join(".git").exists() {
                From::Worktree
            } else {
                From::All
            });
            let variations = match &args.variations {
                Some(spec) => variations::parse_spec(spec)?,
                None => variations::DEFAULT.to_vec(),
            };
            let keep = args.keep || args.keep_outputs.is_some();
            let work_dir = match (&args.work_dir, &args.keep_outputs) {
                (Some(dir), _) => Some(dir.clone()),
                (None, Some(_)) => Some(
                    std::env::temp_dir().join(format!("ci-intel-repro.{}", std::process::id())),
                ),
                (None, None) => None,
            };
            let request = RunRequest {
                source: args.source.clone(),
                from,
                outputs: args.outputs.clone(),
                command: args.command.clone(),
                variations,
                source_date_epoch: args.source_date_epoch,
                work_dir: work_dir.clone(),
                keep,
                compare: args.report.options(),
            };
            let report = double::run(&request)?;
            if let (Some(dest), Some(work)) = (&args.keep_outputs, &work_dir) {
                for side in ["a", "b"] {
                    let from = work.join(format!("out-{side}"));
                    let to = dest.join(side);
                    let _ = std::fs::remove_dir_all(&to);
                    std::fs::create_dir_all(dest)
                        .map_err(|e| Failure::infra(format!("{}: {e}", dest.display())))?;
                    std::fs::rename(&from, &to).map_err(|e| {
                        Failure::infra(format!(
                            "cannot move {} to {}: {e}",
                            from.display(),
                            to.display()
                        ))
                    })?;
                }
                if args.work_dir.is_none() && !args.keep {
                    let _ = std::fs::remove_dir_all(work);
                }
            }
            conclude(&report, &args.report, env)
        }
        Command::Compare(args) => {
            let report = compare::compare(&args.a, &args.b, &args.report.options())?;
            conclude(&report, &args.report, env)
        }
    }
}

fn conclude(report: &Report, args: &ReportArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let json = serde_json::to_string_pretty(report)
        .map_err(|e| Failure::infra(format!("cannot render the report: {e}")))?;
    if let Some(path) = &args.report {
        std::fs::write(path, format!("{json}\n")).map_err(|e| {
            Failure::infra(format!("cannot write --report {}: {e}", path.display()))
        })?;
    }
    match args.format {
        Format::Json => println!("{json}"),
        Format::Markdown => println!("{}", compare::markdown(report)),
        Format::Human => print!("{}", compare::human(report)),
    }
    env.set_output("result", report.verdict)?;
    env.set_output("differences", &report.differences.len().to_string())?;
    if env.in_actions() {
        env.append_summary(&compare::markdown(report))?;
    }
    Ok(if report.identical() {
        ExitCode::Pass
    } else {
        ExitCode::Deny
    })
}
