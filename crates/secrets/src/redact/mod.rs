//! `redact`: a streaming log filter. Standard input to standard output,
//! with every secret the detectors recognise and every value named by
//! `--env-name` masked, in constant memory.
//!
//! [`masker`] decides what to mask (the sliding window), [`emitter`] writes
//! the stream and the `::add-mask::` commands, [`redact`] runs both over a
//! reader, and [`run_cli`] is the command.

pub mod emitter;
pub mod masker;

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;

use serde::Serialize;

use ci_intel_core::{Confidence, ExitCode, Failure, OutputFormat, RunnerEnv, Severity, Verdict};

use crate::detect::Detector;
use crate::report::{self, SecretFinding};
use emitter::Emitter;
use masker::{Literal, MaskEvent, MaskSink, MaskStyle, Masker, Window};

/// The most distinct secrets listed in the report; more are counted in
/// `summary.unlisted` (memory stays bounded on any input).
pub const MAX_LISTED: usize = 10_000;

/// The default read size.
pub const DEFAULT_BUFFER_SIZE: u32 = 64 * 1024;

/// Command-line arguments of `redact`.
#[derive(Debug, clap::Args)]
pub struct RedactArgs {
    /// Also mask the value of this environment variable wherever it
    /// appears (repeatable). An unset or empty variable is a usage error.
    #[arg(long = "env-name", value_name = "NAME")]
    pub env_names: Vec<String>,
    /// What a secret is replaced with.
    #[arg(long, value_enum, default_value = "labelled")]
    pub mask: MaskStyle,
    /// Exit 1 when anything was masked (default: exit 0, this is a filter).
    #[arg(long)]
    pub fail_on_detect: bool,
    /// Format of the report of what was masked (stderr, or --report).
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// Write the report to this file instead of stderr.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// The input's name in the report (e.g. `build.log`).
    #[arg(long, value_name = "NAME", default_value = "stdin")]
    pub input_name: String,
    /// Where `::add-mask::` commands go inside GitHub Actions: `auto` is
    /// stdout, unless stdout is a regular file (a log to upload), then
    /// stderr. Outside Actions there are none, whatever this says.
    #[arg(long, value_enum, default_value = "auto")]
    pub add_mask: AddMaskArg,
    /// Bytes per read from stdin (1 to 16 MiB). Does not change the output.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_BUFFER_SIZE,
          value_parser = clap::value_parser!(u32).range(1..=16 * 1024 * 1024))]
    pub buffer_size: u32,
    /// Also log each masked secret on stderr as it is found (rule, line,
    /// fingerprint; never the value).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// No report on stderr (a --report file is still written).
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AddMaskArg {
    Auto,
    Stdout,
    Stderr,
    Never,
}

/// Where `::add-mask::` commands go, once decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AddMaskPlan {
    Off,
    Stdout,
    Stderr,
}

/// Decide where `::add-mask::` commands go. Outside Actions: nowhere, so a
/// value is never printed for a terminal or a file.
pub fn add_mask_plan(
    arg: AddMaskArg,
    in_actions: bool,
    stdout_is_file: impl FnOnce() -> bool,
) -> AddMaskPlan {
    if !in_actions {
        return AddMaskPlan::Off;
    }
    match arg {
        AddMaskArg::Never => AddMaskPlan::Off,
        AddMaskArg::Stdout => AddMaskPlan::Stdout,
        AddMaskArg::Stderr => AddMaskPlan::Stderr,
        AddMaskArg::Auto if stdout_is_file() => AddMaskPlan::Stderr,
        AddMaskArg::Auto => AddMaskPlan::Stdout,
    }
}

/// True when standard output is a regular file (`> build.log`). When this
/// cannot be told, the answer is true: the commands then go to stderr, the
/// choice that cannot put a value into a file.
pub fn stdout_is_regular_file() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd as _;
        match io::stdout().as_fd().try_clone_to_owned() {
            Ok(fd) => std::fs::File::from(fd)
                .metadata()
                .map_or(true, |m| m.file_type().is_file()),
            Err(_) => true,
        }
    }
    #[cfg(windows)]
    {
        use std::os::windows::io::AsHandle as _;
        match io::stdout().as_handle().try_clone_to_owned() {
            Ok(handle) => std::fs::File::from(handle)
                .metadata()
                .map_or(true, |m| m.file_type().is_file()),
            Err(_) => true,
        }
    }
    #[cfg(not(any(unix, windows)))]
    {
        true
    }
}

