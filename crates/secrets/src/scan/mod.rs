//! `scan`: committed secrets in a tree, or in the lines a diff adds.
//!
//! [`scan_paths`] walks files (honouring `.gitignore`), [`scan_diff`] reads
//! the added lines of `git diff BASE`, and both run the shared
//! [`Detector`](crate::detect::Detector) on each file's text, then apply, in
//! order: inline `ci-intel: ignore[secrets]` comments, the configured
//! allowlist, and the baseline. What is left are findings; what was
//! suppressed, skipped or excluded is counted in the [`ScanSummary`], so a
//! green result always says how much it looked at.
//!
//! Nothing here keeps or returns a secret value: a finding carries its
//! fingerprint and redacted preview (see [`crate::secret`]).

pub mod allowlist;
pub mod baseline;
pub mod cli;
pub mod committed_env_file;
pub mod diff;
mod inline_ignore;
mod walk;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::SecretsConfig;
use ci_intel_core::checkout::Checkout;
use ci_intel_core::{
    Confidence, Failure, Finding, Location, Report, RuleMeta, Severity, ToolInfo, Verdict,
};

use crate::detect::{Detector, Hit, decode};
use crate::secret::{fingerprint, preview};
use allowlist::Allowlist;
use baseline::Baseline;

pub use walk::{Target, discover};

/// Files are binary when this prefix holds a NUL byte (git's own test).
const BINARY_SNIFF_LEN: usize = 8000;

/// Everything a scan needs besides the files.
#[derive(Debug)]
pub struct ScanOptions {
    pub detector: Detector,
    pub allowlist: Allowlist,
    pub baseline: Baseline,
    /// Files larger than this (bytes) are skipped and counted.
    pub max_file_size: u64,
    /// Today (UTC), for baseline expiry.
    pub today: NaiveDate,
}

impl ScanOptions {
    /// Options from the `secrets:` configuration and a loaded baseline.
    pub fn new(
        config: &SecretsConfig,
        baseline: Baseline,
        today: NaiveDate,
    ) -> Result<ScanOptions, Failure> {
        if config.max_file_size == 0 {
            return Err(Failure::usage(
                "secrets.max_file_size must be at least 1 byte",
            ));
        }
        Ok(ScanOptions {
            detector: Detector::without(&config.disabled_rules)?,
            allowlist: Allowlist::new(&config.allowlist)?,
            baseline,
            max_file_size: config.max_file_size,
            today,
        })
    }

    /// Options for the repository at `root`: the configuration, and the
    /// baseline at `root/<secrets.baseline>` (absent means empty).
    pub fn for_repository(config: &SecretsConfig, root: &Path) -> Result<ScanOptions, Failure> {
        let baseline = Baseline::load(&root.join(&config.baseline), false)?;
        ScanOptions::new(config, baseline, chrono::Utc::now().date_naive())
    }

    /// The hub defaults and no baseline.
    pub fn defaults() -> ScanOptions {
        ScanOptions::new(
            &SecretsConfig::default(),
            Baseline::default(),
            chrono::Utc::now().date_naive(),
        )
        .unwrap_or_else(|e| unreachable!("the hub defaults are valid: {e}"))
    }
}

/// One secret that fails (or warns): where it is and how it is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretFinding {
    pub rule: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// `sha256:` and the first 16 hex digits of the value's SHA-256.
    pub fingerprint: String,
    /// The redacted preview (`ghp_…[40 chars redacted]`).
    pub preview: String,
    /// For a secret found inside an encoded value, the encodings peeled
    /// off, innermost first (`base64`, `url in base64`); the location,
    /// preview and fingerprint are then the encoded value's span and the
    /// decoded secret's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// `scan --history`: the commit that added the secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// `scan --history`: that commit's author time (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_time: Option<String>,
    pub message: String,
}

/// Why a secret is not a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum Suppression {
    /// `# ci-intel: ignore[secrets]` on its line.
    InlineIgnore,
    /// `secrets.allowlist.regexes` or `.stopwords` (which one, in words).
    Allowlist { entry: String },
    /// A baseline entry, valid until `expires`.
    Baseline {
        owner: String,
        reason: String,
        expires: String,
    },
}

/// A secret that was found and not reported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppressed {
    pub finding: SecretFinding,
    pub why: Suppression,
}

