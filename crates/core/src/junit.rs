//! JUnit XML: the one reader every tool shares (telemetry's totals, the
//! tests tool's per-test history).
//!
//! JUnit XML has no single specification; this reads what pytest, jest, mocha,
//! bazel, surefire, xunit, nextest and friends write: a `<testsuites>` or
//! `<testsuite>` root, nested suites, and `<testcase>` elements whose outcome
//! is a child (`<failure>`, `<error>`, `<skipped>`) or a `status` attribute. A
//! test with several outcomes counts once, by the worst (error, then failure,
//! then skip). A suite without test cases falls back to its `tests`/
//! `failures`/`errors`/`skipped` attributes. External entities are never
//! resolved (no XXE).
//!
//! [`summarise`] adds a report up; [`read`] also returns every test case
//! ([`JunitCase`]) with its suite, class name, time and retries: the
//! Maven Surefire elements nextest writes (`<flakyFailure>`/`<flakyError>`
//! for failed attempts of a test that passed in the end, `<rerunFailure>`/
//! `<rerunError>` for failed retries of a test that failed). Both are plain
//! functions over bytes that never panic, so a fuzz target can call them.

use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// What a set of JUnit reports says, added up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JunitSummary {
    pub total: u64,
    /// Failures and errors.
    pub failed: u64,
    pub skipped: u64,
    pub duration_ms: u64,
    pub suites: u64,
}

impl JunitSummary {
    pub fn add(&mut self, other: JunitSummary) {
        // Saturating: the counts and times come from attributes of
        // untrusted files (`tests="18446744073709551615"`).
        self.total = self.total.saturating_add(other.total);
        self.failed = self.failed.saturating_add(other.failed);
        self.skipped = self.skipped.saturating_add(other.skipped);
        self.duration_ms = self.duration_ms.saturating_add(other.duration_ms);
        self.suites = self.suites.saturating_add(other.suites);
    }
}

/// How a test case ended (the worst of its outcome elements).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CaseOutcome {
    Passed,
    Skipped,
    Failed,
    Error,
}

impl CaseOutcome {
    /// Failed or errored.
    pub fn is_failure(self) -> bool {
        matches!(self, CaseOutcome::Failed | CaseOutcome::Error)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CaseOutcome::Passed => "passed",
            CaseOutcome::Skipped => "skipped",
            CaseOutcome::Failed => "failed",
            CaseOutcome::Error => "error",
        }
    }
}

/// One `<testcase>` as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JunitCase {
    /// The `name` of the innermost enclosing `<testsuite>` (empty when none).
    pub suite: String,
    /// The `classname` attribute (pytest: the module and class; nextest: the
    /// binary id; jest: the describe block).
    pub classname: Option<String>,
    pub name: String,
    /// The `file` attribute, when the runner writes one.
    pub file: Option<String>,
    /// The `line` attribute, when the runner writes one.
    pub line: Option<u32>,
    /// The `time` attribute in milliseconds, when present and readable.
    pub time_ms: Option<u64>,
    pub outcome: CaseOutcome,
    /// `<flakyFailure>`/`<flakyError>` children: failed attempts of a test
    /// that passed on a retry.
    pub flaky_failures: u32,
    /// `<rerunFailure>`/`<rerunError>` children: failed retries of a test.
    pub rerun_failures: u32,
}

impl JunitCase {
    /// `classname::name`, or the name alone without a class name: how the
    /// tests tool names a test.
    pub fn id(&self) -> String {
        match self.classname.as_deref() {
            Some(class) if !class.is_empty() => format!("{class}::{}", self.name),
            _ => self.name.clone(),
        }
    }
}

/// A JUnit report read case by case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JunitReport {
    pub summary: JunitSummary,
    pub cases: Vec<JunitCase>,
    /// The first `timestamp` attribute of a `<testsuites>` or `<testsuite>`.
    pub timestamp: Option<String>,
}

/// Why a file is not a usable JUnit report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JunitError {
    pub message: String,
}

impl std::fmt::Display for JunitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for JunitError {}

/// Read and summarise one JUnit XML file.
pub fn summarise_file(path: &Path) -> Result<JunitSummary, JunitError> {
    let bytes = std::fs::read(path).map_err(|e| JunitError {
        message: format!("cannot read JUnit file {}: {e}", path.display()),
    })?;
    summarise(&bytes).map_err(|e| JunitError {
        message: format!("{}: {}", path.display(), e.message),
    })
}

