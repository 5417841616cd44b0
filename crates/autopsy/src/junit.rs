//! Failed test cases of JUnit XML reports, as causes (`--junit`).
//!
//! Reads what pytest, jest, mocha, surefire, gradle and go-junit-report
//! write: `<testcase name classname [file] [line]>` with a `<failure>` or
//! `<error>` child (`message`, `type`, text). External entities are never
//! resolved. Messages and text go through the redactor like log lines.

use std::path::Path;

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

use crate::redact::Redactor;
use crate::report::JunitCause;
use crate::scan::{DISPLAY_MAX, line};

/// Failures kept per report; more are counted in the message of the last.
pub const MAX_FAILURES: usize = 200;
/// Lines of a failure's text kept as its excerpt.
pub const EXCERPT_LINES: usize = 12;
/// Bytes of a failure's text read.
const MAX_TEXT: usize = 16 * 1024;

#[derive(Debug, Default)]
struct Case {
    test: String,
    file: Option<String>,
    line: Option<u32>,
}

#[derive(Debug)]
struct Outcome {
    kind: &'static str,
    message: String,
    text: String,
}

fn attr(start: &BytesStart<'_>, name: &str) -> Option<String> {
    start
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| {
            let local = a.key.local_name();
            let key: &str = local.as_ref();
            key == name
        })
        .map(|a| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.to_string())
        })
}

/// The failed test cases of one JUnit file. An unreadable or malformed
/// file is an error naming the file and the byte where it went wrong.
pub fn failures(path: &Path, redactor: &Redactor) -> Result<Vec<JunitCause>, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read JUnit file {}: {e}", path.display()))?;
    parse(&bytes, &path.display().to_string(), redactor).map_err(|e| {
        format!(
            "{}: {e}; expected a JUnit XML report (<testsuites> or <testsuite>)",
            path.display()
        )
    })
}