/// A file that was not scanned, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub file: String,
    /// `binary`, `oversized`, or `excluded` (allowlisted path).
    pub reason: &'static str,
}

/// What a scan looked at and what it set aside.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanSummary {
    /// Files whose text was searched.
    pub files_scanned: usize,
    pub bytes_scanned: u64,
    /// Files with a NUL byte in their first 8000 bytes.
    pub skipped_binary: usize,
    /// Files larger than `max_file_size`.
    pub skipped_oversized: usize,
    /// Files under `secrets.allowlist.paths`.
    pub excluded: usize,
    /// Files that were not UTF-8, scanned after lossy decoding.
    pub lossy_utf8: usize,
    pub findings: usize,
    pub suppressed_inline: usize,
    pub suppressed_allowlist: usize,
    /// Secrets accepted by a valid baseline entry.
    pub baselined: usize,
    /// Findings whose baseline entry has expired (they fail).
    pub expired_baseline: usize,
    /// Baseline entries that matched nothing in this scan.
    pub unused_baseline_entries: usize,
    pub by_rule: BTreeMap<&'static str, usize>,
    pub by_severity: BTreeMap<&'static str, usize>,
}

/// The outcome of a scan.
#[derive(Debug, Clone, Default)]
pub struct ScanReport {
    /// Sorted by file, line, column, rule.
    pub findings: Vec<SecretFinding>,
    pub suppressed: Vec<Suppressed>,
    pub skipped: Vec<Skipped>,
    pub summary: ScanSummary,
}

impl ScanReport {
    /// The findings as the core report every renderer takes.
    pub fn report(&self) -> Report {
        let findings = self.findings.iter().map(to_core_finding).collect();
        Report::new(tool_info(), rule_metas(), findings)
    }

    /// Deny when a finding is at or above `fail_on`.
    pub fn verdict(&self, fail_on: Severity) -> Verdict {
        let findings: Vec<Finding> = self.findings.iter().map(to_core_finding).collect();
        Verdict::from_findings(&findings, fail_on)
    }

    /// True when no file's content was searched.
    pub fn is_empty(&self) -> bool {
        self.summary.files_scanned == 0
    }
}

fn to_core_finding(f: &SecretFinding) -> Finding {
    let location = Location {
        file: f.file.clone(),
        line: Some(f.line),
        column: Some(f.column),
        end_line: Some(f.end_line),
        end_column: Some(f.end_column),
    };
    // The core fingerprint (SARIF partialFingerprints) hashes rule, file and
    // the secret's fingerprint: stable when lines move, distinct per file.
    Finding::new(
        f.rule,
        f.severity,
        f.message.clone(),
        Some(location),
        &f.fingerprint,
    )
    .with_confidence(f.confidence)
    .with_fix(fix_hint(f.rule))
}

fn fix_hint(rule: &str) -> String {
    if rule == committed_env_file::RULE_ID {
        "remove the file from the repository (git rm --cached), add it to .gitignore, rotate what it held, commit a .env.example without values".to_owned()
    } else {
        format!(
            "rotate the credential, remove it from the history, load it from a secret at run time; or baseline it with an owner and expiry (docs/secrets.md#{rule})"
        )
    }
}

/// The tool's identity in reports.
pub fn tool_info() -> ToolInfo {
    ToolInfo::new(crate::TOOL, env!("CARGO_PKG_VERSION"))
}

/// Every rule `scan` can report, for SARIF and listings.
pub fn rule_metas() -> Vec<RuleMeta> {
    let mut metas: Vec<RuleMeta> = Detector::builtin()
        .rules()
        .map(|r| RuleMeta {
            id: r.id,
            title: r.title,
            default_severity: r.severity,
            help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/secrets.md"),
        })
        .collect();
    metas.push(RuleMeta {
        id: committed_env_file::RULE_ID,
        title: committed_env_file::TITLE,
        default_severity: committed_env_file::SEVERITY,
        help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/secrets.md"),
    });
    metas
}

/// The outcome of one file.
#[derive(Debug, Default)]
struct FileOutcome {
    findings: Vec<SecretFinding>,
    suppressed: Vec<Suppressed>,
    skipped: Option<Skipped>,
    scanned_bytes: Option<u64>,
    lossy: bool,
    expired_baseline: usize,
}