#[derive(Debug, Default)]
struct SuiteFrame {
    name: String,
    counted: JunitSummary,
    case_time_ms: u64,
    attr_tests: Option<u64>,
    attr_failed: Option<u64>,
    attr_skipped: Option<u64>,
    attr_time_ms: Option<u64>,
}

#[derive(Debug, Default)]
struct CaseFrame {
    error: bool,
    failure: bool,
    skipped: bool,
    time_ms: Option<u64>,
    flaky: u32,
    rerun: u32,
    classname: Option<String>,
    name: String,
    file: Option<String>,
    line: Option<u32>,
}

impl CaseFrame {
    fn outcome(&self) -> CaseOutcome {
        if self.error {
            CaseOutcome::Error
        } else if self.failure {
            CaseOutcome::Failed
        } else if self.skipped {
            CaseOutcome::Skipped
        } else {
            CaseOutcome::Passed
        }
    }
}

/// What one pass over the document collects.
struct Collect<'a> {
    totals: JunitSummary,
    root_time_ms: Option<u64>,
    /// `None`: totals only.
    cases: Option<&'a mut Vec<JunitCase>>,
    timestamp: Option<String>,
}

enum Frame {
    Suites {
        time_ms: Option<u64>,
    },
    Suite(SuiteFrame),
    Case(CaseFrame),
    /// `<failure>`, `<error>`, `<skipped>` or a retry element inside a test case.
    Outcome(CaseFrame),
    Other,
}

/// Summarise JUnit XML bytes. Never panics on any input.
pub fn summarise(bytes: &[u8]) -> Result<JunitSummary, JunitError> {
    let mut collect = Collect {
        totals: JunitSummary::default(),
        root_time_ms: None,
        cases: None,
        timestamp: None,
    };
    walk(bytes, &mut collect)?;
    Ok(collect.totals)
}

/// Read JUnit XML bytes case by case. Never panics on any input; the
/// summary is the one [`summarise`] returns.
pub fn read(bytes: &[u8]) -> Result<JunitReport, JunitError> {
    let mut cases = Vec::new();
    let mut collect = Collect {
        totals: JunitSummary::default(),
        root_time_ms: None,
        cases: Some(&mut cases),
        timestamp: None,
    };
    walk(bytes, &mut collect)?;
    let summary = collect.totals;
    let timestamp = collect.timestamp;
    Ok(JunitReport {
        summary,
        cases,
        timestamp,
    })
}

/// Read one JUnit XML file case by case.
pub fn read_file(path: &Path) -> Result<JunitReport, JunitError> {
    let bytes = std::fs::read(path).map_err(|e| JunitError {
        message: format!("cannot read JUnit file {}: {e}", path.display()),
    })?;
    read(&bytes).map_err(|e| JunitError {
        message: format!("{}: {}", path.display(), e.message),
    })
}

