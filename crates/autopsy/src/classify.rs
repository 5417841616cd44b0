//! `classify` and `rules`: the command lines.

use std::fs::File;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use ci_intel_core::config::{self, LoadedConfig, Sections};
use ci_intel_core::{ExitCode, Failure, OutputFormat, RunnerEnv};
use ci_intel_secrets::redact::literals_from_env;

use crate::config::AutopsyConfig;
use crate::redact::Redactor;
use crate::report::{self, Autopsy, Input};
use crate::rules::compile::RuleSet;
use crate::rules::{self, Rule, RuleError};
use crate::scan::{ScanOptions, Scanner};

/// Output formats of `classify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable lines: each cause with its context and fix.
    Human,
    /// `{"root_causes": [...], "logs": [...], "stats": {...}}`.
    Json,
    /// SARIF 2.1.0, results at the failing code where the log names it.
    Sarif,
    /// GitHub annotations (`::error file=..,line=..::`).
    Github,
    /// The Markdown step summary.
    Markdown,
}

/// Arguments of `classify`.
#[derive(Debug, clap::Args)]
pub struct ClassifyArgs {
    /// Logs to read: raw GitHub Actions logs or plain text; `-` is
    /// standard input.
    #[arg(value_name = "LOG")]
    pub logs: Vec<PathBuf>,
    /// JUnit XML reports whose failed tests are causes too (repeatable).
    #[arg(long, value_name = "FILE")]
    pub junit: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Causes shown and written (default: `autopsy.top`, 5).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub top: Option<u16>,
    /// Lines of context before and after a matched line (default:
    /// `autopsy.context_lines`, 3).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=20))]
    pub context: Option<u8>,
    /// The job failed (the action passes this when it runs on failure): a
    /// log without a runner error marker is still a failure, reported as
    /// unclassified when no rule explains it, never as a pass.
    #[arg(long)]
    pub assume_failed: bool,
    /// Exit 1 when a failed log has no cause a rule explains.
    #[arg(long)]
    pub fail_on_unclassified: bool,
    /// Print how many logs were classified (stderr; in `stats` for JSON).
    #[arg(long)]
    pub stats: bool,
    /// The repository's rule files (default: `autopsy.rules_dir`,
    /// `.ci-intel/autopsy`, in the current directory).
    #[arg(long, value_name = "DIR")]
    pub rules_dir: Option<PathBuf>,
    /// Use the built-in rules only.
    #[arg(long, conflicts_with = "rules_dir")]
    pub no_repo_rules: bool,
    /// The checkout on the runner, removed from the front of file paths
    /// (default: `$GITHUB_WORKSPACE`).
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<String>,
    /// Also mask this environment variable's value wherever it appears
    /// (repeatable).
    #[arg(long = "env-name", value_name = "NAME")]
    pub env_names: Vec<String>,
    /// Write `{"root_causes": [...]}` (JSON, all formats' data) to FILE.
    #[arg(long, value_name = "FILE")]
    pub json_output: Option<PathBuf>,
    /// Write the pipeline_run v1.2 fragment `{"autopsy": {"root_causes": [...]}}` to FILE.
    #[arg(long, value_name = "FILE")]
    pub pipeline_run_output: Option<PathBuf>,
    /// Write SARIF 2.1.0 to FILE.
    #[arg(long, value_name = "FILE")]
    pub sarif_output: Option<PathBuf>,
    /// Append the Markdown summary to `$GITHUB_STEP_SUMMARY` (stderr
    /// outside Actions).
    #[arg(long)]
    pub summary: bool,
    /// The repository configuration (default: `.ci-intel/config.yml`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// An org policy overlay.
    #[arg(long, value_name = "FILE", env = "CI_INTEL_ORG_POLICY")]
    pub org_policy: Option<PathBuf>,
}

/// Arguments of `rules`.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// `human` lists the rules; `json` gives every field.
    #[arg(long, value_enum, default_value = "human")]
    pub format: RulesFormat,
    #[arg(long, value_name = "DIR")]
    pub rules_dir: Option<PathBuf>,
    #[arg(long, conflicts_with = "rules_dir")]
    pub no_repo_rules: bool,
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[arg(long, value_name = "FILE", env = "CI_INTEL_ORG_POLICY")]
    pub org_policy: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    Human,
    Json,
}

/// The effective `autopsy:` section.
pub fn load_config(
    config_path: Option<&Path>,
    org_policy: Option<&Path>,
) -> Result<(AutopsyConfig, LoadedConfig), Failure> {
    let loaded = config::load_cli(
        config_path,
        org_policy,
        &Sections::partial([crate::gate::section()]),
    )?;
    let autopsy = loaded.section(crate::gate::SECTION)?;
    Ok((autopsy, loaded))
}