/// A file's text and, for a diff, the real line number of each of its lines.
struct Text<'a> {
    display: &'a str,
    text: &'a str,
    line_numbers: Option<&'a [u32]>,
}

/// Walk `paths` (files or directories; `.gitignore` is honoured inside
/// directories, named files are always scanned) and scan every file.
/// Files are reported by the path they were reached by (`./` dropped).
pub fn scan_paths(paths: &[PathBuf], opts: &ScanOptions) -> Result<ScanReport, Failure> {
    let targets = discover(paths)?;
    scan_targets(&targets, opts)
}

/// Scan a repository checkout; files are reported relative to `dir`, as
/// code scanning and annotations need.
pub fn scan_repository(dir: &Path, opts: &ScanOptions) -> Result<ScanReport, Failure> {
    let mut targets = discover(&[dir.to_path_buf()])?;
    for target in &mut targets {
        target.display = target.relative.clone();
    }
    scan_targets(&targets, opts)
}

/// The library entry point for `ci-intel check` and other embedders: scan
/// `paths` (a repository root when empty: `.`) with `opts`.
pub fn scan(paths: &[PathBuf], opts: &ScanOptions) -> Result<ScanReport, Failure> {
    if paths.is_empty() {
        scan_paths(&[PathBuf::from(".")], opts)
    } else {
        scan_paths(paths, opts)
    }
}

/// Scan what `git diff BASE` adds in the repository at `repo_dir`
/// (optionally limited to `paths`). Files are reported relative to the
/// repository root with their new line numbers.
pub fn scan_diff(
    repo_dir: &Path,
    base: &str,
    paths: &[PathBuf],
    opts: &ScanOptions,
) -> Result<ScanReport, Failure> {
    let added = diff::added_lines(repo_dir, base, paths)?;
    let mut outcomes = Vec::new();
    for path in &added.binary {
        outcomes.push(FileOutcome {
            skipped: Some(Skipped {
                file: path.clone(),
                reason: "binary",
            }),
            ..FileOutcome::default()
        });
    }
    for file in &added.files {
        outcomes.push(scan_added_file(file, opts));
    }
    Ok(finish(outcomes, opts))
}

/// Scan what every commit of the git history added (`since..HEAD` with
/// `since`, else every commit of every ref), oldest first. A finding
/// carries the commit that added it and its author time; a secret removed
/// later is still a finding (it is still in the history). One secret
/// (rule, path, fingerprint) is reported once, for the oldest commit that
/// added it; baselines match it in any commit.
pub fn scan_history(
    repo_dir: &Path,
    since: Option<&str>,
    paths: &[PathBuf],
    opts: &ScanOptions,
) -> Result<ScanReport, Failure> {
    let commits = diff::history(repo_dir, since, paths)?;
    let mut outcomes = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for commit in &commits {
        for path in &commit.added.binary {
            outcomes.push(FileOutcome {
                skipped: Some(Skipped {
                    file: path.clone(),
                    reason: "binary",
                }),
                ..FileOutcome::default()
            });
        }
        for file in &commit.added.files {
            let mut outcome = scan_added_file(file, opts);
            let mut first =
                |f: &SecretFinding| seen.insert((f.rule, f.file.clone(), f.fingerprint.clone()));
            outcome.findings.retain(|f| first(f));
            outcome.suppressed.retain(|s| first(&s.finding));
            for finding in outcome
                .findings
                .iter_mut()
                .chain(outcome.suppressed.iter_mut().map(|s| &mut s.finding))
            {
                finding.message.push_str(&format!(
                    "; added in commit {} ({})",
                    &commit.id[..commit.id.len().min(12)],
                    commit.author_time
                ));
                finding.commit = Some(commit.id.clone());
                finding.commit_time = Some(commit.author_time.clone());
            }
            outcomes.push(outcome);
        }
    }
    Ok(finish(outcomes, opts))
}

/// Scan the added lines of one file of a diff or a commit.
fn scan_added_file(file: &diff::AddedFile, opts: &ScanOptions) -> FileOutcome {
    {
        let mut outcome = FileOutcome::default();
        if opts.allowlist.excludes_path(&file.path) {
            outcome.skipped = Some(Skipped {
                file: file.path.clone(),
                reason: "excluded",
            });
        } else {
            let first_line = file.lines.first().copied().unwrap_or(1);
            env_file_finding(
                &file.path,
                Path::new(&file.path),
                first_line,
                &file.text,
                opts,
                &mut outcome,
            );
            if file.text.len() as u64 > opts.max_file_size {
                outcome.skipped = Some(Skipped {
                    file: file.path.clone(),
                    reason: "oversized",
                });
            } else {
                outcome.scanned_bytes = Some(file.text.len() as u64);
                scan_text(
                    &Text {
                        display: &file.path,
                        text: &file.text,
                        line_numbers: Some(&file.lines),
                    },
                    opts,
                    &mut outcome,
                );
            }
        }
        outcome
    }
}