fn walk(bytes: &[u8], collect: &mut Collect<'_>) -> Result<(), JunitError> {
    let mut reader = Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut saw_root = false;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| JunitError {
            message: format!(
                "not well-formed XML at byte {}: {e}",
                reader.error_position()
            ),
        })?;
        match event {
            Event::Start(start) => {
                let frame = open(&start, &stack, &mut saw_root, collect)?;
                stack.push(frame);
            }
            Event::Empty(start) => {
                let frame = open(&start, &stack, &mut saw_root, collect)?;
                close(frame, &mut stack, collect);
            }
            Event::End(_) => {
                if let Some(frame) = stack.pop() {
                    close(frame, &mut stack, collect);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err(JunitError {
            message: "not well-formed XML: the document ends inside an element".to_owned(),
        });
    }
    if !saw_root {
        return Err(JunitError {
            message: "not a JUnit report: no <testsuites> or <testsuite> root element".to_owned(),
        });
    }
    if collect.totals.duration_ms == 0 {
        collect.totals.duration_ms = collect.root_time_ms.unwrap_or(0);
    }
    Ok(())
}

fn open(
    start: &BytesStart<'_>,
    stack: &[Frame],
    saw_root: &mut bool,
    collect: &mut Collect<'_>,
) -> Result<Frame, JunitError> {
    let local = start.local_name();
    let name: &str = local.as_ref();
    if stack.is_empty() {
        if name != "testsuites" && name != "testsuite" {
            return Err(JunitError {
                message: format!(
                    "not a JUnit report: the root element is <{}>, expected <testsuites> or <testsuite>",
                    name
                ),
            });
        }
        *saw_root = true;
    }
    let in_case = matches!(stack.last(), Some(Frame::Case(_)));
    if collect.cases.is_some()
        && collect.timestamp.is_none()
        && matches!(name, "testsuites" | "testsuite")
    {
        collect.timestamp = attr(start, "timestamp").filter(|t| !t.is_empty());
    }
    let want_names = collect.cases.is_some();
    Ok(match name {
        "testsuites" if stack.is_empty() => Frame::Suites {
            time_ms: attr(start, "time").and_then(|t| seconds_to_ms(&t)),
        },
        "testsuite" if !in_case => Frame::Suite(SuiteFrame {
            name: if want_names {
                attr(start, "name").unwrap_or_default()
            } else {
                String::new()
            },
            attr_tests: attr_u64(start, "tests"),
            attr_failed: sum_opt(attr_u64(start, "failures"), attr_u64(start, "errors")),
            attr_skipped: sum_opt(attr_u64(start, "skipped"), attr_u64(start, "disabled")),
            attr_time_ms: attr(start, "time").and_then(|t| seconds_to_ms(&t)),
            ..SuiteFrame::default()
        }),
        "testcase" if !in_case => {
            let status = attr(start, "status")
                .unwrap_or_default()
                .to_ascii_lowercase();
            Frame::Case(CaseFrame {
                error: matches!(status.as_str(), "error" | "errored"),
                failure: matches!(status.as_str(), "failed" | "failure" | "fail"),
                skipped: matches!(
                    status.as_str(),
                    "skipped" | "disabled" | "notrun" | "ignored"
                ),
                time_ms: attr(start, "time").and_then(|t| seconds_to_ms(&t)),
                classname: want_names.then(|| attr(start, "classname")).flatten(),
                name: if want_names {
                    attr(start, "name").unwrap_or_default()
                } else {
                    String::new()
                },
                file: want_names.then(|| attr(start, "file")).flatten(),
                line: want_names
                    .then(|| attr(start, "line").and_then(|l| l.parse().ok()))
                    .flatten(),
                ..CaseFrame::default()
            })
        }
        "error" | "failure" | "skipped" if in_case => Frame::Outcome(CaseFrame {
            error: name == "error",
            failure: name == "failure",
            skipped: name == "skipped",
            ..CaseFrame::default()
        }),
        "flakyFailure" | "flakyError" if in_case => Frame::Outcome(CaseFrame {
            flaky: 1,
            ..CaseFrame::default()
        }),
        "rerunFailure" | "rerunError" if in_case => Frame::Outcome(CaseFrame {
            rerun: 1,
            ..CaseFrame::default()
        }),
        _ => Frame::Other,
    })
}

fn close(frame: Frame, stack: &mut [Frame], collect: &mut Collect<'_>) {
    match frame {
        Frame::Outcome(outcome) => {
            if let Some(Frame::Case(case)) = stack.last_mut() {
                case.error |= outcome.error;
                case.failure |= outcome.failure;
                case.skipped |= outcome.skipped;
                case.flaky = case.flaky.saturating_add(outcome.flaky);
                case.rerun = case.rerun.saturating_add(outcome.rerun);
            }
        }
        Frame::Case(case) => {
            let outcome = case.outcome();
            let time_ms = case.time_ms.unwrap_or(0);
            match stack.last_mut() {
                Some(Frame::Suite(suite)) => {
                    suite.counted.total += 1;
                    if outcome.is_failure() {
                        suite.counted.failed += 1;
                    } else if outcome == CaseOutcome::Skipped {
                        suite.counted.skipped += 1;
                    }
                    suite.case_time_ms = suite.case_time_ms.saturating_add(time_ms);
                }
                // A test case directly under <testsuites> (or the root).
                _ => {
                    let totals = &mut collect.totals;
                    totals.total += 1;
                    if outcome.is_failure() {
                        totals.failed += 1;
                    } else if outcome == CaseOutcome::Skipped {
                        totals.skipped += 1;
                    }
                    totals.duration_ms = totals.duration_ms.saturating_add(time_ms);
                }
            }
            if let Some(cases) = collect.cases.as_deref_mut() {
                let suite = stack
                    .iter()
                    .rev()
                    .find_map(|f| match f {
                        Frame::Suite(s) => Some(s.name.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                cases.push(JunitCase {
                    suite,
                    classname: case.classname,
                    name: case.name,
                    file: case.file,
                    line: case.line,
                    time_ms: case.time_ms,
                    outcome,
                    flaky_failures: case.flaky,
                    rerun_failures: case.rerun,
                });
            }
        }
        Frame::Suite(suite) => {
            let summary = finish_suite(&suite);
            match stack.last_mut() {
                Some(Frame::Suite(parent)) => {
                    parent.counted.add(summary);
                    parent.case_time_ms = parent.case_time_ms.saturating_add(summary.duration_ms);
                }
                _ => collect.totals.add(summary),
            }
        }
        Frame::Suites { time_ms } => collect.root_time_ms = time_ms,
        Frame::Other => {}
    }
}

fn finish_suite(suite: &SuiteFrame) -> JunitSummary {
    let mut summary = suite.counted;
    if summary.total == 0 && suite.attr_tests.unwrap_or(0) > 0 {
        // No test cases written out: trust the suite's own counters.
        summary.total = suite.attr_tests.unwrap_or(0);
        summary.failed = suite.attr_failed.unwrap_or(0).min(summary.total);
        summary.skipped = suite.attr_skipped.unwrap_or(0).min(summary.total);
    }
    summary.duration_ms = suite.attr_time_ms.unwrap_or(suite.case_time_ms);
    summary.suites += 1;
    summary
}

fn attr(start: &BytesStart<'_>, key: &str) -> Option<String> {
    start
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| {
            let local = a.key.local_name();
            let name: &str = local.as_ref();
            name == key
        })
        // Entities resolved (`&quot;` is `"`); only the predefined ones and
        // character references, never a document's own: an unknown one keeps
        // the raw text.
        .map(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.trim().to_owned())
                .unwrap_or_else(|_| a.value.trim().to_owned())
        })
}

fn attr_u64(start: &BytesStart<'_>, key: &str) -> Option<u64> {
    attr(start, key).and_then(|v| v.parse().ok())
}

fn sum_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
    }
}