/// What one `redact` run needs besides its reader and writer.
#[derive(Debug, Clone)]
pub struct RedactConfig {
    pub literals: Vec<Literal>,
    pub style: MaskStyle,
    pub window: Window,
    /// Bytes per read.
    pub read_size: usize,
    /// The input's name in findings.
    pub input_name: String,
}

/// Counts of one run (`summary` in `--format json`).
#[derive(Debug, Clone, Serialize)]
pub struct RedactSummary {
    pub input: String,
    pub bytes: u64,
    /// Secrets masked (every occurrence).
    pub masked: u64,
    /// Distinct secrets (rule and fingerprint) listed as findings.
    pub distinct: usize,
    /// Distinct secrets beyond [`MAX_LISTED`], counted but not listed.
    pub unlisted: u64,
    /// The variables whose values were masked (`--env-name`).
    pub env_names: Vec<String>,
    pub mask: MaskStyle,
    pub add_mask: AddMaskPlan,
    pub verdict: Verdict,
}

/// What a run found and how far the buffers went.
#[derive(Debug, Clone)]
pub struct RedactOutcome {
    pub bytes: u64,
    pub masked: u64,
    pub findings: Vec<SecretFinding>,
    pub unlisted: u64,
    pub peak_buffered: usize,
    pub buffer_bound: usize,
}

#[derive(Debug)]
struct Seen {
    rule: &'static str,
    variable: Option<String>,
    first_line: u64,
    occurrences: u64,
    preview: String,
}

/// The distinct secrets seen, bounded.
#[derive(Debug, Default)]
struct MaskLog {
    seen: BTreeMap<(&'static str, String), Seen>,
    unlisted: u64,
}

impl MaskLog {
    /// Record an event; true when this secret was not seen before (or the
    /// log is full and cannot tell), so it must be registered with the
    /// runner.
    fn record(&mut self, event: &MaskEvent<'_>) -> bool {
        let key = (event.rule, event.fingerprint.clone());
        if let Some(seen) = self.seen.get_mut(&key) {
            seen.occurrences += 1;
            return false;
        }
        if self.seen.len() >= MAX_LISTED {
            self.unlisted += 1;
            return true;
        }
        self.seen.insert(
            key,
            Seen {
                rule: event.rule,
                variable: event.variable.map(str::to_owned),
                first_line: event.line,
                occurrences: 1,
                preview: event.preview.clone(),
            },
        );
        true
    }

    fn findings(self, input_name: &str) -> Vec<SecretFinding> {
        self.seen
            .into_iter()
            .map(|((_, fingerprint), seen)| {
                let what = match &seen.variable {
                    Some(name) => format!("the value of {name} (--env-name)"),
                    None => format!("a secret ({})", seen.rule),
                };
                SecretFinding {
                    rule: seen.rule.to_owned(),
                    severity: Severity::High,
                    confidence: Confidence::High,
                    file: input_name.to_owned(),
                    line: Some(seen.first_line),
                    fingerprint,
                    preview: seen.preview,
                    message: format!(
                        "masked {what}: {} occurrence(s), first on line {}",
                        seen.occurrences, seen.first_line
                    ),
                    variable: seen.variable,
                    processes: Vec::new(),
                    occurrences: Some(seen.occurrences),
                    fix: Some(
                        "the log is safe to keep; the secret itself leaked into the build's output: rotate it and stop printing it"
                            .to_owned(),
                    ),
                }
            })
            .collect()
    }
}

struct StreamSink<'a, 'w, W: Write> {
    emitter: &'a mut Emitter<W>,
    log: &'a mut MaskLog,
    verbose: Option<&'a mut (dyn Write + 'w)>,
    input_name: &'a str,
}