/// Where a scan reads its files from.
#[derive(Clone, Copy)]
enum Files<'a> {
    /// Straight from disk.
    Disk,
    /// Through a checkout shared with other gates (each file read once).
    Checkout(&'a Checkout),
}

impl<'a> Files<'a> {
    fn size(self, target: &Target) -> std::io::Result<u64> {
        match self.checkout_file(target) {
            Some(file) => Ok(file.size),
            None => std::fs::metadata(&target.path).map(|m| m.len()),
        }
    }

    fn read(self, target: &Target) -> Result<Arc<[u8]>, Failure> {
        match (self, self.checkout_file(target)) {
            (Files::Checkout(checkout), Some(file)) => checkout.read(file),
            _ => std::fs::read(&target.path)
                .map(Arc::from)
                .map_err(|e| Failure::infra(format!("cannot read {}: {e}", target.path.display()))),
        }
    }

    fn checkout_file(self, target: &Target) -> Option<&'a ci_intel_core::checkout::CheckoutFile> {
        match self {
            Files::Disk => None,
            Files::Checkout(checkout) => checkout.get(&target.relative),
        }
    }
}

/// Scan a checkout shared with other gates: its one walk decides the
/// files, each is read through it, and files are reported relative to its
/// root.
pub fn scan_checkout(checkout: &Checkout, opts: &ScanOptions) -> Result<ScanReport, Failure> {
    let targets: Vec<Target> = checkout
        .files()
        .iter()
        .map(|file| Target {
            path: file.path.clone(),
            display: file.relative.clone(),
            relative: file.relative.clone(),
        })
        .collect();
    scan_with(&targets, opts, Files::Checkout(checkout))
}

/// Scan discovered files, in parallel.
pub fn scan_targets(targets: &[Target], opts: &ScanOptions) -> Result<ScanReport, Failure> {
    scan_with(targets, opts, Files::Disk)
}

fn scan_with(
    targets: &[Target],
    opts: &ScanOptions,
    files: Files<'_>,
) -> Result<ScanReport, Failure> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(targets.len().max(1));
    // A shared cursor, not fixed chunks: file sizes vary by orders of
    // magnitude, so each worker takes the next file when it is free.
    let next = AtomicUsize::new(0);
    let results: Vec<Result<Vec<(usize, FileOutcome)>, Failure>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(target) = targets.get(index) else {
                            break;
                        };
                        done.push((index, scan_file(target, opts, files)?));
                    }
                    Ok(done)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Failure::infra("a scan worker panicked")))
            })
            .collect()
    });
    let mut outcomes: Vec<(usize, FileOutcome)> = Vec::with_capacity(targets.len());
    for result in results {
        outcomes.extend(result?);
    }
    outcomes.sort_by_key(|(index, _)| *index);
    Ok(finish(outcomes.into_iter().map(|(_, o)| o).collect(), opts))
}

fn scan_file(
    target: &Target,
    opts: &ScanOptions,
    files: Files<'_>,
) -> Result<FileOutcome, Failure> {
    let mut outcome = FileOutcome::default();
    let skip = |reason| Skipped {
        file: target.display.clone(),
        reason,
    };
    if opts.allowlist.excludes_path(&target.relative) {
        outcome.skipped = Some(skip("excluded"));
        return Ok(outcome);
    }
    let unreadable =
        |e: std::io::Error| Failure::infra(format!("cannot read {}: {e}", target.path.display()));
    let size = files.size(target).map_err(unreadable)?;
    if size > opts.max_file_size {
        // An environment file is a finding whatever its size or content.
        env_file_finding(&target.display, &target.path, 1, "", opts, &mut outcome);
        outcome.skipped = Some(skip("oversized"));
        return Ok(outcome);
    }
    let bytes = files.read(target)?;
    let head = &bytes[..bytes.len().min(BINARY_SNIFF_LEN)];
    if head.contains(&0) {
        env_file_finding(&target.display, &target.path, 1, "", opts, &mut outcome);
        outcome.skipped = Some(skip("binary"));
        return Ok(outcome);
    }
    // Secrets are ASCII, so a Latin-1 or broken file is scanned after
    // replacing its invalid bytes; line numbers stay right.
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => {
            outcome.lossy = true;
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text);
    outcome.scanned_bytes = Some(size);
    env_file_finding(&target.display, &target.path, 1, &text, opts, &mut outcome);
    scan_text(
        &Text {
            display: &target.display,
            text: &text,
            line_numbers: None,
        },
        opts,
        &mut outcome,
    );
    Ok(outcome)
}

