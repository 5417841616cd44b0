//! The issue text: what failed, the fix, a redacted excerpt, and the
//! occurrence table that `upsert-issue` updates. Two hidden markers make
//! it machine-readable: `<!-- ci-intel-autopsy signature=... -->` (how the
//! issue is found) and `<!-- ci-intel-autopsy occurrences=N first=T last=T -->`
//! (the counts, with the linked runs listed under `### Runs`).

use std::fmt::Write as _;

use super::ReportCause;
use crate::redact::Redactor;

/// The hidden marker of a signature.
pub fn marker(signature: &str) -> String {
    format!("<!-- ci-intel-autopsy signature={signature} -->")
}

const RUNS_HEADING: &str = "### Runs";

/// How often a failure was seen, and in which runs (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrences {
    pub count: u64,
    pub first: String,
    pub last: String,
    /// `(time, run URL)`, newest first.
    pub runs: Vec<(String, String)>,
}

impl Occurrences {
    pub fn first(now: &str, run: Option<&str>) -> Occurrences {
        Occurrences {
            count: 1,
            first: now.to_owned(),
            last: now.to_owned(),
            runs: run
                .map(|r| vec![(now.to_owned(), r.to_owned())])
                .unwrap_or_default(),
        }
    }

    /// One more occurrence.
    pub fn next(mut self, now: &str, run: Option<&str>) -> Occurrences {
        self.count += 1;
        self.last = now.to_owned();
        if let Some(run) = run
            && !self.runs.iter().any(|(_, r)| r == run)
        {
            self.runs.insert(0, (now.to_owned(), run.to_owned()));
        }
        self
    }

    /// Read the counts and runs back from an issue body.
    pub fn parse(body: &str) -> Option<Occurrences> {
        let start = body.find("<!-- ci-intel-autopsy occurrences=")?;
        let comment = &body[start..];
        let comment = &comment[..comment.find("-->")?];
        let field = |name: &str| {
            comment
                .split_whitespace()
                .find_map(|w| w.strip_prefix(&format!("{name}=")))
                .map(str::to_owned)
        };
        let count = field("occurrences")?.parse().ok()?;
        let first = field("first")?;
        let last = field("last")?;
        let mut runs = Vec::new();
        if let Some(at) = body.find(RUNS_HEADING) {
            for line in body[at + RUNS_HEADING.len()..].lines() {
                let Some(rest) = line.strip_prefix("- ") else {
                    if line.starts_with("<!--") || line.starts_with('#') {
                        break;
                    }
                    continue;
                };
                if let Some((time, url)) = rest.split_once(' ') {
                    let url = url.trim().trim_start_matches('<').trim_end_matches('>');
                    runs.push((time.to_owned(), url.to_owned()));
                }
            }
        }
        Some(Occurrences {
            count,
            first,
            last,
            runs,
        })
    }
}

/// A cause, redacted, ready to be written into an issue.
#[derive(Debug, Clone)]
pub struct IssueBody {
    cause: ReportCause,
}

impl IssueBody {
    pub fn new(cause: &ReportCause, redactor: &Redactor) -> IssueBody {
        let mut cause = cause.clone();
        cause.message = redactor.line(&cause.message);
        cause.matched = redactor.line(&cause.matched);
        cause.file = cause.file.take().map(|f| redactor.line(&f));
        let mut lines: Vec<String> = cause
            .context
            .before
            .iter()
            .map(|l| l.text.clone())
            .collect();
        lines.push(cause.matched.clone());
        lines.extend(cause.context.after.iter().map(|l| l.text.clone()));
        let redacted = redactor.block(&lines);
        let n = cause.context.before.len();
        for (line, text) in cause.context.before.iter_mut().zip(&redacted) {
            line.text = text.clone();
        }
        for (line, text) in cause
            .context
            .after
            .iter_mut()
            .zip(redacted.iter().skip(n + 1))
        {
            line.text = text.clone();
        }
        IssueBody { cause }
    }

    pub fn title(&self) -> String {
        let message = crate::scan::line::truncate(one_line(&self.cause.message), 90);
        format!("CI failure: {}: {message}", self.cause.title)
    }

