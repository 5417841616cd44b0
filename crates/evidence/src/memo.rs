//! The one-page Go/No-Go memo: release and subject, changes since the
//! previous tag, the truth table, risks, the rollback plan, and the
//! decision, which is NO-GO whenever verification failed.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::bundle::Files;
use crate::config::RollbackConfig;
use crate::verify::{Evaluation, markdown_table};

/// The changes since the previous tag, as git reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changes {
    /// `previous` is the tag compared with (None: the first release).
    Log {
        previous: Option<String>,
        lines: Vec<String>,
        truncated: usize,
    },
    /// Why the history could not be read.
    Unavailable(String),
}

/// Commits shown at most.
pub const MAX_CHANGES: usize = 50;

/// `git log` from the tag before `commit` to `commit`, run in `repo`.
/// `previous` overrides the tag found by `git describe`.
pub fn changes(repo: &Path, commit: &str, previous: Option<&str>) -> Changes {
    let git = |args: &[&str]| -> Result<String, String> {
        let output = Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
        }
    };
    if let Err(why) = git(&["cat-file", "-e", &format!("{commit}^{{commit}}")]) {
        return Changes::Unavailable(format!(
            "commit {commit} is not in the repository at {} ({why}); fetch the history (actions/checkout with fetch-depth: 0)",
            repo.display()
        ));
    }
    let previous = match previous {
        Some(tag) => Some(tag.to_owned()),
        None => git(&["describe", "--tags", "--abbrev=0", &format!("{commit}^")]).ok(),
    };
    let range = match &previous {
        Some(tag) => format!("{tag}..{commit}"),
        None => commit.to_owned(),
    };
    match git(&["log", "--no-merges", "--format=%h %s (%an)", &range]) {
        Ok(text) => {
            let all: Vec<String> = text.lines().map(str::to_owned).collect();
            let truncated = all.len().saturating_sub(MAX_CHANGES);
            Changes::Log {
                previous,
                lines: all.into_iter().take(MAX_CHANGES).collect(),
                truncated,
            }
        }
        Err(why) => Changes::Unavailable(format!("git log {range} failed: {why}")),
    }
}

/// A finding a SARIF log in the bundle marks as suppressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub file: String,
    pub rule: String,
    pub location: String,
    pub owner: String,
    pub expires: String,
    pub justification: String,
}

/// Suppressed results in `scans/` (SARIF `suppressions`, as `sarif merge`
/// writes them).
pub fn suppressed(files: &Files) -> Vec<Suppressed> {
    let mut out = Vec::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p.starts_with("scans/")) {
        let Ok(log) = serde_json::from_slice::<Value>(bytes) else {
            continue;
        };
        for run in log["runs"].as_array().into_iter().flatten() {
            for result in run["results"].as_array().into_iter().flatten() {
                for suppression in result["suppressions"].as_array().into_iter().flatten() {
                    let props = &suppression["properties"];
                    let text = |v: &Value| v.as_str().unwrap_or("-").to_owned();
                    let physical = &result["locations"][0]["physicalLocation"];
                    out.push(Suppressed {
                        file: path.clone(),
                        rule: text(&result["ruleId"]),
                        location: format!(
                            "{}:{}",
                            physical["artifactLocation"]["uri"].as_str().unwrap_or("-"),
                            physical["region"]["startLine"].as_u64().unwrap_or(0)
                        ),
                        owner: text(&props["owner"]),
                        expires: text(&props["expires"]),
                        justification: text(&suppression["justification"]),
                    });
                }
            }
        }
    }
    out
}

/// Everything the memo shows.
#[derive(Debug, Clone)]
pub struct MemoInput<'a> {
    pub evaluation: &'a Evaluation,
    pub changes: &'a Changes,
    pub rollback: &'a RollbackConfig,
    pub suppressed: &'a [Suppressed],
    /// Prefix for links to statements (empty: relative to the bundle).
    pub link_prefix: &'a str,
}

