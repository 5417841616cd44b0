//! The per-test JUnit reading (core's reader, as the flake history and the
//! shard predictions use it) against the real reports of
//! EnricoMi/publish-unit-test-result-action, case by case, compared with
//! that project's own parse (`*.results`: every `UnitTestCase` with its
//! class, name, result and time).

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::path::{Path, PathBuf};

use ci_intel_core::junit::{self, CaseOutcome};
use ci_intel_testkit::corpus;

#[derive(Debug, Default)]
struct Expected {
    class_name: Option<Option<String>>,
    test_name: Option<String>,
    result: String,
    time: Option<f64>,
}

/// A Python repr string value (`'x'`, `"x"`, `None`), when it is whole
/// on its line.
fn repr_value(text: &str) -> Option<Option<String>> {
    let text = text.trim_end_matches(',');
    if text == "None" {
        return Some(None);
    }
    let quote = text.chars().next()?;
    if (quote != '\'' && quote != '"') || text.len() < 2 || !text.ends_with(quote) {
        return None;
    }
    let inner = &text[1..text.len() - 1];
    if inner.contains('\\') {
        // Escapes: compare what we can without decoding them.
        return None;
    }
    Some(Some(inner.to_owned()))
}

fn expected_cases(results: &Path) -> Vec<Expected> {
    let text = std::fs::read_to_string(results).unwrap();
    let mut cases = Vec::new();
    let mut current: Option<Expected> = None;
    // A field's value may continue on the next lines (Python's pretty
    // printer splits long strings into adjacent literals).
    let mut field: Option<(String, String)> = None;
    let finish = |case: &mut Expected, key: &str, value: &str| {
        let pieces: Vec<&str> = value.lines().map(str::trim).collect();
        let value = if pieces.len() > 1 {
            let mut joined = String::new();
            for piece in &pieces {
                match repr_value(piece) {
                    Some(Some(p)) => joined.push_str(&p),
                    _ => return,
                }
            }
            Some(Some(joined))
        } else {
            repr_value(value.trim())
        };
        match key {
            "class_name" => case.class_name = value,
            "test_name" => case.test_name = value.flatten(),
            "result" => case.result = value.flatten().unwrap_or_default(),
            "time" => case.time = value_number(pieces.first().copied().unwrap_or("")),
            _ => {}
        }
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.ends_with("UnitTestCase(") {
            if let Some(c) = current.take() {
                cases.push(c);
            }
            current = Some(Expected::default());
            field = None;
            continue;
        }
        let Some(case) = current.as_mut() else {
            continue;
        };
        if let Some((key, mut value)) = field.take() {
            if trimmed.starts_with(['\'', '"']) {
                value.push('\n');
                value.push_str(trimmed);
                if trimmed.ends_with(',') {
                    finish(case, &key, &value);
                } else {
                    field = Some((key, value));
                }
                continue;
            }
            finish(case, &key, &value);
        }
        if let Some((key, value)) = trimmed.split_once('=')
            && ["class_name", "test_name", "result", "time"].contains(&key)
        {
            if value.ends_with(',') || key == "time" {
                finish(case, key, value);
            } else {
                field = Some((key.to_owned(), value.to_owned()));
            }
        }
    }
    if let Some(c) = current.take() {
        cases.push(c);
    }
    cases
}

fn value_number(text: &str) -> Option<f64> {
    text.trim_end_matches([',', ')']).parse().ok()
}

fn results_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "results") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_case_matches_the_reference_parse() {
    let Some(dir) = corpus("junit/publish-unit-test-result") else {
        return;
    };
    let mut files = 0;
    let mut cases_checked = 0;
    for results in results_files(&dir) {
        let expected = expected_cases(&results);
        for extension in ["xml", "junit-xml"] {
            let xml = results.with_extension(extension);
            if !xml.is_file() {
                continue;
            }
            let Ok(report) = junit::read_file(&xml) else {
                // Files the reference refuses too (non-junit, corrupt):
                // telemetry's junit_corpus test holds them to that.
                assert!(
                    expected.is_empty(),
                    "{}: refused but the reference read {} case(s)",
                    xml.display(),
                    expected.len()
                );
                continue;
            };
            files += 1;
            // A test case without a name is counted in the totals but cannot
            // be followed from run to run; neither reader lists it.
            let named: Vec<_> = report.cases.iter().filter(|c| !c.name.is_empty()).collect();
            assert_eq!(
                named.len(),
                expected.len(),
                "{}: number of cases",
                xml.display()
            );
            for (ours, theirs) in named.into_iter().zip(&expected) {
                let outcome = match theirs.result.as_str() {
                    "success" => CaseOutcome::Passed,
                    "skipped" | "disabled" => CaseOutcome::Skipped,
                    "failure" => CaseOutcome::Failed,
                    "error" => CaseOutcome::Error,
                    other => panic!("{}: unknown reference result {other}", results.display()),
                };
                assert_eq!(ours.outcome, outcome, "{}: {:?}", xml.display(), ours.name);
                if let Some(name) = &theirs.test_name {
                    assert_eq!(&ours.name, name, "{}", xml.display());
                }
                if let Some(class) = &theirs.class_name {
                    assert_eq!(
                        ours.classname.as_deref().filter(|c| !c.is_empty()),
                        class.as_deref().filter(|c| !c.is_empty()),
                        "{}",
                        xml.display()
                    );
                }
                if let (Some(ms), Some(seconds)) = (ours.time_ms, theirs.time) {
                    assert!(
                        (ms as f64 - seconds * 1000.0).abs() <= 1.0,
                        "{}: {} ms vs {seconds} s",
                        xml.display(),
                        ms
                    );
                }
                cases_checked += 1;
            }
        }
    }
    assert!(
        files >= 40,
        "expected the corpus' report files, read {files}"
    );
    println!("{cases_checked} cases in {files} real JUnit files match the reference");
}