impl<W: Write> MaskSink for StreamSink<'_, '_, W> {
    fn pass(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.emitter.write(bytes)
    }

    fn masked(&mut self, event: &MaskEvent<'_>) -> io::Result<()> {
        if self.log.record(event) {
            self.emitter.add_mask(event.value)?;
        }
        self.emitter.write(event.replacement)?;
        if let Some(verbose) = self.verbose.as_mut() {
            // Diagnostics are best effort: a closed stderr must not stop
            // the stream.
            let _ = writeln!(
                verbose,
                "{}: redact: {}:{}: masked {} {} {}",
                crate::TOOL,
                self.input_name,
                event.line,
                event.rule,
                event.fingerprint,
                event.preview
            );
        }
        Ok(())
    }
}

/// Why a run stopped.
#[derive(Debug)]
pub enum StreamError {
    Read(io::Error),
    Write(io::Error),
    Setup(io::Error),
}

impl StreamError {
    /// Every stream error is an infrastructure error (exit 3).
    pub fn into_failure(self, input_name: &str) -> Failure {
        match self {
            StreamError::Read(e) => Failure::infra(format!(
                "cannot read {input_name}: {e}; the bytes not yet written were dropped, never written unmasked"
            )),
            StreamError::Write(e) => Failure::infra(format!("cannot write the masked stream: {e}")),
            StreamError::Setup(e) => Failure::usage(format!("cannot mask these values: {e}")),
        }
    }
}

/// Mask everything `reader` gives into `emitter`. On a read error the bytes
/// still undecided (they might be the start of a secret) are dropped, not
/// written.
pub fn redact<R: Read, W: Write>(
    mut reader: R,
    emitter: &mut Emitter<W>,
    detector: &Detector,
    config: &RedactConfig,
    verbose: Option<&mut (dyn Write + '_)>,
) -> Result<RedactOutcome, StreamError> {
    let mut masker = Masker::new(
        detector,
        config.literals.clone(),
        config.style,
        config.window,
    )
    .map_err(StreamError::Setup)?;
    let mut log = MaskLog::default();
    let mut sink = StreamSink {
        emitter,
        log: &mut log,
        verbose,
        input_name: &config.input_name,
    };
    let mut chunk = vec![0u8; config.read_size.max(1)];
    let mut bytes = 0u64;
    loop {
        let read = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(StreamError::Read(e)),
        };
        bytes += read as u64;
        masker
            .feed(&chunk[..read], &mut sink)
            .map_err(StreamError::Write)?;
        // A live log should show up as it is decided, not at the end.
        sink.emitter.flush().map_err(StreamError::Write)?;
    }
    masker.finish(&mut sink).map_err(StreamError::Write)?;
    Ok(RedactOutcome {
        bytes,
        masked: masker.masked(),
        unlisted: log.unlisted,
        findings: log.findings(&config.input_name),
        peak_buffered: masker.peak_buffered(),
        buffer_bound: masker.buffer_bound(),
    })
}

/// The values of `--env-name` variables. Unset or empty is a usage error:
/// the caller asked for a value to be masked, and masking nothing would
/// look like success.
pub fn literals_from_env(names: &[String], env: &RunnerEnv) -> Result<Vec<Literal>, Failure> {
    names
        .iter()
        .map(|name| match env.var(name) {
            Some(value) => Ok(Literal {
                name: name.clone(),
                value: value.as_bytes().to_vec(),
            }),
            None => Err(Failure::usage(format!(
                "--env-name {name}: the variable is unset or empty, so there is no value to mask; set it, or drop the flag"
            ))),
        })
        .collect()
}

