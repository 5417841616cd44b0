//! The `ci-intel` umbrella CLI: `init`, `doctor`, `check`, and
//! `ci-intel <tool> ARGS` dispatch to `ci-intel-<tool>`.

pub mod check;
pub mod config_docs;
pub mod dispatch;
pub mod doctor;
pub mod evidence;
pub mod gates;
pub mod hub_pins;
pub mod init;
pub mod refs;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use ci_intel_core::{ExitCode, Failure, OutputFormat, Report, RunnerEnv, ToolInfo, render};

pub const TOOL: &str = "ci-intel";

#[derive(Debug, Parser)]
#[command(name = TOOL, version, about = "ci-intel: CI/CD gates that fail closed", allow_external_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Onboard a repository: caller workflow pinned to the hub, starter config, Renovate preset.
    Init {
        /// The repository to onboard.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The hub repository, OWNER/REPO.
        #[arg(long)]
        hub: String,
        /// The hub release to pin, e.g. v1.4.0.
        #[arg(long)]
        version: String,
        /// The full 40-character commit SHA of that release.
        #[arg(long)]
        sha: String,
        /// The branch whose pushes run the gates.
        #[arg(long, default_value = "main")]
        branch: String,
        /// Replace files that exist with different content.
        #[arg(long)]
        force: bool,
    },
    /// Validate the configuration layers and check every hub reference is SHA-pinned with a version comment.
    Doctor {
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Org policy overlay (YAML), applied between hub defaults and the
        /// repository's config. Default: $CI_INTEL_ORG_POLICY when set and non-empty.
        #[arg(long)]
        org_policy: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: OutputFormat,
    },
    /// Run every enabled gate locally with the configuration CI uses; exit with the worst result.
    Check {
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Org policy overlay (YAML), applied between hub defaults and the
        /// repository's config. Default: $CI_INTEL_ORG_POLICY when set and non-empty.
        #[arg(long)]
        org_policy: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: OutputFormat,
        /// Pass even when every gate was skipped (by default nothing checked is a denial).
        #[arg(long)]
        allow_empty: bool,
        /// Run only this gate (repeatable); `--list` shows the ids.
        #[arg(long = "gate", value_name = "ID")]
        gates: Vec<String>,
        /// List the gates (id, config section, enabled, what it checks) and exit.
        #[arg(long)]
        list: bool,
        /// Also print the step outputs (`output name=value`) outside Actions.
        #[arg(long, short)]
        verbose: bool,
        /// Write one in-toto statement per gate (DSSE envelope) into this
        /// directory: the evidence of every decision (docs/evidence.md).
        #[arg(long, value_name = "DIR")]
        evidence: Option<PathBuf>,
        /// Sign the statements with this PEM key (ECDSA P-256 or Ed25519).
        #[arg(long, value_name = "FILE", requires = "evidence")]
        sign_key: Option<PathBuf>,
    },
    /// SARIF hygiene: `ci-intel sarif merge FILE... --out FILE`.
    Sarif {
        #[command(subcommand)]
        command: SarifCommand,
    },
    #[command(external_subcommand)]
    External(Vec<OsString>),
}

#[derive(Debug, Subcommand)]
enum SarifCommand {
    /// Merge SARIF 2.1.0 logs of our tools and others: dedupe within and
    /// across tools, apply .ci-intel/suppressions.yml, respect GitHub's
    /// upload limits.
    Merge(ci_intel_evidence::cli::SarifMergeArgs),
}

/// Run the CLI with `args` (including the program name).
pub fn run<I, T>(args: I, env: &RunnerEnv) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ci_intel_core::cli::run_parsed(TOOL, args, |cli: Cli| {
        // The overlay: the flag, else CI_INTEL_ORG_POLICY; empty (an unset action
        // input) means none.
        let overlay = |flag: Option<PathBuf>| {
            flag.filter(|p| !p.as_os_str().is_empty())
                .or_else(|| env.var("CI_INTEL_ORG_POLICY").map(PathBuf::from))
        };
        match cli.command {
            Command::Init {
                dir,
                hub,
                version,
                sha,
                branch,
                force,
            } => cmd_init(&init::InitOptions {
                dir,
                hub,
                version,
                sha,
                branch,
                force,
            }),
            Command::Doctor {
                dir,
                org_policy,
                format,
            } => doctor::run(&dir, overlay(org_policy).as_deref(), format),
            Command::Check {
                dir,
                org_policy,
                format,
                allow_empty,
                gates,
                list,
                verbose,
                evidence,
                sign_key,
            } => {
                if list {
                    return cmd_list(&dir, overlay(org_policy).as_deref());
                }
                let options = check::CheckOptions {
                    allow_empty_run: allow_empty,
                    only: gates,
                };
                let evidence = evidence
                    .map(|out| evidence::Request::prepare(&dir, out, sign_key.as_deref(), env))
                    .transpose()?;
                cmd_check(
                    &dir,
                    overlay(org_policy).as_deref(),
                    format,
                    &options,
                    verbose,
                    evidence.as_ref(),
                    env,
                )
            }
            Command::Sarif {
                command: SarifCommand::Merge(args),
            } => ci_intel_evidence::cli::run_sarif_merge(&args, env),
            Command::External(args) => {
                let (tool, rest) = args
                    .split_first()
                    .map(|(t, r)| (t.to_string_lossy().into_owned(), r.to_vec()))
                    .unwrap_or_default();
                dispatch::run_tool(&tool, &rest)
            }
        }
    })
}