/// The rules in effect and the problems of the repository's files (rules
/// that do not load are left out; the caller decides the exit code).
pub fn effective_rules(
    autopsy: &AutopsyConfig,
    rules_dir: Option<&Path>,
    no_repo_rules: bool,
) -> Result<(Vec<Rule>, Vec<RuleError>), Failure> {
    let builtin = rules::builtin().map_err(|errors| {
        Failure::infra(format!(
            "the built-in rule pack does not load (a bug in this build): {}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ))
    })?;
    if no_repo_rules {
        let mut rules = builtin;
        rules.retain(|r| !autopsy.disabled_rules.contains(&r.id));
        return Ok((rules, Vec::new()));
    }
    let (root, dir) = match rules_dir {
        Some(dir) => (PathBuf::new(), dir.display().to_string()),
        None => (PathBuf::new(), autopsy.rules_dir.clone()),
    };
    let files = rules::repository_files(&root, &dir).map_err(|e| Failure::infra(e.to_string()))?;
    match rules::merge(builtin.clone(), &files, &autopsy.disabled_rules) {
        Ok(rules) => Ok((rules, Vec::new())),
        Err(errors) => {
            // Keep every file that loads on its own; report the rest.
            let good: Vec<(String, String)> = files
                .iter()
                .filter(|(name, _)| !errors.iter().any(|e| &e.file == name))
                .cloned()
                .collect();
            let rules = rules::merge(builtin.clone(), &good, &[])
                .unwrap_or(builtin)
                .into_iter()
                .filter(|r| !autopsy.disabled_rules.contains(&r.id))
                .collect();
            Ok((rules, errors))
        }
    }
}

fn report_rule_errors(errors: &[RuleError]) {
    for error in errors {
        eprintln!("{}: error: {error}", crate::TOOL);
    }
    if !errors.is_empty() {
        eprintln!(
            "{}: {} problem(s) in the repository's rule files; those files were not used (docs/autopsy.md, \"Rule format\")",
            crate::TOOL,
            errors.len()
        );
    }
}

/// `ci-intel-autopsy classify`.
pub fn run_cli(args: &ClassifyArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    if args.logs.is_empty() && args.junit.is_empty() {
        return Err(Failure::usage(
            "nothing to classify: give one or more LOG files (or `-` for standard input) and/or --junit FILE",
        ));
    }
    let (autopsy, _loaded) = load_config(args.config.as_deref(), args.org_policy.as_deref())?;
    let (rules, rule_errors) =
        effective_rules(&autopsy, args.rules_dir.as_deref(), args.no_repo_rules)?;
    report_rule_errors(&rule_errors);
    let set = RuleSet::new(rules).map_err(Failure::infra)?;
    let redactor = Redactor::new(literals_from_env(&args.env_names, env)?);
    let context = args.context.unwrap_or(autopsy.context_lines).min(20) as usize;
    let opts = ScanOptions {
        context_before: context,
        context_after: context,
        workspace: args
            .workspace
            .clone()
            .or_else(|| env.var("GITHUB_WORKSPACE").map(str::to_owned)),
    };
    let mut inputs = Vec::new();
    let mut stdin_used = false;
    for path in &args.logs {
        let name = path.display().to_string();
        let scanner = Scanner::new(&set, &redactor, &opts);
        let analysis = if name == "-" {
            if stdin_used {
                return Err(Failure::usage("`-` (standard input) is given twice"));
            }
            stdin_used = true;
            scanner.read_all(io::stdin().lock())
        } else {
            let file = File::open(path).map_err(|e| {
                Failure::infra(format!("cannot read log {name}: {e}; check the path"))
            })?;
            scanner.read_all(file)
        }
        .map_err(|e| Failure::infra(format!("cannot read log {name}: {e}")))?;
        inputs.push(Input {
            name: if name == "-" {
                "stdin".to_owned()
            } else {
                name
            },
            analysis,
        });
    }
    let mut junit = Vec::new();
    for path in &args.junit {
        let failures = crate::junit::failures(path, &redactor).map_err(Failure::usage)?;
        junit.push((path.display().to_string(), failures));
    }
    let autopsy_report = report::build(&set, &inputs, &junit, args.assume_failed);
    let top = Some(args.top.map_or(autopsy.top as usize, usize::from));
    emit(args, env, &set, &autopsy_report, top)?;
    if args.stats {
        eprintln!("{}", autopsy_report.stats_line());
    }
    if !rule_errors.is_empty() {
        return Ok(ExitCode::Usage);
    }
    let unclassified = autopsy_report.logs.iter().any(|l| l.unclassified.is_some());
    if args.fail_on_unclassified && unclassified {
        return Ok(ExitCode::Deny);
    }
    Ok(ExitCode::Pass)
}

fn write_file(path: &Path, what: &str, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|e| Failure::infra(format!("cannot write {what} {}: {e}", path.display())))
}

fn emit(
    args: &ClassifyArgs,
    env: &RunnerEnv,
    set: &RuleSet,
    autopsy: &Autopsy,
    top: Option<usize>,
) -> Result<(), Failure> {
    let version = env!("CARGO_PKG_VERSION");
    let pretty = |value: &serde_json::Value| {
        let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
        text.push('\n');
        text
    };
    let text = match args.format {
        Format::Human => autopsy.human(top, false),
        Format::Json => pretty(&autopsy.json(top)),
        Format::Sarif => ci_intel_core::render::render(
            &autopsy.findings_report(set, version, top),
            OutputFormat::Sarif,
        ),
        Format::Github => ci_intel_core::render::render(
            &autopsy.findings_report(set, version, top),
            OutputFormat::Github,
        ),
        Format::Markdown => autopsy.markdown(top),
    };
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::infra(format!("cannot write to standard output: {e}")))?;
    if let Some(path) = &args.json_output {
        write_file(path, "--json-output", &pretty(&autopsy.json(top)))?;
    }
    if let Some(path) = &args.pipeline_run_output {
        let fragment = serde_json::json!({ "autopsy": autopsy.pipeline_run(top) });
        write_file(path, "--pipeline-run-output", &pretty(&fragment))?;
    }
    if let Some(path) = &args.sarif_output {
        ci_intel_core::render::write_sarif(&autopsy.findings_report(set, version, top), path)?;
    }
    if args.summary {
        env.append_summary(&autopsy.markdown(top))?;
    }
    if env.in_actions() {
        let first = autopsy.root_causes.first();
        env.set_output("causes", &autopsy.root_causes.len().to_string())?;
        env.set_output("top-rule", first.map_or("", |c| c.rule.as_str()))?;
        env.set_output("top-message", first.map_or("", |c| c.message.as_str()))?;
        env.set_output("signature", first.map_or("", |c| c.signature.as_str()))?;
        let classified = autopsy.stats.failed == autopsy.stats.classified;
        env.set_output("classified", if classified { "true" } else { "false" })?;
    }
    Ok(())
}