/// The `committed-env-file` finding for `path`, if it is one.
fn env_file_finding(
    display: &str,
    path: &Path,
    line: u32,
    text: &str,
    opts: &ScanOptions,
    outcome: &mut FileOutcome,
) {
    if !committed_env_file::is_env_file(path) {
        return;
    }
    let first_line = text.lines().next().unwrap_or("");
    // The file is the finding; its fingerprint is the path's, so a
    // baseline entry can accept one file (the content may change).
    let finding = SecretFinding {
        rule: committed_env_file::RULE_ID,
        severity: committed_env_file::SEVERITY,
        confidence: Confidence::High,
        file: display.to_owned(),
        line,
        column: 1,
        end_line: line,
        end_column: 1,
        fingerprint: fingerprint(display.as_bytes()),
        preview: String::new(),
        encoding: None,
        commit: None,
        commit_time: None,
        message: format!(
            "{}: `{display}` is an environment file; it should never be committed",
            committed_env_file::TITLE
        ),
    };
    if inline_ignore::ignores(first_line, committed_env_file::RULE_ID) {
        outcome.suppressed.push(Suppressed {
            finding,
            why: Suppression::InlineIgnore,
        });
        return;
    }
    apply_baseline(finding, opts, outcome);
}

fn scan_text(text: &Text<'_>, opts: &ScanOptions, outcome: &mut FileOutcome) {
    let hits = opts.detector.find_preferred(text.text);
    if hits.is_empty() {
        return;
    }
    let lines = LineIndex::new(text.text);
    for hit in hits {
        // The secret itself: decoded when it was found inside an encoded
        // value, so an encoded and a plain copy share a fingerprint.
        let value = hit.value(text.text);
        let finding = describe(text, &lines, &hit, value, opts);
        let start_line = lines.line_text(text.text, hit.start);
        let end_line = lines.line_text(text.text, hit.end.saturating_sub(1));
        if inline_ignore::ignores(start_line, hit.rule)
            || inline_ignore::ignores(end_line, hit.rule)
        {
            outcome.suppressed.push(Suppressed {
                finding,
                why: Suppression::InlineIgnore,
            });
            continue;
        }
        if let Some(entry) = opts.allowlist.allows_value(value) {
            outcome.suppressed.push(Suppressed {
                finding,
                why: Suppression::Allowlist { entry },
            });
            continue;
        }
        apply_baseline(finding, opts, outcome);
    }
}

fn apply_baseline(mut finding: SecretFinding, opts: &ScanOptions, outcome: &mut FileOutcome) {
    match opts.baseline.check(
        &finding.fingerprint,
        finding.rule,
        &finding.file,
        opts.today,
    ) {
        baseline::Verdict::Unknown => outcome.findings.push(finding),
        baseline::Verdict::Accepted { index } => {
            let entry = opts.baseline.entry(index);
            outcome.suppressed.push(Suppressed {
                why: Suppression::Baseline {
                    owner: entry.map(|e| e.owner.clone()).unwrap_or_default(),
                    reason: entry.map(|e| e.reason.clone()).unwrap_or_default(),
                    expires: entry.map(|e| e.expires.clone()).unwrap_or_default(),
                },
                finding,
            });
        }
        baseline::Verdict::Expired { index } => {
            if let Some(entry) = opts.baseline.entry(index) {
                finding.message.push_str(&format!(
                    "; its baseline entry {} (entries[{index}], owner {}) expired on {}, so it fails again: rotate the secret or renew the entry",
                    entry.fingerprint, entry.owner, entry.expires
                ));
            }
            // An expired acceptance fails whatever the rule's severity.
            finding.severity = Severity::Critical;
            outcome.expired_baseline += 1;
            outcome.findings.push(finding);
        }
    }
}