pub(crate) fn tool_info() -> ToolInfo {
    ToolInfo::new(TOOL, env!("CARGO_PKG_VERSION"))
}

fn cmd_init(options: &init::InitOptions) -> Result<ExitCode, Failure> {
    let started = std::time::Instant::now();
    let outcomes = init::init(options)?;
    for (path, outcome) in &outcomes {
        println!("{:<11} {path}", outcome.as_str());
    }
    let changed = outcomes.iter().any(|(_, o)| *o != init::Outcome::Unchanged);
    println!(
        "ci-intel init: {} pinned to {} ({}) in {} ms{}",
        options.hub,
        options.sha.to_ascii_lowercase(),
        options.version,
        started.elapsed().as_millis(),
        if changed {
            "; commit these files, then run `ci-intel doctor`"
        } else {
            "; already onboarded, nothing changed"
        }
    );
    Ok(ExitCode::Pass)
}

/// `ci-intel check --list`: the registry, and what the effective
/// configuration enables (when it loads).
fn cmd_list(
    dir: &std::path::Path,
    org_policy: Option<&std::path::Path>,
) -> Result<ExitCode, Failure> {
    let loaded = ci_intel_core::config::load(dir, org_policy, &gates::sections());
    println!("{:<10} {:<16} {:<8} checks", "gate", "section", "enabled");
    for gate in gates::GATES {
        let enabled = match &loaded {
            Ok(loaded) => match gate.enabled(loaded) {
                Some(true) => "yes",
                Some(false) => "no",
                None => "invalid",
            },
            Err(_) => "?",
        };
        println!(
            "{:<10} {:<16} {:<8} {}",
            gate.id(),
            gate.section().key,
            enabled,
            gate.summary()
        );
    }
    match loaded {
        Ok(_) => Ok(ExitCode::Pass),
        Err(failure) => Err(failure),
    }
}

fn cmd_check(
    dir: &std::path::Path,
    org_policy: Option<&std::path::Path>,
    format: OutputFormat,
    options: &check::CheckOptions,
    verbose: bool,
    evidence: Option<&evidence::Request>,
    env: &RunnerEnv,
) -> Result<ExitCode, Failure> {
    if !dir.is_dir() {
        return Err(Failure::usage(format!(
            "{} is not a directory",
            dir.display()
        )));
    }
    check::select(&options.only)?;
    let outcome = check::check_with(dir, org_policy, options, env);
    let report = Report::new(tool_info(), check::rules(), outcome.findings());
    let table = check::table(&outcome);
    match format {
        OutputFormat::Human => {
            print!("{}", render::render(&report, format));
            print!("{table}");
        }
        OutputFormat::Json => {
            let decisions: Vec<_> = outcome
                .gates
                .iter()
                .map(check::GateResult::decision)
                .collect();
            let mut value =
                serde_json::to_value(&report).map_err(|e| Failure::infra(e.to_string()))?;
            value["decisions"] =
                serde_json::to_value(&decisions).map_err(|e| Failure::infra(e.to_string()))?;
            value["result"] = outcome.exit.label().into();
            println!(
                "{}",
                serde_json::to_string_pretty(&value).map_err(|e| Failure::infra(e.to_string()))?
            );
            eprint!("{table}");
        }
        OutputFormat::Sarif | OutputFormat::Github => {
            print!("{}", render::render(&report, format));
            eprint!("{table}");
        }
    }
    // Step outputs go to $GITHUB_OUTPUT; on a terminal they are noise
    // unless asked for.
    if env.var("GITHUB_OUTPUT").is_some() || verbose {
        env.set_output("result", outcome.exit.label())?;
        let decisions: Vec<_> = outcome
            .gates
            .iter()
            .map(check::GateResult::decision)
            .collect();
        env.set_output(
            "decisions",
            &serde_json::to_string(&decisions).map_err(|e| Failure::infra(e.to_string()))?,
        )?;
    }
    if env.in_actions() {
        env.append_summary(&check::markdown(&outcome))?;
    }
    if let Some(request) = evidence {
        let written = request.write(&outcome)?;
        eprintln!(
            "ci-intel: evidence: {} statement(s) in {}{}",
            written.len(),
            request.dir.display(),
            if request.signed() {
                ", signed"
            } else {
                ", unsigned"
            }
        );
        if env.var("GITHUB_OUTPUT").is_some() {
            env.set_output("evidence", &request.dir.display().to_string())?;
        }
    }
    Ok(outcome.exit)
}
