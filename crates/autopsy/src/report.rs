//! The report: root causes of every log (and JUnit file) ranked together,
//! and how it is shown: JSON (`{"root_causes": [...]}`), the pipeline_run
//! `autopsy` object, SARIF and GitHub annotations at the failing code,
//! a Markdown step summary and lines for a terminal.
//!
//! Everything here is built from the scanner's output, which is already
//! redacted; nothing reads a log again.

use std::fmt::Write as _;

use serde::Serialize;

use ci_intel_core::{Finding, Location, Report, RuleMeta, ToolInfo};

use crate::rules::CauseSeverity;
use crate::rules::compile::RuleSet;
use crate::scan::{ContextLine, LogAnalysis};
use crate::signature;

/// Where a cause was found: a log line, or a JUnit test case.
#[derive(Debug, Clone, Serialize)]
pub struct RootCause {
    /// 1 for the top cause.
    pub rank: usize,
    /// The rule's id (also pipeline_run's `pattern`).
    pub rule: String,
    pub title: String,
    pub tool: String,
    pub severity: CauseSeverity,
    pub priority: u8,
    pub message: String,
    pub suggestion: String,
    pub docs_uri: String,
    /// The failing code, as the log names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// The failing test, when the rule names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
    /// The log (or JUnit file) as given on the command line.
    pub log: String,
    /// The line in the log of the occurrence reported (the latest one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_log_line: Option<u64>,
    pub occurrences: u64,
    /// The matched line, normalised and redacted.
    pub matched: String,
    pub context: Context,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// 16 hex characters: the rule and the normalised signature text.
    pub signature: String,
    /// The normalised text the signature is made of.
    pub signature_text: String,
    #[serde(skip)]
    pub log_index: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Context {
    pub before: Vec<ContextLine>,
    pub after: Vec<ContextLine>,
}

/// One input's summary.
#[derive(Debug, Clone, Serialize)]
pub struct LogSummary {
    pub log: String,
    pub kind: &'static str,
    pub bytes: u64,
    pub lines: u64,
    /// The log shows a failure (an error marker, an error-severity cause,
    /// or `--assume-failed`).
    pub failed: bool,
    /// At least one cause was found for a failed log.
    pub classified: bool,
    pub causes: usize,
    pub error_markers: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exit_codes: Vec<i32>,
    /// Matches not reported because the log shows no failure.
    pub ignored: usize,
    /// Causes beyond the per-log caps, counted only.
    pub unlisted: u64,
    /// A failure no rule explains: the last error-looking lines (or the
    /// last lines) to start from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unclassified: Option<Unclassified>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unclassified {
    pub message: String,
    pub lines: Vec<ContextLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub logs: usize,
    pub failed: usize,
    pub classified: usize,
    /// classified / failed, 0 to 1 (1 when nothing failed).
    pub share: f64,
}

/// Everything one `classify` run found.
#[derive(Debug, Clone, Serialize)]
pub struct Autopsy {
    pub root_causes: Vec<RootCause>,
    pub logs: Vec<LogSummary>,
    pub stats: Stats,
}

/// One JUnit failure, as a cause.
#[derive(Debug, Clone)]
pub struct JunitCause {
    pub file: String,
    pub test: String,
    pub message: String,
    pub kind: &'static str,
    pub code_file: Option<String>,
    pub code_line: Option<u32>,
    pub excerpt: Vec<String>,
}

/// The JUnit pseudo-rule.
pub const JUNIT_RULE: &str = "junit-test-failed";
const JUNIT_PRIORITY: u8 = 75;
const JUNIT_DOCS: &str = "https://github.com/testmoapp/junitxml";

/// One log's analysis with its name.
#[derive(Debug)]
pub struct Input {
    pub name: String,
    pub analysis: LogAnalysis,
}

/// Rank the causes of every log and JUnit file together: priority, then
/// input order, then the first occurrence.
pub fn build(
    set: &RuleSet,
    logs: &[Input],
    junit: &[(String, Vec<JunitCause>)],
    assume_failed: bool,
) -> Autopsy {
    let mut causes = Vec::new();
    let mut summaries = Vec::new();
    for (log_index, input) in logs.iter().enumerate() {
        let analysis = &input.analysis;
        let failed = assume_failed || analysis.shows_failure(set);
        let shown = if failed { analysis.causes.len() } else { 0 };
        for cause in analysis.causes.iter().take(shown) {
            let rule = set.rule(cause.rule);
            let normalised = signature::normalise(&cause.signature_text);
            causes.push(RootCause {
                rank: 0,
                rule: rule.id.clone(),
                title: rule.title.clone(),
                tool: rule.tool.clone(),
                severity: rule.severity,
                priority: rule.priority,
                message: cause.message.clone(),
                suggestion: rule.suggestion.clone(),
                docs_uri: rule.docs.clone(),
                file: cause.file.clone(),
                line: cause.line,
                column: cause.column,
                test: cause.capture("test").map(str::to_owned),
                log: input.name.clone(),
                log_line: Some(cause.log_line),
                first_log_line: Some(cause.first_log_line),
                occurrences: cause.occurrences,
                matched: cause.text.clone(),
                context: Context {
                    before: cause.before.clone(),
                    after: cause.after.clone(),
                },
                step: cause.step.clone(),
                signature: signature::digest(&rule.id, &normalised),
                signature_text: normalised,
                log_index,
            });
        }
        let unclassified = (failed && shown == 0).then(|| {
            let (lines, what) = if analysis.error_lines.is_empty() {
                (analysis.last_lines.clone(), "the last lines of the log")
            } else {
                (analysis.error_lines.clone(), "the last error-looking lines")
            };
            Unclassified {
                message: format!(
                    "the log shows a failure that no rule explains; {what} are below. Add a rule in .ci-intel/autopsy/ (see docs/autopsy.md)"
                ),
                lines,
            }
        });
        summaries.push(LogSummary {
            log: input.name.clone(),
            kind: "log",
            bytes: analysis.bytes,
            lines: analysis.lines,
            failed,
            classified: failed && shown > 0,
            causes: shown,
            error_markers: analysis.error_markers,
            exit_codes: analysis.exit_codes.clone(),
            ignored: analysis.causes.len() - shown,
            unlisted: analysis.unlisted,
            unclassified,
        });
    }
    for (offset, (file, failures)) in junit.iter().enumerate() {
        let log_index = logs.len() + offset;
        for failure in failures {
            let normalised = signature::normalise(&format!("{} {}", failure.test, failure.kind));
            causes.push(RootCause {
                rank: 0,
                rule: JUNIT_RULE.to_owned(),
                title: "A test failed (JUnit report)".to_owned(),
                tool: "junit".to_owned(),
                severity: CauseSeverity::Error,
                priority: JUNIT_PRIORITY,
                message: format!("{}: {}", failure.test, failure.message),
                suggestion: "Run this test locally to reproduce; the report's failure message and output are below.".to_owned(),
                docs_uri: JUNIT_DOCS.to_owned(),
                file: failure.code_file.clone(),
                line: failure.code_line,
                column: None,
                test: Some(failure.test.clone()),
                log: file.clone(),
                log_line: None,
                first_log_line: None,
                occurrences: 1,
                matched: failure.message.clone(),
                context: Context {
                    before: Vec::new(),
                    after: failure
                        .excerpt
                        .iter()
                        .enumerate()
                        .map(|(i, text)| ContextLine {
                            line: i as u64 + 1,
                            text: text.clone(),
                        })
                        .collect(),
                },
                step: None,
                signature: signature::digest(JUNIT_RULE, &normalised),
                signature_text: normalised,
                log_index,
            });
        }
        summaries.push(LogSummary {
            log: file.clone(),
            kind: "junit",
            bytes: 0,
            lines: 0,
            failed: !failures.is_empty(),
            classified: !failures.is_empty(),
            causes: failures.len(),
            error_markers: 0,
            exit_codes: Vec::new(),
            ignored: 0,
            unlisted: 0,
            unclassified: None,
        });
    }
    causes.sort_by_key(|c| {
        (
            std::cmp::Reverse(c.priority),
            c.log_index,
            c.first_log_line.unwrap_or(u64::MAX),
            c.log_line.unwrap_or(u64::MAX),
        )
    });
    for (i, cause) in causes.iter_mut().enumerate() {
        cause.rank = i + 1;
    }
    let failed = summaries.iter().filter(|s| s.failed).count();
    let classified = summaries.iter().filter(|s| s.classified).count();
    Autopsy {
        root_causes: causes,
        stats: Stats {
            logs: summaries.len(),
            failed,
            classified,
            share: if failed == 0 {
                1.0
            } else {
                classified as f64 / failed as f64
            },
        },
        logs: summaries,
    }
}

impl Autopsy {
    /// `{"root_causes": [...], "logs": [...], "stats": {...}}`, the first
    /// `top` causes (all when `None`).
    pub fn json(&self, top: Option<usize>) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let (Some(top), Some(list)) = (top, value["root_causes"].as_array_mut()) {
            list.truncate(top);
        }
        value
    }

