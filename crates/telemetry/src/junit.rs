//! JUnit XML summaries: totals, failures, skips and durations.
//!
//! JUnit XML has no single specification; this reads what pytest, jest, mocha,
//! bazel, surefire, xunit and friends write: a `<testsuites>` or `<testsuite>`
//! root, nested suites, and `<testcase>` elements whose outcome is a child
//! (`<failure>`, `<error>`, `<skipped>`) or a `status` attribute. A test with
//! several outcomes counts once, by the worst (error, then failure, then skip).
//! A suite without test cases falls back to its `tests`/`failures`/`errors`/
//! `skipped` attributes. External entities are never resolved (no XXE).

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
        self.total += other.total;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.duration_ms += other.duration_ms;
        self.suites += other.suites;
    }
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
    time_ms: u64,
}

enum Frame {
    Suites {
        time_ms: Option<u64>,
    },
    Suite(SuiteFrame),
    Case(CaseFrame),
    /// `<failure>`, `<error>` or `<skipped>` inside a test case.
    Outcome(CaseFrame),
    Other,
}

/// Summarise JUnit XML bytes. Never panics on any input.
pub fn summarise(bytes: &[u8]) -> Result<JunitSummary, JunitError> {
    let mut reader = Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut totals = JunitSummary::default();
    let mut saw_root = false;
    let mut root_time_ms: Option<u64> = None;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| JunitError {
            message: format!(
                "not well-formed XML at byte {}: {e}",
                reader.error_position()
            ),
        })?;
        match event {
            Event::Start(start) => {
                let frame = open(&start, &stack, &mut saw_root)?;
                stack.push(frame);
            }
            Event::Empty(start) => {
                let frame = open(&start, &stack, &mut saw_root)?;
                close(frame, &mut stack, &mut totals, &mut root_time_ms);
            }
            Event::End(_) => {
                if let Some(frame) = stack.pop() {
                    close(frame, &mut stack, &mut totals, &mut root_time_ms);
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
    if totals.duration_ms == 0 {
        totals.duration_ms = root_time_ms.unwrap_or(0);
    }
    Ok(totals)
}

fn open(start: &BytesStart<'_>, stack: &[Frame], saw_root: &mut bool) -> Result<Frame, JunitError> {
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
    Ok(match name {
        "testsuites" if stack.is_empty() => Frame::Suites {
            time_ms: attr(start, "time").and_then(|t| seconds_to_ms(&t)),
        },
        "testsuite" if !in_case => Frame::Suite(SuiteFrame {
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
                time_ms: attr(start, "time")
                    .and_then(|t| seconds_to_ms(&t))
                    .unwrap_or(0),
            })
        }
        "error" | "failure" | "skipped" if in_case => Frame::Outcome(CaseFrame {
            error: name == "error",
            failure: name == "failure",
            skipped: name == "skipped",
            time_ms: 0,
        }),
        _ => Frame::Other,
    })
}

fn close(
    frame: Frame,
    stack: &mut [Frame],
    totals: &mut JunitSummary,
    root_time: &mut Option<u64>,
) {
    match frame {
        Frame::Outcome(outcome) => {
            if let Some(Frame::Case(case)) = stack.last_mut() {
                case.error |= outcome.error;
                case.failure |= outcome.failure;
                case.skipped |= outcome.skipped;
            }
        }
        Frame::Case(case) => match stack.last_mut() {
            Some(Frame::Suite(suite)) => {
                suite.counted.total += 1;
                if case.error || case.failure {
                    suite.counted.failed += 1;
                } else if case.skipped {
                    suite.counted.skipped += 1;
                }
                suite.case_time_ms += case.time_ms;
            }
            // A test case directly under <testsuites> (or the root).
            _ => {
                totals.total += 1;
                if case.error || case.failure {
                    totals.failed += 1;
                } else if case.skipped {
                    totals.skipped += 1;
                }
                totals.duration_ms += case.time_ms;
            }
        },
        Frame::Suite(suite) => {
            let summary = finish_suite(&suite);
            match stack.last_mut() {
                Some(Frame::Suite(parent)) => {
                    parent.counted.add(summary);
                    parent.case_time_ms += summary.duration_ms;
                }
                _ => totals.add(summary),
            }
        }
        Frame::Suites { time_ms } => *root_time = time_ms,
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
        .map(|a| a.value.trim().to_owned())
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
    fn entities_are_not_expanded_from_outside() {
        let xml = br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><testsuite><testcase name="&e;"/></testsuite>"#;
        // Either a count without reading the file, or a parse error: never the file.
        if let Ok(s) = summarise(xml) {
            assert_eq!(s.total, 1);
        }
    }

    proptest! {
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