fn describe(
    text: &Text<'_>,
    lines: &LineIndex,
    hit: &Hit,
    value: &str,
    opts: &ScanOptions,
) -> SecretFinding {
    let (line, column) = lines.position(text.text, hit.start);
    let (end_line, end_column) = lines.position(text.text, hit.end);
    let real = |line: u32| match text.line_numbers {
        Some(numbers) => usize::try_from(line)
            .ok()
            .and_then(|l| numbers.get(l.saturating_sub(1)))
            .copied()
            .unwrap_or(line),
        None => line,
    };
    let title = opts
        .detector
        .rules()
        .find(|r| r.id == hit.rule)
        .map_or(hit.rule, |r| r.title);
    let fingerprint = fingerprint(value.as_bytes());
    let preview = preview(value, hit.public_prefix);
    let encoding = (!hit.encodings().is_empty()).then(|| decode::describe(hit.encodings()));
    let found_in = encoding
        .as_deref()
        .map(|e| format!(", inside an encoded value ({e})"))
        .unwrap_or_default();
    SecretFinding {
        rule: hit.rule,
        severity: hit.severity,
        confidence: if hit.rule == "generic-secret-assignment" {
            Confidence::Medium
        } else {
            Confidence::High
        },
        file: text.display.to_owned(),
        line: real(line),
        column,
        end_line: real(end_line),
        end_column,
        message: format!("{title}: {preview} ({fingerprint}){found_in}"),
        fingerprint,
        preview,
        encoding,
        commit: None,
        commit_time: None,
    }
}

/// Byte offsets of line starts, for offset → (line, column).
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// 1-based line and character column of `offset`.
    fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let index = self.line_of(offset);
        let start = self.starts[index];
        let column = text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        (
            u32::try_from(index + 1).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        )
    }

    /// The text of the line holding `offset`, without its newline.
    fn line_text<'t>(&self, text: &'t str, offset: usize) -> &'t str {
        let index = self.line_of(offset);
        let start = self.starts[index];
        let end = self
            .starts
            .get(index + 1)
            .map_or(text.len(), |next| next - 1);
        text.get(start..end).unwrap_or("")
    }
}

fn finish(outcomes: Vec<FileOutcome>, opts: &ScanOptions) -> ScanReport {
    let mut report = ScanReport::default();
    for outcome in outcomes {
        if let Some(bytes) = outcome.scanned_bytes {
            report.summary.files_scanned += 1;
            report.summary.bytes_scanned += bytes;
        }
        if outcome.lossy {
            report.summary.lossy_utf8 += 1;
        }
        report.summary.expired_baseline += outcome.expired_baseline;
        if let Some(skipped) = outcome.skipped {
            match skipped.reason {
                "binary" => report.summary.skipped_binary += 1,
                "oversized" => report.summary.skipped_oversized += 1,
                _ => report.summary.excluded += 1,
            }
            report.skipped.push(skipped);
        }
        report.findings.extend(outcome.findings);
        report.suppressed.extend(outcome.suppressed);
    }
    report.findings.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.rule).cmp(&(&b.file, b.line, b.column, b.rule))
    });
    let summary = &mut report.summary;
    summary.findings = report.findings.len();
    for finding in &report.findings {
        *summary.by_rule.entry(finding.rule).or_default() += 1;
        *summary
            .by_severity
            .entry(finding.severity.as_str())
            .or_default() += 1;
    }
    let mut used = vec![false; opts.baseline.len()];
    for s in &report.suppressed {
        match &s.why {
            Suppression::InlineIgnore => summary.suppressed_inline += 1,
            Suppression::Allowlist { .. } => summary.suppressed_allowlist += 1,
            Suppression::Baseline { .. } => summary.baselined += 1,
        }
    }
    for finding in report
        .findings
        .iter()
        .chain(report.suppressed.iter().map(|s| &s.finding))
    {
        for (index, slot) in used.iter_mut().enumerate() {
            if opts
                .baseline
                .entry(index)
                .is_some_and(|e| e.fingerprint == finding.fingerprint)
            {
                *slot = true;
            }
        }
    }
    summary.unused_baseline_entries = used.iter().filter(|u| !**u).count();
    report
}
