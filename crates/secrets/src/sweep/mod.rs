//! `sweep`: runtime enforcement for a live job. Reads this process's
//! environment and every readable `<proc>/<pid>/environ`, and denies
//! long-lived credentials in a job that should be secretless.
//!
//! [`procfs`] reads environments, [`rules`] judges one variable, [`sweep`]
//! puts both together (deduplicating the same variable and secret across
//! processes), and [`run_cli`] is the command. What is denied and what is
//! allowed, and why, is in [`rules`] and docs/secrets.md.

pub mod procfs;
pub mod rules;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Serialize;

use ci_intel_core::{ExitCode, Failure, OutputFormat, RunnerEnv, Severity, Verdict};

use crate::report::{self, ProcessRef, SecretFinding};
use procfs::{ProcessEnv, ProcessRead};
use rules::EnvRules;

/// Command-line arguments of `sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Output format of the findings (stdout).
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// Check only this process's own environment, not other processes.
    #[arg(long)]
    pub self_only: bool,
    /// Where process directories are (default `/proc`). A directory of
    /// `<pid>/environ` (NUL-separated) and `<pid>/comm` files works too.
    #[arg(long, value_name = "DIR")]
    pub proc_root: Option<PathBuf>,
    /// A variable name that may hold anything (repeatable); added to
    /// `secrets.sweep.allowed_names` from the configuration.
    #[arg(long = "allow-name", value_name = "NAME")]
    pub allow_names: Vec<String>,
    /// Repository configuration (`.ci-intel/config.yml` format). Default:
    /// `.ci-intel/config.yml` in the current directory, if present.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Org policy overlay, applied below the repository configuration.
    #[arg(long, env = "CI_INTEL_ORG_POLICY", value_name = "FILE")]
    pub org_policy: Option<PathBuf>,
    /// Also list every process read, unreadable process and allowed
    /// variable on stderr (names and pids only, never values); `-vv` adds
    /// processes that exited and kernel threads.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// No summary line on stderr (the report on stdout is unchanged).
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
}

/// What the sweep looks at.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// `None`: only this process (`--self-only`).
    pub proc_root: Option<PathBuf>,
    /// True when the proc root was the default `/proc` rather than given.
    pub default_root: bool,
}

/// A variable allowed somewhere, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AllowedVariable {
    pub variable: String,
    pub reason: String,
    pub pids: Vec<u32>,
}

/// Counts and allowances of one sweep (`summary` in `--format json`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SweepSummary {
    /// The proc root read, or `null` with `--self-only`.
    pub proc_root: Option<String>,
    /// Processes considered: this one plus every `<pid>` directory.
    pub processes: usize,
    /// Environments read (this process's always is).
    pub environments_read: usize,
    /// Processes whose environment could not be read (other users').
    pub unreadable: usize,
    /// Processes that exited while the sweep ran, and kernel threads.
    pub gone: usize,
    /// Non-empty variables checked, over all environments.
    pub variables: usize,
    pub allowed: Vec<AllowedVariable>,
    pub findings: usize,
    pub fail_on: Option<Severity>,
    pub verdict: Option<Verdict>,
}

/// The result of a sweep.
#[derive(Debug, Clone, Default)]
pub struct SweepOutcome {
    pub findings: Vec<SecretFinding>,
    pub summary: SweepSummary,
    /// Lines for `--verbose` (names, pids and reasons; never values), each
    /// with the verbosity it needs: 1 for environments read, unreadable
    /// processes and allowances, 2 for processes gone.
    pub notes: Vec<(u8, String)>,
}