/// Seconds (as JUnit writes them, possibly with a `,` decimal separator from
/// some locales) to milliseconds; anything non-finite or negative is ignored.
fn seconds_to_ms(text: &str) -> Option<u64> {
    let seconds: f64 = text.replace(',', ".").parse().ok()?;
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    Some((seconds * 1000.0).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worst_outcome_wins_for_a_test_case() {
        let xml = br#"<testsuites><testsuite name="s" time="1.5">
            <testcase name="a"><skipped/><failure/><error/></testcase>
            <testcase name="b"><skipped/><failure message="x">boom</failure></testcase>
            <testcase name="c"><skipped/></testcase>
            <testcase name="d" time="0.5"/>
        </testsuite></testsuites>"#;
        let s = summarise(xml).unwrap();
        assert_eq!(
            (s.total, s.failed, s.skipped, s.duration_ms, s.suites),
            (4, 2, 1, 1500, 1)
        );
    }

    #[test]
    fn suites_without_cases_use_their_counters() {
        let xml = br#"<testsuite tests="6" failures="1" errors="0" skipped="2" time="0.010"></testsuite>"#;
        let s = summarise(xml).unwrap();
        assert_eq!((s.total, s.failed, s.skipped, s.duration_ms), (6, 1, 2, 10));
    }

    #[test]
    fn status_attributes_count_like_children() {
        let xml = br#"<testsuites><testsuite>
            <testcase status="disabled"/><testcase status="errored"/><testcase status="failed"/><testcase status="passed"/>
        </testsuite></testsuites>"#;
        let s = summarise(xml).unwrap();
        assert_eq!((s.total, s.failed, s.skipped), (4, 2, 1));
    }

    #[test]
    fn other_documents_are_refused_with_the_root_name() {
        let err = summarise(b"<suites><suite/></suites>").unwrap_err();
        assert!(err.message.contains("<suites>"), "{}", err.message);
        assert!(summarise(b"").is_err());
        assert!(summarise(b"<testsuite><testcase>").is_err());
    }

    #[test]
    fn attribute_entities_are_resolved() {
        let xml = br#"<testsuite><testcase classname="a&amp;b" name="with &quot;quotes&quot; &#233;"/></testsuite>"#;
        let report = read(xml).unwrap();
        assert_eq!(report.cases[0].name, "with \"quotes\" é");
        assert_eq!(report.cases[0].classname.as_deref(), Some("a&b"));
    }

    #[test]
    fn entities_are_not_expanded_from_outside() {
        let xml = br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><testsuite><testcase name="&e;"/></testsuite>"#;
        // Either a count without reading the file, or a parse error: never the file.
        if let Ok(s) = summarise(xml) {
            assert_eq!(s.total, 1);
        }
    }

    #[test]
    fn read_returns_every_case_with_its_suite_class_time_and_outcome() {
        let xml = br#"<testsuites><testsuite name="outer" timestamp="2026-01-02T03:04:05">
            <testsuite name="inner">
              <testcase classname="pkg.TestA" name="t1" time="0.25" file="pkg/a.py" line="7"/>
              <testcase classname="pkg.TestA" name="t2"><failure/></testcase>
            </testsuite>
            <testcase name="t3"><skipped/></testcase>
        </testsuite></testsuites>"#;
        let report = read(xml).unwrap();
        assert_eq!(report.summary, summarise(xml).unwrap());
        assert_eq!(report.timestamp.as_deref(), Some("2026-01-02T03:04:05"));
        let got: Vec<(String, &str, Option<u64>, CaseOutcome)> = report
            .cases
            .iter()
            .map(|c| (c.id(), c.suite.as_str(), c.time_ms, c.outcome))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "pkg.TestA::t1".to_owned(),
                    "inner",
                    Some(250),
                    CaseOutcome::Passed
                ),
                (
                    "pkg.TestA::t2".to_owned(),
                    "inner",
                    None,
                    CaseOutcome::Failed
                ),
                ("t3".to_owned(), "outer", None, CaseOutcome::Skipped),
            ]
        );
        assert_eq!(report.cases[0].file.as_deref(), Some("pkg/a.py"));
        assert_eq!(report.cases[0].line, Some(7));
    }

    #[test]
    fn surefire_retry_elements_are_counted_and_do_not_change_the_outcome() {
        // The shape nextest writes with retries: a flaky pass, a failure
        // that failed every retry.
        let xml = br#"<testsuites><testsuite name="bin">
            <testcase classname="bin" name="flaky" time="0.1">
              <flakyFailure type="test failure" message="boom"/>
              <flakyFailure type="test failure" message="boom"/>
            </testcase>
            <testcase classname="bin" name="broken">
              <failure type="test failure"/>
              <rerunFailure type="test failure"/>
            </testcase>
        </testsuite></testsuites>"#;
        let report = read(xml).unwrap();
        let flaky = &report.cases[0];
        assert_eq!(
            (flaky.outcome, flaky.flaky_failures, flaky.rerun_failures),
            (CaseOutcome::Passed, 2, 0)
        );
        let broken = &report.cases[1];
        assert_eq!(
            (broken.outcome, broken.flaky_failures, broken.rerun_failures),
            (CaseOutcome::Failed, 0, 1)
        );
        assert_eq!((report.summary.total, report.summary.failed), (2, 1));
    }

    proptest! {
        #[test]
        fn read_never_panics_and_agrees_with_summarise(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let read = read(&bytes).map(|r| r.summary);
            prop_assert_eq!(read, summarise(&bytes));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = summarise(&bytes);
        }

        #[test]
        fn arbitrary_junit_like_text_never_panics(text in "(<(testsuites|testsuite|testcase|failure|skipped|error)( time=\"[0-9.,e-]{0,6}\"| tests=\"[0-9]{0,3}\")?/?>|</(testsuites|testsuite|testcase|failure)>|[a-z ]){0,40}") {
            let _ = summarise(text.as_bytes());
        }
    }
}