/// Parse JUnit XML bytes. Never panics.
pub fn parse(bytes: &[u8], name: &str, redactor: &Redactor) -> Result<Vec<JunitCause>, String> {
    let mut reader = Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut case: Option<Case> = None;
    let mut outcome: Option<Outcome> = None;
    let mut saw_root = false;
    let mut depth: usize = 0;
    let mut dropped = 0usize;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            format!(
                "not well-formed XML at byte {}: {e}",
                reader.error_position()
            )
        })?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(start) | Event::Empty(start) => {
                let local = start.local_name();
                let tag: &str = local.as_ref();
                if depth == 0 && matches!(tag, "testsuites" | "testsuite") {
                    saw_root = true;
                }
                match tag {
                    "testcase" => {
                        let name_attr = attr(&start, "name").unwrap_or_default();
                        let class = attr(&start, "classname").unwrap_or_default();
                        let test = match (class.is_empty(), name_attr.is_empty()) {
                            (false, false) => format!("{class}::{name_attr}"),
                            (true, _) => name_attr,
                            (false, true) => class,
                        };
                        let c = Case {
                            test,
                            file: attr(&start, "file"),
                            line: attr(&start, "line").and_then(|l| l.parse().ok()),
                        };
                        if empty {
                            case = None;
                        } else {
                            case = Some(c);
                        }
                    }
                    "failure" | "error" if case.is_some() => {
                        let o = Outcome {
                            kind: if tag == "failure" { "failure" } else { "error" },
                            message: attr(&start, "message").unwrap_or_default(),
                            text: String::new(),
                        };
                        if empty {
                            push(&mut out, &mut dropped, case.as_ref(), o, name, redactor);
                        } else {
                            outcome = Some(o);
                        }
                    }
                    _ => {}
                }
                if !empty {
                    depth += 1;
                }
            }
            Event::Text(text) => {
                if let Some(o) = outcome.as_mut()
                    && o.text.len() < MAX_TEXT
                {
                    let t: &str = &text;
                    o.text.push_str(t);
                }
            }
            Event::CData(text) => {
                if let Some(o) = outcome.as_mut()
                    && o.text.len() < MAX_TEXT
                {
                    let t: &str = &text;
                    o.text.push_str(t);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(o) = outcome.as_mut()
                    && o.text.len() < MAX_TEXT
                {
                    let name: &str = &r;
                    o.text.push_str(match name {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                let local = end.local_name();
                let tag: &str = local.as_ref();
                match tag {
                    "failure" | "error" => {
                        if let Some(o) = outcome.take() {
                            push(&mut out, &mut dropped, case.as_ref(), o, name, redactor);
                        }
                    }
                    "testcase" => case = None,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !saw_root {
        return Err("no <testsuites> or <testsuite> root element".to_owned());
    }
    if depth != 0 {
        return Err("not well-formed XML: the document ends inside an element".to_owned());
    }
    if dropped > 0
        && let Some(last) = out.last_mut()
    {
        last.message
            .push_str(&format!(" (and {dropped} more failure(s) not listed)"));
    }
    Ok(out)
}

fn push(
    out: &mut Vec<JunitCause>,
    dropped: &mut usize,
    case: Option<&Case>,
    outcome: Outcome,
    file: &str,
    redactor: &Redactor,
) {
    let Some(case) = case else { return };
    if out.len() >= MAX_FAILURES {
        *dropped += 1;
        return;
    }
    let text = redactor.line(&outcome.text);
    let message = if outcome.message.trim().is_empty() {
        text.lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_owned()
    } else {
        redactor.line(outcome.message.trim())
    };
    let message = line::truncate(
        message.split_whitespace().collect::<Vec<_>>().join(" "),
        DISPLAY_MAX,
    );
    out.push(JunitCause {
        file: file.to_owned(),
        test: line::truncate(redactor.line(&case.test), DISPLAY_MAX),
        message: if message.is_empty() {
            format!("test {}", outcome.kind)
        } else {
            message
        },
        kind: outcome.kind,
        code_file: case
            .file
            .as_ref()
            .map(|f| crate::scan::relative_path(&redactor.line(f), None)),
        code_line: case.line,
        excerpt: text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(EXCERPT_LINES)
            .map(|l| line::truncate(l.to_owned(), DISPLAY_MAX))
            .collect(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_and_errors_with_messages() {
        let xml = br#"<?xml version="1.0"?>
<testsuites><testsuite name="s">
  <testcase classname="tests.test_a" name="test_ok" time="0.1"/>
  <testcase classname="tests.test_a" name="test_bad" file="tests/test_a.py" line="12">
    <failure message="assert 1 == 2" type="AssertionError">def test_bad():
&gt;       assert 1 == 2
E       assert 1 == 2</failure>
  </testcase>
  <testcase classname="tests.test_b" name="test_boom"><error message="" type="RuntimeError"><![CDATA[RuntimeError: boom]]></error></testcase>
  <testcase classname="tests.test_c" name="test_skip"><skipped/></testcase>
</testsuite></testsuites>"#;
        let redactor = Redactor::new(Vec::new());
        let out = parse(xml, "r.xml", &redactor).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].test, "tests.test_a::test_bad");
        assert_eq!(out[0].message, "assert 1 == 2");
        assert_eq!(out[0].code_file.as_deref(), Some("tests/test_a.py"));
        assert_eq!(out[0].code_line, Some(12));
        assert!(
            out[0].excerpt.iter().any(|l| l.contains(">       assert")),
            "{:?}",
            out[0].excerpt
        );
        assert_eq!(out[1].kind, "error");
        assert_eq!(out[1].message, "RuntimeError: boom");
    }

    #[test]
    fn malformed_reports_are_errors() {
        let redactor = Redactor::new(Vec::new());
        assert!(
            parse(b"<testsuite><testcase>", "x", &redactor)
                .unwrap_err()
                .contains("ends inside")
        );
        assert!(
            parse(b"<html/>", "x", &redactor)
                .unwrap_err()
                .contains("no <testsuites>")
        );
        assert!(parse(b"<testsuite><a></b></testsuite>", "x", &redactor).is_err());
    }
}