    /// The pipeline_run v1.2 `autopsy` object: `{"root_causes": [...]}`
    /// with the contract's fields only (`pattern` is the rule id; `file`
    /// and `line` are the failing code's).
    pub fn pipeline_run(&self, top: Option<usize>) -> serde_json::Value {
        let list: Vec<serde_json::Value> = self
            .root_causes
            .iter()
            .take(top.unwrap_or(usize::MAX))
            .map(|c| {
                let mut entry = serde_json::json!({
                    "pattern": c.rule,
                    "suggestion": c.suggestion,
                    "tool": c.tool,
                    "message": c.message,
                    "severity": c.severity.as_str(),
                    "docs_uri": c.docs_uri,
                });
                if let Some(file) = &c.file {
                    entry["file"] = file.clone().into();
                }
                if let Some(line) = c.line.filter(|&l| l >= 1) {
                    entry["line"] = line.into();
                }
                entry
            })
            .collect();
        serde_json::json!({ "root_causes": list })
    }

    /// Findings for SARIF and GitHub annotations: at the failing code when
    /// the log names a path inside the repository, else without a place.
    pub fn findings_report(&self, set: &RuleSet, version: &str, top: Option<usize>) -> Report {
        let mut metas: Vec<RuleMeta> = set
            .rules()
            .iter()
            .map(|r| RuleMeta {
                id: leak(&r.id),
                title: leak(&r.title),
                default_severity: r.severity.finding(),
                help_uri: Some(leak(&r.docs)),
            })
            .collect();
        metas.push(RuleMeta {
            id: JUNIT_RULE,
            title: "A test failed (JUnit report)",
            default_severity: ci_intel_core::Severity::High,
            help_uri: Some(JUNIT_DOCS),
        });
        let findings = self
            .root_causes
            .iter()
            .take(top.unwrap_or(usize::MAX))
            .map(|c| {
                let location =
                    c.file
                        .as_ref()
                        .filter(|f| is_repository_path(f))
                        .map(|f| match c.line {
                            Some(line) if line >= 1 => Location::at(f.clone(), line, c.column),
                            _ => Location::file(f.clone()),
                        });
                let place = match c.log_line {
                    Some(line) => format!(" ({}:{line})", c.log),
                    None => format!(" ({})", c.log),
                };
                Finding::new(
                    &c.rule,
                    c.severity.finding(),
                    format!("#{} {}: {}{place}", c.rank, c.title, c.message),
                    location,
                    &c.signature,
                )
                .with_fix(format!("{} See {}", c.suggestion, c.docs_uri))
            })
            .collect();
        Report::new(ToolInfo::new(crate::TOOL, version), metas, findings)
    }