/// Sweep `own` (this process's environment) and, unless `--self-only`,
/// every process under the proc root.
pub fn sweep(
    rules: &EnvRules,
    own: &ProcessEnv,
    options: &SweepOptions,
) -> Result<SweepOutcome, Failure> {
    let mut acc = Accumulator::default();
    acc.summary.processes = 1;
    acc.add_environment(rules, own);

    if let Some(root) = &options.proc_root {
        acc.summary.proc_root = Some(root.display().to_string());
        match procfs::list_pids(root) {
            Ok(pids) => {
                // Our own pid under the system /proc is the environment
                // already read above; reading it twice would only repeat it.
                let skip = procfs::is_system_proc(root).then_some(own.process.pid);
                for pid in pids.into_iter().filter(|p| Some(*p) != skip) {
                    acc.summary.processes += 1;
                    match procfs::read_process(root, pid) {
                        ProcessRead::Read(env) => acc.add_environment(rules, &env),
                        ProcessRead::Unreadable { process, reason } => {
                            acc.summary.unreadable += 1;
                            acc.notes.push((
                                1,
                                format!(
                                    "pid {} ({}): environment unreadable: {reason}",
                                    process.pid, process.comm
                                ),
                            ));
                        }
                        ProcessRead::Gone { pid } => {
                            acc.summary.gone += 1;
                            acc.notes.push((
                                2,
                                format!(
                                    "pid {pid}: exited, or a kernel thread with no environment"
                                ),
                            ));
                        }
                    }
                }
            }
            Err(e) if options.default_root && e.kind() == std::io::ErrorKind::NotFound => {
                acc.notes.push((
                    1,
                    format!(
                        "{} does not exist on this system: only this process's environment was checked",
                        root.display()
                    ),
                ));
                acc.summary.proc_root = None;
            }
            Err(e) => {
                return Err(Failure::infra(format!(
                    "cannot list processes in {}: {e}",
                    root.display()
                )));
            }
        }
    }
    Ok(acc.finish())
}

#[derive(Default)]
struct Accumulator {
    findings: BTreeMap<(String, &'static str, String), (rules::VarFinding, BTreeSet<ProcessRef>)>,
    allowed: BTreeMap<(String, String), BTreeSet<u32>>,
    summary: SweepSummary,
    notes: Vec<(u8, String)>,
}

impl Accumulator {
    fn add_environment(&mut self, rules: &EnvRules, env: &ProcessEnv) {
        self.summary.environments_read += 1;
        let checked = env.vars.iter().filter(|v| !v.value.is_empty()).count();
        self.summary.variables += checked;
        self.notes.push((
            1,
            format!(
                "pid {} ({}){}: {checked} variable(s) checked",
                env.process.pid,
                env.process.comm,
                if env.is_self { ", this process" } else { "" }
            ),
        ));
        for var in &env.vars {
            let verdict = rules.classify(env, var);
            if verdict.findings.is_empty() && verdict.allowed.is_empty() {
                continue;
            }
            let name = rules.display_name(&var.name);
            for reason in verdict.allowed {
                self.allowed
                    .entry((name.clone(), reason))
                    .or_default()
                    .insert(env.process.pid);
            }
            for finding in verdict.findings {
                self.findings
                    .entry((name.clone(), finding.rule, finding.fingerprint.clone()))
                    .or_insert_with(|| (finding, BTreeSet::new()))
                    .1
                    .insert(env.process.clone());
            }
        }
    }