/// `ci-intel-autopsy rules`.
pub fn run_rules(args: &RulesArgs, _env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let (autopsy, _loaded) = load_config(args.config.as_deref(), args.org_policy.as_deref())?;
    let (rules, errors) = effective_rules(&autopsy, args.rules_dir.as_deref(), args.no_repo_rules)?;
    let mut out = String::new();
    match args.format {
        RulesFormat::Human => {
            for rule in &rules {
                out.push_str(&format!(
                    "{:<40} {:>3} {:<5} {:<10} {}  [{}]\n",
                    rule.id,
                    rule.priority,
                    rule.severity.as_str(),
                    rule.tool,
                    rule.title,
                    rule.origin
                ));
            }
            out.push_str(&format!("{}: {} rule(s)\n", crate::TOOL, rules.len()));
        }
        RulesFormat::Json => {
            let list: Vec<serde_json::Value> = rules.iter().map(rule_json).collect();
            out = serde_json::to_string_pretty(&list).unwrap_or_default();
            out.push('\n');
        }
    }
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .map_err(|e| Failure::infra(format!("cannot write to standard output: {e}")))?;
    report_rule_errors(&errors);
    Ok(if errors.is_empty() {
        ExitCode::Pass
    } else {
        ExitCode::Usage
    })
}

/// A rule as JSON (the `rules --format json` entries and the docs table).
pub fn rule_json(rule: &Rule) -> serde_json::Value {
    serde_json::json!({
        "id": rule.id,
        "tool": rule.tool,
        "title": rule.title,
        "priority": rule.priority,
        "severity": rule.severity.as_str(),
        "keywords": rule.keywords,
        "pattern": rule.pattern.as_str(),
        "exclude": rule.exclude.as_ref().map(|r| r.as_str()),
        "captures": rule.captures,
        "suggestion": rule.suggestion,
        "docs": rule.docs,
        "what": rule.what,
        "why": rule.why,
        "origin": rule.origin.to_string(),
    })
}