    /// Lines for a terminal.
    pub fn human(&self, top: Option<usize>, stats: bool) -> String {
        let mut out = String::new();
        for c in self.root_causes.iter().take(top.unwrap_or(usize::MAX)) {
            let place = match c.log_line {
                Some(line) => format!("{}:{line}", c.log),
                None => c.log.clone(),
            };
            let _ = writeln!(
                out,
                "#{} {place}: {} [{}] {} ({})",
                c.rank,
                c.severity.as_str(),
                c.rule,
                c.title,
                c.tool
            );
            let _ = writeln!(out, "  {}", c.message);
            if let Some(file) = &c.file {
                match c.line {
                    Some(line) => {
                        let _ = writeln!(out, "  at {file}:{line}");
                    }
                    None => {
                        let _ = writeln!(out, "  at {file}");
                    }
                }
            }
            if c.occurrences > 1 {
                let _ = writeln!(
                    out,
                    "  seen {} times, first on line {}",
                    c.occurrences,
                    c.first_log_line.unwrap_or(0)
                );
            }
            for line in &c.context.before {
                let _ = writeln!(out, "    {:>6} | {}", line.line, line.text);
            }
            if let Some(line) = c.log_line {
                let _ = writeln!(out, "  > {line:>6} | {}", c.matched);
            }
            for line in &c.context.after {
                let _ = writeln!(out, "    {:>6} | {}", line.line, line.text);
            }
            let _ = writeln!(out, "  fix: {}", c.suggestion);
            let _ = writeln!(out, "  docs: {}", c.docs_uri);
        }
        for log in &self.logs {
            if let Some(u) = &log.unclassified {
                let _ = writeln!(out, "{}: unclassified failure: {}", log.log, u.message);
                for line in &u.lines {
                    let _ = writeln!(out, "    {:>6} | {}", line.line, line.text);
                }
            } else if !log.failed {
                let _ = writeln!(
                    out,
                    "{}: no failure found in the log ({} match(es) ignored; pass --assume-failed if the job failed)",
                    log.log, log.ignored
                );
            }
        }
        if stats {
            let _ = writeln!(out, "{}", self.stats_line());
        }
        out
    }