    fn finish(mut self) -> SweepOutcome {
        for ((variable, reason), pids) in &self.allowed {
            self.notes.push((
                1,
                format!(
                    "allowed {variable} in pid(s) {}: {reason}",
                    join(pids.iter().map(u32::to_string))
                ),
            ));
        }
        self.summary.allowed = self
            .allowed
            .into_iter()
            .map(|((variable, reason), pids)| AllowedVariable {
                variable,
                reason,
                pids: pids.into_iter().collect(),
            })
            .collect();
        let findings: Vec<SecretFinding> = self
            .findings
            .into_iter()
            .map(|((variable, _, _), (finding, processes))| {
                let processes: Vec<ProcessRef> = processes.into_iter().collect();
                let seen_in = join(
                    processes
                        .iter()
                        .map(|p| format!("pid {} ({})", p.pid, p.comm)),
                );
                SecretFinding {
                    rule: finding.rule.to_owned(),
                    severity: finding.severity,
                    confidence: finding.confidence,
                    file: format!("env:{variable}"),
                    line: None,
                    fingerprint: finding.fingerprint,
                    preview: finding.preview,
                    message: format!("{}; seen in {seen_in}", finding.message),
                    variable: Some(variable),
                    processes,
                    occurrences: None,
                    fix: Some(finding.fix.to_owned()),
                }
            })
            .collect();
        self.summary.findings = findings.len();
        SweepOutcome {
            findings,
            summary: self.summary,
            notes: self.notes,
        }
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

/// The names allowed whatever they hold: `secrets.sweep.allowed_names`
/// plus `--allow-name`. When the org locked the list, a flag may not add a
/// name to it (that would loosen a locked key).
pub fn allowed_names(
    configured: &[String],
    flags: &[String],
    locked: bool,
) -> Result<BTreeSet<String>, Failure> {
    let mut names = BTreeSet::new();
    for name in configured {
        names.insert(valid_name(name, "secrets.sweep.allowed_names entry")?);
    }
    for name in flags {
        let name = valid_name(name, "--allow-name")?;
        if locked && !names.contains(&name) {
            return Err(Failure::usage(format!(
                "--allow-name {name}: secrets.sweep.allowed_names is locked by the org policy and does not list it; a repository may only allow fewer names"
            )));
        }
        names.insert(name);
    }
    Ok(names)
}

fn valid_name(name: &str, what: &str) -> Result<String, Failure> {
    if name.is_empty() || name.contains(['=', '\0']) {
        return Err(Failure::usage(format!(
            "{what} {name:?}: not an environment variable name"
        )));
    }
    Ok(name.to_owned())
}

/// `ci-intel-secrets sweep`.
pub fn run_cli(args: &SweepArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let (secrets, loaded) =
        crate::scan::cli::load_config(args.config.as_deref(), args.org_policy.as_deref())?;
    let allowed_names = allowed_names(
        &secrets.sweep.allowed_names,
        &args.allow_names,
        loaded
            .locked
            .iter()
            .any(|k| k == "secrets.sweep.allowed_names" || k == "secrets.sweep" || k == "secrets"),
    )?;
    // Rules the repository turned off for the secrets gate do not deny here
    // either; the rest of the scan allowlist (paths, regexes, stopwords) is
    // about files and does not apply to an environment.
    let detector = crate::detect::Detector::without(&secrets.disabled_rules)?;
    let rules = EnvRules::new(detector, allowed_names);
    let options = SweepOptions {
        proc_root: if args.self_only {
            None
        } else {
            Some(
                args.proc_root
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("/proc")),
            )
        },
        default_root: args.proc_root.is_none(),
    };
    let own = procfs::own_environment();
    let mut outcome = sweep(&rules, &own, &options)?;
    drop(own);

    for (level, note) in &outcome.notes {
        if args.verbose >= *level {
            eprintln!("{}: sweep: {note}", crate::TOOL);
        }
    }
    let summary = &mut outcome.summary;
    if summary.variables == 0 {
        return Err(Failure::infra(format!(
            "sweep read no environment variable ({} environment(s) read, {} unreadable, {} gone): nothing was checked, which is not a pass",
            summary.environments_read, summary.unreadable, summary.gone
        )));
    }

    let fail_on = loaded.config.fail_on;
    let verdict = Verdict::from_findings(
        &outcome
            .findings
            .iter()
            .map(SecretFinding::to_core)
            .collect::<Vec<_>>(),
        fail_on,
    );
    summary.fail_on = Some(fail_on);
    summary.verdict = Some(verdict);

    let metas = report::rule_metas(rules.detector(), rules::ENV_RULES);
    let text = report::render_findings(&outcome.findings, &outcome.summary, metas, args.format);
    report::write_text(&mut std::io::stdout().lock(), &text, "standard output")?;

    let summary = &outcome.summary;
    if !args.quiet {
        eprintln!(
            "{} sweep: {} environment(s) read of {} process(es) ({} unreadable, {} gone), {} variable(s), {} allowed, {} finding(s), failing at {fail_on}: {}",
            crate::TOOL,
            summary.environments_read,
            summary.processes,
            summary.unreadable,
            summary.gone,
            summary.variables,
            summary.allowed.len(),
            summary.findings,
            verdict.as_str()
        );
    }
    env.set_output("result", verdict.as_str())?;
    env.set_output("findings", &summary.findings.to_string())?;
    if env.in_actions() {
        env.append_summary(&step_summary(&outcome, fail_on, verdict))?;
    }
    Ok(verdict.exit_code())
}

fn step_summary(outcome: &SweepOutcome, fail_on: Severity, verdict: Verdict) -> String {
    let summary = &outcome.summary;
    let mut md = format!(
        "### ci-intel secrets sweep\n\n{} environment(s) read ({} unreadable), {} variable(s), {} finding(s), failing at {fail_on}: **{}**\n",
        summary.environments_read,
        summary.unreadable,
        summary.variables,
        summary.findings,
        verdict.as_str()
    );
    if !outcome.findings.is_empty() {
        md.push_str("\n| variable | rule | processes | fingerprint |\n|---|---|---|---|\n");
        for f in outcome.findings.iter().take(100) {
            let processes = join(
                f.processes
                    .iter()
                    .map(|p| format!("{} ({})", p.pid, p.comm)),
            );
            md.push_str(&format!(
                "| `{}` | {} | {} | `{}` |\n",
                f.variable
                    .as_deref()
                    .unwrap_or_default()
                    .replace('|', "\\|"),
                f.rule,
                processes.replace('|', "\\|"),
                f.fingerprint
            ));
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Detector;
    use crate::test_support::classic_pat;
    use procfs::EnvVar;
    use std::path::Path;

    fn process(pid: u32, vars: &[(&str, &str)]) -> ProcessEnv {
        ProcessEnv {
            process: ProcessRef {
                pid,
                comm: format!("p{pid}"),
            },
            is_self: false,
            vars: vars
                .iter()
                .map(|(n, v)| EnvVar {
                    name: n.as_bytes().to_vec(),
                    value: v.as_bytes().to_vec(),
                })
                .collect(),
            fs_view: None,
        }
    }

    fn write_proc(root: &Path, pid: u32, comm: &str, environ: &[u8]) {
        let dir = root.join(pid.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("comm"), format!("{comm}\n")).unwrap();
        std::fs::write(dir.join("environ"), environ).unwrap();
    }

    #[test]
    fn the_same_secret_in_many_processes_is_one_finding_listing_every_pid() {
        let pat = classic_pat(11);
        let dir = tempfile::tempdir().unwrap();
        let environ = format!("HOME=/h\0DEPLOY_TOKEN={pat}\0");
        write_proc(dir.path(), 100, "bash", environ.as_bytes());
        write_proc(dir.path(), 101, "make", environ.as_bytes());
        write_proc(dir.path(), 102, "cc", b"PATH=/bin\0");
        std::fs::create_dir_all(dir.path().join("self")).unwrap(); // not a pid
        let own = process(7, &[("OTHER_TOKEN", &pat)]);
        let rules = EnvRules::new(Detector::builtin(), BTreeSet::new());
        let options = SweepOptions {
            proc_root: Some(dir.path().to_path_buf()),
            default_root: false,
        };
        let outcome = sweep(&rules, &own, &options).unwrap();
        assert_eq!(outcome.findings.len(), 2, "{:?}", outcome.findings);
        let deploy = outcome
            .findings
            .iter()
            .find(|f| f.file == "env:DEPLOY_TOKEN")
            .unwrap();
        let pids: Vec<u32> = deploy.processes.iter().map(|p| p.pid).collect();
        assert_eq!(pids, [100, 101]);
        assert!(deploy.message.contains("pid 100 (bash), pid 101 (make)"));
        assert_eq!(
            deploy.fingerprint,
            crate::secret::fingerprint(pat.as_bytes())
        );
        assert_eq!(outcome.summary.processes, 4);
        assert_eq!(outcome.summary.environments_read, 4);
        assert_eq!(outcome.summary.variables, 6);
    }

    #[test]
    fn missing_processes_count_as_gone_and_an_explicit_missing_root_is_an_error() {
        let rules = EnvRules::new(Detector::builtin(), BTreeSet::new());
        let own = process(7, &[("HOME", "/h")]);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("55")).unwrap(); // no environ: exited
        let outcome = sweep(
            &rules,
            &own,
            &SweepOptions {
                proc_root: Some(dir.path().to_path_buf()),
                default_root: false,
            },
        )
        .unwrap();
        assert_eq!(outcome.summary.gone, 1);
        let missing = dir.path().join("nope");
        let err = sweep(
            &rules,
            &own,
            &SweepOptions {
                proc_root: Some(missing.clone()),
                default_root: false,
            },
        )
        .unwrap_err();
        assert_eq!(err.code, ExitCode::Infra);
        assert!(err.message.contains("nope"));
        // The default /proc missing (another OS) is a note, not an error.
        let outcome = sweep(
            &rules,
            &own,
            &SweepOptions {
                proc_root: Some(missing),
                default_root: true,
            },
        )
        .unwrap();
        assert_eq!(outcome.summary.proc_root, None);
    }
}
