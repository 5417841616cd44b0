//! `ci-intel-secrets scan`: arguments, configuration, output, exit code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::SecretsConfig;
use ci_intel_core::config::{self, LoadedConfig, Sections};
use ci_intel_core::{ExitCode, Failure, OutputFormat, RunnerEnv, Severity, ToolInfo, render};

use super::baseline::{BASELINE_VERSION, Baseline, BaselineEntry, BaselineFile};
use super::{
    ScanOptions, ScanReport, ScanSummary, SecretFinding, scan_diff, scan_history, scan_paths,
};

/// Command-line arguments of `scan`.
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Files or directories to scan (directories honour .gitignore). With
    /// --diff or --history, git pathspecs limiting the diff or the log. Default: the current
    /// directory.
    pub paths: Vec<PathBuf>,
    /// Scan only the lines added by `git diff BASE` (a commit, a branch,
    /// `origin/main`, or `origin/main...HEAD` for the merge base), reported
    /// with their line numbers in the new files.
    #[arg(long, value_name = "BASE", conflicts_with = "history")]
    pub diff: Option<String>,
    /// Scan every line the git history added (every commit of every ref,
    /// oldest first; with --since, the commits of REV..HEAD). Findings name
    /// the commit and its author time; a secret removed later is still a
    /// finding. PATHS become git pathspecs.
    #[arg(long)]
    pub history: bool,
    /// With --history: only the commits after REV (`REV..HEAD`).
    #[arg(long, value_name = "REV", requires = "history")]
    pub since: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// Repository configuration (`.ci-intel/config.yml` format). Default:
    /// `.ci-intel/config.yml` in the current directory, if present.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Org policy overlay, applied below the repository configuration.
    #[arg(long, env = "CI_INTEL_ORG_POLICY")]
    pub org_policy: Option<PathBuf>,
    /// Baseline file. Default: `secrets.baseline` from the configuration
    /// (`.ci-intel/secrets-baseline.json`), if it exists.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Skip (and count) files larger than this: bytes, or with a K, M or G
    /// suffix (KiB, MiB, GiB). Default: `secrets.max_file_size` (4M).
    #[arg(long, value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Pass when no file is scanned at all (by default that is a denial).
    #[arg(long)]
    pub allow_empty: bool,
    /// Also write the SARIF log to this file (for code scanning upload).
    #[arg(long)]
    pub sarif_output: Option<PathBuf>,
    /// Also write a baseline to this file: its current entries (when it is
    /// the baseline in use) plus one entry per finding of this run, each
    /// with `--owner`, `--reason` and `--expires`. The run's exit code is
    /// unchanged: accepting secrets is a reviewed commit, not a pass.
    #[arg(long, value_name = "FILE", requires_all = ["owner", "reason", "expires"])]
    pub write_baseline: Option<PathBuf>,
    /// `--write-baseline`: who answers for the new entries.
    #[arg(long, requires = "write_baseline")]
    pub owner: Option<String>,
    /// `--write-baseline`: why the new entries are accepted.
    #[arg(long, requires = "write_baseline")]
    pub reason: Option<String>,
    /// `--write-baseline`: last day (YYYY-MM-DD) the new entries are valid.
    #[arg(long, requires = "write_baseline")]
    pub expires: Option<String>,
    /// More detail on standard error: `-v` lists skipped files and
    /// suppressed secrets (redacted, with the reason), `-vv` also every
    /// scanned file's count.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// `4096`, `512K`, `4M`, `1G` (binary multiples).
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, multiplier) = match text.char_indices().last() {
        Some((i, 'k' | 'K')) => (&text[..i], 1u64 << 10),
        Some((i, 'm' | 'M')) => (&text[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&text[..i], 1 << 30),
        _ => (text, 1),
    };
    let value: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size (bytes, or a number with K, M or G)"))?;
    let bytes = value
        .checked_mul(multiplier)
        .ok_or_else(|| format!("`{text}` is too large"))?;
    if bytes == 0 {
        return Err("the size must be at least 1 byte".to_owned());
    }
    Ok(bytes)
}