    pub fn render(&self, seen: &Occurrences, keep_runs: usize) -> String {
        let c = &self.cause;
        let mut out = String::new();
        let _ = writeln!(out, "{}", marker(&c.signature));
        let _ = writeln!(
            out,
            "**{}** (`{}`, {}, {})\n",
            c.title, c.rule, c.tool, c.severity
        );
        let _ = writeln!(out, "> {}\n", one_line(&c.message));
        if let Some(file) = &c.file {
            match c.line {
                Some(line) => {
                    let _ = writeln!(out, "**Where:** `{}:{line}`\n", tick(file));
                }
                None => {
                    let _ = writeln!(out, "**Where:** `{}`\n", tick(file));
                }
            }
        }
        let _ = writeln!(
            out,
            "**Fix:** {} ([docs]({}))\n",
            one_line(&c.suggestion),
            c.docs_uri
        );
        let _ = writeln!(
            out,
            "**Seen:** {} time(s), first {}, last {}\n",
            seen.count, seen.first, seen.last
        );
        let mut excerpt: Vec<String> = c
            .context
            .before
            .iter()
            .map(|l| format!("{:>6} | {}", l.line, l.text))
            .collect();
        excerpt.push(match c.log_line {
            Some(n) => format!("{n:>6} > {}", c.matched),
            None => format!("       > {}", c.matched),
        });
        excerpt.extend(
            c.context
                .after
                .iter()
                .map(|l| format!("{:>6} | {}", l.line, l.text)),
        );
        let longest = excerpt
            .iter()
            .map(|l| l.split(|ch| ch != '`').map(str::len).max().unwrap_or(0))
            .max()
            .unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        let _ = writeln!(
            out,
            "<details><summary>Log excerpt ({}, redacted)</summary>\n\n{fence}text\n{}\n{fence}\n</details>\n",
            tick(&c.log),
            excerpt.join("\n")
        );
        let _ = writeln!(out, "{RUNS_HEADING}\n");
        for (time, url) in seen.runs.iter().take(keep_runs.max(1)) {
            let _ = writeln!(out, "- {time} <{url}>");
        }
        let _ = writeln!(
            out,
            "\n<!-- ci-intel-autopsy occurrences={} first={} last={} -->",
            seen.count, seen.first, seen.last
        );
        let _ = write!(
            out,
            "_Filed by ci-intel-autopsy: one issue per failure signature; a new occurrence updates it._\n"
        );
        out
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn tick(text: &str) -> String {
    text.replace('`', "'")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issue::{ReportContext, ReportLine};

    fn cause() -> ReportCause {
        ReportCause {
            rule: "pytest-short-summary".into(),
            title: "A pytest test failed".into(),
            tool: "pytest".into(),
            severity: "error".into(),
            message: "FAILED tests/test_a.py::test_b - assert 1 == 2".into(),
            suggestion: "Run it locally.".into(),
            docs_uri: "https://docs.pytest.org/".into(),
            file: Some("tests/test_a.py".into()),
            line: Some(3),
            log: "build.log".into(),
            log_line: Some(10),
            matched: "FAILED tests/test_a.py::test_b - assert 1 == 2".into(),
            context: ReportContext {
                before: vec![ReportLine {
                    line: 9,
                    text: "```".into(),
                }],
                after: Vec::new(),
            },
            signature: "0123456789abcdef".into(),
        }
    }

    #[test]
    fn occurrences_round_trip_through_the_body() {
        let body = IssueBody::new(&cause(), &Redactor::new(Vec::new()));
        let seen = Occurrences::first(
            "2026-01-01T00:00:00Z",
            Some("https://github.com/o/r/actions/runs/1"),
        );
        let text = body.render(&seen, 20);
        assert!(text.starts_with(&marker("0123456789abcdef")));
        assert!(
            text.contains("````text"),
            "the fence outgrows the excerpt's backticks:\n{text}"
        );
        let parsed = Occurrences::parse(&text).unwrap();
        assert_eq!(parsed, seen);
        let next = parsed.next(
            "2026-01-02T00:00:00Z",
            Some("https://github.com/o/r/actions/runs/2"),
        );
        let text = body.render(&next, 1);
        let again = Occurrences::parse(&text).unwrap();
        assert_eq!(again.count, 2);
        assert_eq!(again.first, "2026-01-01T00:00:00Z");
        assert_eq!(again.last, "2026-01-02T00:00:00Z");
        assert_eq!(
            again.runs,
            vec![(
                "2026-01-02T00:00:00Z".to_owned(),
                "https://github.com/o/r/actions/runs/2".to_owned()
            )]
        );
        assert!(
            body.title()
                .starts_with("CI failure: A pytest test failed: FAILED tests/test_a.py")
        );
    }
}