    pub fn stats_line(&self) -> String {
        format!(
            "{}: {} input(s), {} with a failure, {} classified ({:.1}%)",
            crate::TOOL,
            self.stats.logs,
            self.stats.failed,
            self.stats.classified,
            self.stats.share * 100.0
        )
    }

    /// The Markdown step summary.
    pub fn markdown(&self, top: Option<usize>) -> String {
        let mut out = String::from("## Autopsy\n\n");
        if self.root_causes.is_empty() {
            let unclassified: Vec<&LogSummary> = self
                .logs
                .iter()
                .filter(|l| l.unclassified.is_some())
                .collect();
            if unclassified.is_empty() {
                out.push_str("No failure found in the logs.\n");
            }
            for log in unclassified {
                if let Some(u) = &log.unclassified {
                    let _ = writeln!(
                        out,
                        "**Unclassified failure** in `{}`: {}\n",
                        cell(&log.log),
                        u.message
                    );
                    out.push_str(&fenced(
                        u.lines
                            .iter()
                            .map(|l| format!("{:>6} | {}", l.line, l.text)),
                    ));
                }
            }
            return out;
        }
        out.push_str("| # | cause | tool | where | fix |\n|---|---|---|---|---|\n");
        let shown: Vec<&RootCause> = self
            .root_causes
            .iter()
            .take(top.unwrap_or(usize::MAX))
            .collect();
        for c in &shown {
            let place = match (&c.file, c.line, c.log_line) {
                (Some(f), Some(l), _) => format!("`{}:{l}`", cell(f)),
                (Some(f), None, _) => format!("`{}`", cell(f)),
                (None, _, Some(l)) => format!("{} line {l}", cell(&c.log)),
                (None, _, None) => cell(&c.log),
            };
            let _ = writeln!(
                out,
                "| {} | **{}**: {} | {} | {} | {} [docs]({}) |",
                c.rank,
                cell(&c.title),
                cell(&c.message),
                cell(&c.tool),
                place,
                cell(&c.suggestion),
                c.docs_uri
            );
        }
        if let Some(top) = shown.first() {
            let _ = writeln!(out, "\n### #1 `{}` in {}\n", top.rule, cell(&top.log));
            let lines = top
                .context
                .before
                .iter()
                .map(|l| format!("{:>6} | {}", l.line, l.text))
                .chain(top.log_line.map(|n| format!("{n:>6} > {}", top.matched)))
                .chain(
                    top.context
                        .after
                        .iter()
                        .map(|l| format!("{:>6} | {}", l.line, l.text)),
                );
            out.push_str(&fenced(lines));
        }
        let _ = writeln!(out, "\n{}", self.stats_line());
        out
    }
}

/// A path the repository has (relative, not `..`): annotations elsewhere
/// would point nowhere.
fn is_repository_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.starts_with("..")
        && !path.starts_with('<')
        && !path.contains("://")
        && !(path.len() > 1 && path.as_bytes()[1] == b':')
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .replace('<', "&lt;")
}

/// A code block whose fence is longer than any backtick run inside.
fn fenced(lines: impl Iterator<Item = String>) -> String {
    let body: Vec<String> = lines.collect();
    let longest = body
        .iter()
        .map(|l| l.split(|c| c != '`').map(str::len).max().unwrap_or(0))
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{}\n{fence}\n", body.join("\n"))
}

/// RuleMeta holds `&'static str`; rules are loaded once per process.
fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_backticks_and_cells_escape_pipes() {
        let text = fenced(["a ```` b".to_owned()].into_iter());
        assert!(text.starts_with("`````text\n"), "{text}");
        assert_eq!(cell("a|b\nc<d"), "a\\|b c&lt;d");
    }

    #[test]
    fn only_repository_paths_get_annotations() {
        assert!(is_repository_path("src/a.rs"));
        for path in ["/usr/include/x.h", "../x", "C:/x", "<string>", ""] {
            assert!(!is_repository_path(path), "{path}");
        }
    }
}