/// Load the configuration layers as `ci-intel-policy audit` does: the org
/// overlay (`--org-policy` or `$CI_INTEL_ORG_POLICY`), then `--config` or
/// `.ci-intel/config.yml` in the current directory. Returns the effective
/// `secrets:` section and the loaded layers (for `fail_on` and locks).
pub fn load_config(
    config_path: Option<&Path>,
    org_policy: Option<&Path>,
) -> Result<(SecretsConfig, LoadedConfig), Failure> {
    let loaded = config::load_cli(
        config_path,
        org_policy,
        &Sections::partial([crate::gate::section()]),
    )?;
    let secrets = loaded.section(crate::gate::SECTION)?;
    Ok((secrets, loaded))
}

/// One finding in `--format json`: flat, with its position.
#[derive(Debug, Serialize)]
pub struct JsonFinding<'a> {
    pub rule: &'a str,
    pub severity: Severity,
    pub confidence: ci_intel_core::Confidence,
    pub file: &'a str,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub fingerprint: &'a str,
    pub preview: &'a str,
    /// The encodings of a secret found inside an encoded value (`base64`,
    /// `url in base64`); absent for a plain secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<&'a str>,
    /// `--history`: the commit that added the secret, and its author time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_time: Option<&'a str>,
    pub message: &'a str,
}

/// `summary` in `--format json`.
#[derive(Debug, Serialize)]
pub struct JsonSummary<'a> {
    #[serde(flatten)]
    pub counts: &'a ScanSummary,
    /// `tree`, `diff` or `history`.
    pub mode: &'a str,
    pub fail_on: Severity,
    pub verdict: &'a str,
}

/// The whole `--format json` document.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    pub tool: &'a ToolInfo,
    pub findings: Vec<JsonFinding<'a>>,
    pub summary: JsonSummary<'a>,
}

/// `--format json`: `findings` (rule, file, line, fingerprint, preview...)
/// and `summary`.
pub fn json_report<'a>(
    tool: &'a ToolInfo,
    scan: &'a ScanReport,
    mode: &'a str,
    fail_on: Severity,
    verdict: &'a str,
) -> JsonReport<'a> {
    let findings = scan
        .findings
        .iter()
        .map(|f: &SecretFinding| JsonFinding {
            rule: f.rule,
            severity: f.severity,
            confidence: f.confidence,
            file: &f.file,
            line: f.line,
            column: f.column,
            end_line: f.end_line,
            end_column: f.end_column,
            fingerprint: &f.fingerprint,
            preview: &f.preview,
            encoding: f.encoding.as_deref(),
            commit: f.commit.as_deref(),
            commit_time: f.commit_time.as_deref(),
            message: &f.message,
        })
        .collect();
    JsonReport {
        tool,
        findings,
        summary: JsonSummary {
            counts: &scan.summary,
            mode,
            fail_on,
            verdict,
        },
    }
}