/// `ci-intel-secrets redact`.
pub fn run_cli(args: &RedactArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let literals = literals_from_env(&args.env_names, env)?;
    let plan = add_mask_plan(args.add_mask, env.in_actions(), stdout_is_regular_file);
    if !env.in_actions() && matches!(args.add_mask, AddMaskArg::Stdout | AddMaskArg::Stderr) {
        eprintln!(
            "{}: redact: not in GitHub Actions (GITHUB_ACTIONS is not `true`): no add-mask command is written, whatever --add-mask says",
            crate::TOOL
        );
    }
    let detector = Detector::builtin();
    let config = RedactConfig {
        literals,
        style: args.mask,
        window: Window::for_detectors(),
        read_size: args.buffer_size as usize,
        input_name: args.input_name.clone(),
    };
    let stdout = BufWriter::new(io::stdout().lock());
    let mut emitter = match plan {
        AddMaskPlan::Off => Emitter::direct(stdout),
        AddMaskPlan::Stdout => Emitter::inline(stdout, emitter::DEFAULT_PENDING_CAP),
        AddMaskPlan::Stderr => Emitter::separate(stdout, Box::new(io::stderr())),
    };
    let mut stderr = io::stderr();
    let verbose: Option<&mut dyn Write> = (args.verbose > 0).then_some(&mut stderr);
    let outcome = redact(
        io::stdin().lock(),
        &mut emitter,
        &detector,
        &config,
        verbose,
    )
    .map_err(|e| e.into_failure(&config.input_name))?;
    emitter
        .finish()
        .map_err(|e| StreamError::Write(e).into_failure(&config.input_name))?;

    let verdict = if outcome.masked == 0 {
        Verdict::Allow
    } else if args.fail_on_detect {
        Verdict::Deny
    } else {
        Verdict::Warn
    };
    let summary = RedactSummary {
        input: config.input_name.clone(),
        bytes: outcome.bytes,
        masked: outcome.masked,
        distinct: outcome.findings.len(),
        unlisted: outcome.unlisted,
        env_names: config.literals.iter().map(|l| l.name.clone()).collect(),
        mask: args.mask,
        add_mask: plan,
        verdict,
    };
    let literal_rule: &[(&str, &str)] = if config.literals.is_empty() {
        &[]
    } else {
        &[(
            masker::LITERAL_RULE,
            "The value of an environment variable named with --env-name",
        )]
    };
    let metas = report::rule_metas(&detector, literal_rule);
    let text = report::render_findings(&outcome.findings, &summary, metas, args.format);
    match &args.report {
        Some(path) => std::fs::write(path, text.as_bytes()).map_err(|e| {
            Failure::infra(format!("cannot write --report {}: {e}", path.display()))
        })?,
        None if !args.quiet => report::write_text(&mut io::stderr(), &text, "standard error")?,
        None => {}
    }
    if !args.quiet {
        eprintln!(
            "{} redact: {} byte(s), {} secret(s) masked ({} distinct): {}",
            crate::TOOL,
            summary.bytes,
            summary.masked,
            summary.distinct + summary.unlisted as usize,
            verdict.as_str()
        );
    }
    env.set_output("masked", &summary.masked.to_string())?;
    env.set_output("result", verdict.as_str())?;
    Ok(verdict.exit_code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_mask_is_never_planned_outside_actions() {
        for arg in [
            AddMaskArg::Auto,
            AddMaskArg::Stdout,
            AddMaskArg::Stderr,
            AddMaskArg::Never,
        ] {
            assert_eq!(add_mask_plan(arg, false, || false), AddMaskPlan::Off);
        }
        assert_eq!(
            add_mask_plan(AddMaskArg::Auto, true, || false),
            AddMaskPlan::Stdout
        );
        assert_eq!(
            add_mask_plan(AddMaskArg::Auto, true, || true),
            AddMaskPlan::Stderr
        );
        assert_eq!(
            add_mask_plan(AddMaskArg::Never, true, || false),
            AddMaskPlan::Off
        );
    }

    #[test]
    fn unset_or_empty_env_names_are_usage_errors_naming_the_variable() {
        let env = RunnerEnv::from_pairs([("SET", "value"), ("EMPTY", "")]);
        let literals = literals_from_env(&["SET".to_owned()], &env).unwrap();
        assert_eq!(literals[0].value, b"value");
        for name in ["EMPTY", "UNSET"] {
            let err = literals_from_env(&[name.to_owned()], &env).unwrap_err();
            assert_eq!(err.code, ExitCode::Usage);
            assert!(err.message.contains(name), "{}", err.message);
        }
    }
}