/// GO when verification passed, NO-GO otherwise.
pub fn decision(evaluation: &Evaluation) -> &'static str {
    if evaluation.passed { "GO" } else { "NO-GO" }
}

/// The memo as Markdown.
pub fn render(input: &MemoInput<'_>) -> String {
    let e = input.evaluation;
    let mut out = String::new();
    let _ = writeln!(out, "# Go/No-Go: {}\n", e.release);
    let gaps = e.gaps();
    if e.passed {
        let _ = writeln!(
            out,
            "**Decision: GO**: every required gate passed for this exact subject, fresh and signed.\n"
        );
    } else {
        let _ = writeln!(
            out,
            "**Decision: NO-GO**: the evidence has {} gap(s):\n",
            gaps.len()
        );
        for gap in &gaps {
            let _ = writeln!(out, "- {gap}");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "- Release: `{}`", e.release);
    let _ = writeln!(out, "- Subject: `{}`", e.subject);
    let _ = writeln!(out, "- Commit: `{}`", e.commit);
    let _ = writeln!(
        out,
        "- Verified: {} by {} {}\n",
        e.time,
        crate::TOOL,
        env!("CARGO_PKG_VERSION")
    );

    let _ = writeln!(out, "## Changes");
    match input.changes {
        Changes::Log {
            previous,
            lines,
            truncated,
        } => {
            let since = previous
                .as_deref()
                .map_or("the first commit".to_owned(), |t| format!("`{t}`"));
            let _ = writeln!(
                out,
                "\nSince {since}: {} commit(s).\n",
                lines.len() + truncated
            );
            for line in lines {
                let _ = writeln!(out, "- {}", line.replace('\n', " "));
            }
            if *truncated > 0 {
                let _ = writeln!(out, "- ... and {truncated} more");
            }
        }
        Changes::Unavailable(why) => {
            let _ = writeln!(out, "\nUnavailable: {why}");
        }
    }

    let _ = writeln!(out, "\n## Evidence\n");
    out.push_str(&markdown_table(e, input.link_prefix));

    let _ = writeln!(out, "\n## Risks\n");
    let mut risks = 0;
    for row in &e.rows {
        if row.verdict == Some(ci_intel_core::Verdict::Warn) {
            risks += 1;
            let _ = writeln!(out, "- `{}` warned: {}", row.gate, row.reason);
        }
        let below: Vec<String> = row
            .findings
            .iter()
            .map(|(severity, n)| format!("{n} {severity}"))
            .collect();
        if !below.is_empty() && row.verdict == Some(ci_intel_core::Verdict::Allow) {
            risks += 1;
            let _ = writeln!(
                out,
                "- `{}` passed with findings below `fail_on`: {}",
                row.gate,
                below.join(", ")
            );
        }
        if let Some(n) = row.counts.get("baselined").filter(|n| **n > 0) {
            risks += 1;
            let _ = writeln!(out, "- `{}`: {n} baselined finding(s)", row.gate);
        }
    }
    for s in input.suppressed {
        risks += 1;
        let _ = writeln!(
            out,
            "- suppressed `{}` at {} ({}): owner {}, expires {}: {}",
            s.rule, s.location, s.file, s.owner, s.expires, s.justification
        );
    }
    if risks == 0 {
        let _ = writeln!(
            out,
            "None recorded: no warning, baselined or suppressed finding."
        );
    }

    let _ = writeln!(out, "\n## Rollback\n");
    let plan = if input.rollback.plan.trim().is_empty() {
        "**none configured** (set `evidence.rollback.plan` in .ci-intel/config.yml)".to_owned()
    } else {
        input.rollback.plan.trim().to_owned()
    };
    let owner = if input.rollback.owner.trim().is_empty() {
        "**none configured** (`evidence.rollback.owner`)".to_owned()
    } else {
        input.rollback.owner.trim().to_owned()
    };
    let _ = writeln!(out, "- Plan: {plan}");
    let _ = writeln!(out, "- Owner: {owner}");
    let _ = writeln!(out, "\n**{}**", decision(e));
    out
}