/// `ci-intel-secrets scan`.
pub fn run_cli(args: &ScanArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let (mut secrets, loaded) = load_config(args.config.as_deref(), args.org_policy.as_deref())?;
    let locked = |key: &str| loaded.locked.iter().any(|k| k == key);
    if let Some(size) = args.max_file_size {
        if size < secrets.max_file_size && locked("secrets.max_file_size") {
            return Err(Failure::usage(format!(
                "--max-file-size {size}: secrets.max_file_size is locked by the org policy at {}; only a larger value is allowed",
                secrets.max_file_size
            )));
        }
        secrets.max_file_size = size;
    }
    if args.allow_empty && !secrets.allow_empty && locked("secrets.allow_empty") {
        return Err(Failure::usage(
            "--allow-empty: secrets.allow_empty is locked to false by the org policy",
        ));
    }
    let allow_empty = args.allow_empty || secrets.allow_empty;
    let baseline = match &args.baseline {
        Some(path) => Baseline::load(path, true)?,
        None => Baseline::load(Path::new(&secrets.baseline), false)?,
    };
    let new_entry = new_baseline_entry(args)?;
    let opts = ScanOptions::new(&secrets, baseline, chrono::Utc::now().date_naive())?;
    let paths = if args.paths.is_empty() && args.diff.is_none() && !args.history {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let (scan, mode) = match &args.diff {
        Some(base) => (scan_diff(Path::new("."), base, &paths, &opts)?, "diff"),
        None if args.history => (
            scan_history(Path::new("."), args.since.as_deref(), &paths, &opts)?,
            "history",
        ),
        None => (scan_paths(&paths, &opts)?, "tree"),
    };
    let fail_on = loaded.config.fail_on;
    let what = match (&args.diff, &args.since) {
        (Some(base), _) => format!("the lines added since {base}"),
        (None, Some(rev)) if args.history => format!("the history since {rev}"),
        (None, None) if args.history => "the git history".to_owned(),
        _ => paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    };
    if args.verbose > 0 {
        print_details(&scan, args.verbose);
    }
    let empty = scan.is_empty() && scan.findings.is_empty();
    let verdict = if empty {
        if allow_empty { "warn" } else { "deny" }
    } else {
        scan.verdict(fail_on).as_str()
    };
    let report = scan.report();
    render::print_report(
        &report,
        args.format,
        Some(&|| json_report(&report.tool, &scan, mode, fail_on, verdict)),
    )?;
    if let Some(path) = &args.sarif_output {
        render::write_sarif(&report, path)?;
    }
    if let (Some(path), Some(template)) = (&args.write_baseline, &new_entry) {
        write_baseline(path, &opts, &scan, template)?;
    }
    let s = &scan.summary;
    let counts = format!(
        "{} file(s) scanned ({} bytes), {} binary and {} oversized skipped, {} excluded, {} not UTF-8 (scanned lossily); {} finding(s), {} suppressed inline, {} allowlisted, {} baselined, {} expired baseline entr(y/ies)",
        s.files_scanned,
        s.bytes_scanned,
        s.skipped_binary,
        s.skipped_oversized,
        s.excluded,
        s.lossy_utf8,
        s.findings,
        s.suppressed_inline,
        s.suppressed_allowlist,
        s.baselined,
        s.expired_baseline
    );
    eprintln!(
        "{} scan of {what}: {counts}; failing at {fail_on}: {verdict}",
        crate::TOOL
    );
    if s.unused_baseline_entries > 0 {
        eprintln!(
            "{}: note: {} baseline entr(y/ies) matched nothing; remove them once the secret is gone",
            crate::TOOL,
            s.unused_baseline_entries
        );
    }
    env.set_output("result", verdict)?;
    env.set_output("findings", &scan.findings.len().to_string())?;
    env.set_output("files", &s.files_scanned.to_string())?;
    if env.in_actions() {
        env.append_summary(&step_summary(&scan, &what, fail_on, verdict))?;
    }
    if empty {
        if allow_empty {
            eprintln!(
                "{}: nothing was scanned in {what} (allowed: --allow-empty or secrets.allow_empty)",
                crate::TOOL
            );
            return Ok(ExitCode::Pass);
        }
        eprintln!(
            "{}: nothing was scanned in {what}: no file was read, which is not a pass (use --allow-empty to accept it)",
            crate::TOOL
        );
        return Ok(ExitCode::Deny);
    }
    Ok(if verdict == "deny" {
        ExitCode::Deny
    } else {
        ExitCode::Pass
    })
}

/// The owner, reason and expiry every entry `--write-baseline` adds gets,
/// validated before the scan runs.
fn new_baseline_entry(args: &ScanArgs) -> Result<Option<BaselineEntry>, Failure> {
    let (Some(_), Some(owner), Some(reason), Some(expires)) = (
        &args.write_baseline,
        &args.owner,
        &args.reason,
        &args.expires,
    ) else {
        return Ok(None);
    };
    if owner.trim().is_empty() || reason.trim().is_empty() {
        return Err(Failure::usage(
            "--write-baseline: --owner and --reason must not be empty",
        ));
    }
    if chrono::NaiveDate::parse_from_str(expires, "%Y-%m-%d").is_err() {
        return Err(Failure::usage(format!(
            "--expires `{expires}` is not a date (YYYY-MM-DD)"
        )));
    }
    Ok(Some(BaselineEntry {
        fingerprint: String::new(),
        rule: None,
        path: None,
        owner: owner.clone(),
        reason: reason.clone(),
        expires: expires.clone(),
    }))
}

/// Write the baseline: the entries in use, then one per finding (its exact
/// rule and file), skipping duplicates.
fn write_baseline(
    path: &Path,
    opts: &ScanOptions,
    scan: &ScanReport,
    template: &BaselineEntry,
) -> Result<(), Failure> {
    let mut entries: Vec<BaselineEntry> = opts.baseline.entries().cloned().collect();
    let before = entries.len();
    for finding in &scan.findings {
        let entry = BaselineEntry {
            fingerprint: finding.fingerprint.clone(),
            rule: Some(finding.rule.to_owned()),
            path: Some(globset_escape(&finding.file)),
            ..template.clone()
        };
        let known = entries.iter().any(|e| {
            e.fingerprint == entry.fingerprint && e.rule == entry.rule && e.path == entry.path
        });
        if !known {
            entries.push(entry);
        }
    }
    let file = BaselineFile {
        version: BASELINE_VERSION,
        entries,
    };
    let mut text = serde_json::to_string_pretty(&file)
        .map_err(|e| Failure::infra(format!("cannot serialise the baseline: {e}")))?;
    text.push('\n');
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::infra(format!("cannot create {}: {e}", parent.display())))?;
    }
    std::fs::write(path, text).map_err(|e| {
        Failure::infra(format!(
            "cannot write --write-baseline {}: {e}",
            path.display()
        ))
    })?;
    eprintln!(
        "{}: wrote {} ({} entr(y/ies) kept, {} added; this run's verdict is unchanged)",
        crate::TOOL,
        path.display(),
        before,
        file.entries.len() - before
    );
    Ok(())
}

/// A path as a glob that matches only itself.
fn globset_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}') {
            out.push('[');
            out.push(c);
            out.push(']');
        } else {
            out.push(c);
        }
    }
    out
}

/// `-v`: skipped files and suppressed secrets (redacted); `-vv`: counts
/// per rule too. Never a value.
fn print_details(scan: &ScanReport, verbosity: u8) {
    for skipped in &scan.skipped {
        eprintln!("skipped ({}): {}", skipped.reason, skipped.file);
    }
    for s in &scan.suppressed {
        let why = match &s.why {
            super::Suppression::InlineIgnore => "inline ignore comment".to_owned(),
            super::Suppression::Allowlist { entry } => entry.clone(),
            super::Suppression::Baseline {
                owner,
                reason,
                expires,
            } => format!("baseline (owner {owner}, until {expires}: {reason})"),
        };
        eprintln!(
            "suppressed: {}:{}:{} [{}] {} {} by {why}",
            s.finding.file,
            s.finding.line,
            s.finding.column,
            s.finding.rule,
            s.finding.preview,
            s.finding.fingerprint
        );
    }
    if verbosity > 1 {
        let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
        for f in scan
            .findings
            .iter()
            .chain(scan.suppressed.iter().map(|s| &s.finding))
        {
            *by_rule.entry(f.rule).or_default() += 1;
        }
        for (rule, count) in by_rule {
            eprintln!("found (before suppression): {rule}: {count}");
        }
    }
}

fn step_summary(scan: &ScanReport, what: &str, fail_on: Severity, verdict: &str) -> String {
    let s = &scan.summary;
    let mut md = format!(
        "### ci-intel secrets scan\n\n{what}: {} file(s) scanned, {} skipped (binary {}, oversized {}), {} excluded; {} finding(s), {} suppressed inline, {} allowlisted, {} baselined; failing at {fail_on}: **{verdict}**\n",
        s.files_scanned,
        s.skipped_binary + s.skipped_oversized,
        s.skipped_binary,
        s.skipped_oversized,
        s.excluded,
        s.findings,
        s.suppressed_inline,
        s.suppressed_allowlist,
        s.baselined
    );
    if !scan.findings.is_empty() {
        md.push_str(
            "\n| where | rule | severity | secret | fingerprint |\n|---|---|---|---|---|\n",
        );
        for f in scan.findings.iter().take(100) {
            md.push_str(&format!(
                "| {}:{} | {} | {} | `{}` | `{}` |\n",
                f.file.replace('|', "\\|"),
                f.line,
                f.rule,
                f.severity,
                f.preview,
                f.fingerprint
            ));
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_suffixes_and_refuse_nonsense() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("512K"), Ok(512 * 1024));
        assert_eq!(parse_size("4m"), Ok(4 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert!(parse_size("0").is_err());
        assert!(parse_size("four").is_err());
        assert!(parse_size("99999999999G").is_err());
    }
}
