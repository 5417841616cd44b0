//! JUnit history: runs of a test suite, each one or more JUnit files.
//!
//! A history folder holds one run per sub-folder (every `*.xml` below it)
//! and one run per `*.xml` file directly in it. A run folder may hold a
//! `run.json`: `{"commit": "...", "attempt": 2, "time": "RFC 3339"}`; the
//! time otherwise comes from the first JUnit `timestamp`. Runs are ordered
//! by time, then by name (numbers in names compare as numbers, so `run-10`
//! follows `run-9`).
//!
//! Within a run, each test's attempts are read from what runners write:
//!
//! - nextest and Maven Surefire: `<flakyFailure>`/`<flakyError>` children
//!   (failed attempts of a test that passed in the end) and
//!   `<rerunFailure>`/`<rerunError>` (failed retries of a test that failed);
//! - pytest-rerunfailures and Gradle's test-retry: the same test case
//!   written once per attempt; every attempt before the last was retried,
//!   so it failed.
//!
//! A test is flaky in a run when it failed an attempt and passed another.
//! Test cases without a name are left out: they cannot be followed from run
//! to run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use ci_intel_core::Failure;
use ci_intel_core::junit::{self, CaseOutcome, JunitCase};

/// One test in one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestRun {
    /// The final outcome (the last attempt's).
    #[serde(serialize_with = "outcome_word")]
    pub outcome: CaseOutcome,
    /// Attempts that failed (before a pass or a final failure).
    pub failed_attempts: u32,
    /// Attempts in all.
    pub attempts: u32,
    /// The final attempt's time (milliseconds), when written.
    pub time_ms: Option<u64>,
    /// The enclosing suite's name (for the median of tests without history).
    pub suite: String,
    /// The `classname` attribute.
    pub classname: Option<String>,
    /// The `name` attribute.
    pub name: String,
    /// The `file` attribute.
    pub file: Option<String>,
}

fn outcome_word<S: serde::Serializer>(outcome: &CaseOutcome, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(outcome.as_str())
}

impl TestRun {
    /// Failed and passed in the same run.
    pub fn is_flaky(&self) -> bool {
        self.outcome == CaseOutcome::Passed && self.failed_attempts > 0
    }

    /// Ran (was not skipped).
    pub fn ran(&self) -> bool {
        self.outcome != CaseOutcome::Skipped
    }
}

/// Optional facts about a run, from its `run.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunMeta {
    #[serde(default)]
    pub commit: Option<String>,
    #[serde(default)]
    pub attempt: Option<u32>,
    /// RFC 3339.
    #[serde(default)]
    pub time: Option<String>,
    #[serde(default)]
    pub branch: Option<String>,
}

/// One run of the suite.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    /// The run folder's or file's name.
    pub name: String,
    pub commit: Option<String>,
    pub attempt: Option<u32>,
    pub time: Option<DateTime<Utc>>,
    /// The JUnit files it was read from.
    pub files: Vec<String>,
    /// Every test that ran or was skipped, by id (`classname::name`).
    pub tests: BTreeMap<String, TestRun>,
}

impl Run {
    /// Build a run from JUnit reports (their cases, in file order).
    pub fn from_cases<'a>(name: &str, cases: impl IntoIterator<Item = &'a JunitCase>) -> Run {
        let mut tests: BTreeMap<String, TestRun> = BTreeMap::new();
        for case in cases {
            // A nameless test case is counted by the summary but cannot be
            // followed from run to run.
            if case.name.is_empty() {
                continue;
            }
            let id = case.id();
            // nextest/Surefire: the retry elements are the failed attempts
            // besides the final one (a <failure> when the test failed).
            let failed_here = case
                .flaky_failures
                .saturating_add(case.rerun_failures)
                .saturating_add(u32::from(case.outcome.is_failure()));
            let attempts_here = 1u32
                .saturating_add(case.flaky_failures)
                .saturating_add(case.rerun_failures);
            match tests.get_mut(&id) {
                Some(previous) => {
                    // A repeated test case: the earlier one was retried, so
                    // it failed, even when written without a <failure>
                    // (pytest-rerunfailures).
                    if previous.outcome == CaseOutcome::Passed {
                        previous.failed_attempts = previous.failed_attempts.saturating_add(1);
                    }
                    previous.failed_attempts = previous.failed_attempts.saturating_add(failed_here);
                    previous.attempts = previous.attempts.saturating_add(attempts_here);
                    previous.outcome = case.outcome;
                    previous.time_ms = case.time_ms.or(previous.time_ms);
                }
                None => {
                    tests.insert(
                        id,
                        TestRun {
                            outcome: case.outcome,
                            failed_attempts: failed_here,
                            attempts: attempts_here,
                            time_ms: case.time_ms,
                            suite: case.suite.clone(),
                            classname: case.classname.clone(),
                            name: case.name.clone(),
                            file: case.file.clone(),
                        },
                    );
                }
            }
        }
        Run {
            name: name.to_owned(),
            commit: None,
            attempt: None,
            time: None,
            files: Vec::new(),
            tests,
        }
    }
}

/// Sort key that compares digit runs as numbers.
pub fn natural_key(text: &str) -> Vec<(u8, u64, String)> {
    let mut key = Vec::new();
    let mut digits = String::new();
    let mut other = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !other.is_empty() {
                key.push((1, 0, std::mem::take(&mut other)));
            }
            digits.push(c);
        } else {
            if !digits.is_empty() {
                key.push((
                    0,
                    digits.parse().unwrap_or(u64::MAX),
                    std::mem::take(&mut digits),
                ));
            }
            other.push(c);
        }
    }
    if !digits.is_empty() {
        key.push((0, digits.parse().unwrap_or(u64::MAX), digits));
    }
    if !other.is_empty() {
        key.push((1, 0, other));
    }
    key
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    // JUnit timestamps often lack a zone (`2020-09-04T16:18:04.966371`): UTC.
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

/// Read a run from its JUnit files, in order, and its `run.json`.
pub fn read_run(name: &str, files: &[PathBuf], meta: Option<&Path>) -> Result<Run, Failure> {
    let mut cases = Vec::new();
    let mut timestamp = None;
    for file in files {
        let report = junit::read_file(file).map_err(|e| {
            Failure::usage(format!(
                "{}; history files must be JUnit XML (remove or fix the file)",
                e.message
            ))
        })?;
        if timestamp.is_none() {
            timestamp = report.timestamp.as_deref().and_then(parse_time);
        }
        cases.extend(report.cases);
    }
    let mut run = Run::from_cases(name, &cases);
    run.files = files.iter().map(|f| f.display().to_string()).collect();
    run.time = timestamp;
    if let Some(meta_path) = meta {
        let text = std::fs::read_to_string(meta_path)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", meta_path.display())))?;
        let meta = parse_meta(&text, &meta_path.display().to_string())?;
        run.commit = meta.commit;
        run.attempt = meta.attempt;
        if let Some(time) = meta.time {
            run.time = Some(parse_time(&time).ok_or_else(|| {
                Failure::usage(format!(
                    "{}: field `time`: expected an RFC 3339 time (2026-01-31T12:00:00Z), found `{time}`",
                    meta_path.display()
                ))
            })?);
        }
    }
    Ok(run)
}

/// Parse a `run.json`.
pub fn parse_meta(text: &str, name: &str) -> Result<RunMeta, Failure> {
    let deserializer = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        Failure::usage(format!(
            "{name}: field `{}`: {}; a run.json holds commit, attempt, time (RFC 3339) and branch",
            e.path(),
            e.inner()
        ))
    })
}

/// Group files into runs: files in the same folder are one run; the run's
/// name is the folder relative to `base`, or the file name for files
/// directly in `base`.
pub fn group_files(base: &Path, files: &[PathBuf]) -> Vec<(String, Vec<PathBuf>, Option<PathBuf>)> {
    let mut groups: BTreeMap<String, (Vec<PathBuf>, Option<PathBuf>)> = BTreeMap::new();
    for file in files {
        let parent = file.parent().unwrap_or(Path::new(""));
        let relative = parent.strip_prefix(base).unwrap_or(parent);
        let (name, top) = match relative.components().next() {
            Some(first) => (
                first.as_os_str().to_string_lossy().into_owned(),
                base.join(first),
            ),
            None => (
                file.file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                PathBuf::new(),
            ),
        };
        let entry = groups.entry(name).or_default();
        entry.0.push(file.clone());
        if entry.1.is_none() && !top.as_os_str().is_empty() {
            let meta = top.join("run.json");
            if meta.is_file() {
                entry.1 = Some(meta);
            }
        }
    }
    groups
        .into_iter()
        .map(|(name, (mut files, meta))| {
            files.sort();
            (name, files, meta)
        })
        .collect()
}

fn collect_xml(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), Failure> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Failure::usage(format!(
            "cannot list {}: {e}; check the path",
            dir.display()
        ))
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect_xml(&path, found)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
        {
            found.push(path);
        }
    }
    Ok(())
}

/// Read every run of a history folder (or one JUnit file as one run).
pub fn read_history(path: &Path) -> Result<Vec<Run>, Failure> {
    if path.is_file() {
        let name = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Ok(vec![read_run(&name, &[path.to_path_buf()], None)?]);
    }
    if !path.is_dir() {
        return Err(Failure::usage(format!(
            "{}: no such file or folder; pass a folder of JUnit XML runs",
            path.display()
        )));
    }
    let mut files = Vec::new();
    collect_xml(path, &mut files)?;
    read_files(path, &files)
}

/// Read runs from JUnit files under `base`, grouped by folder.
pub fn read_files(base: &Path, files: &[PathBuf]) -> Result<Vec<Run>, Failure> {
    let mut runs = Vec::new();
    for (name, files, meta) in group_files(base, files) {
        runs.push(read_run(&name, &files, meta.as_deref())?);
    }
    sort_runs(&mut runs);
    Ok(runs)
}

/// Oldest first: by time (runs without one keep their name order, after
/// timed runs of the same name order), then by name.
pub fn sort_runs(runs: &mut [Run]) {
    runs.sort_by(|a, b| {
        let by_name = natural_key(&a.name).cmp(&natural_key(&b.name));
        match (a.time, b.time) {
            (Some(x), Some(y)) => x.cmp(&y).then(by_name),
            _ => by_name,
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(name: &str, outcome: CaseOutcome, flaky: u32, rerun: u32) -> JunitCase {
        JunitCase {
            suite: "s".into(),
            classname: Some("c".into()),
            name: name.into(),
            file: None,
            line: None,
            time_ms: Some(10),
            outcome,
            flaky_failures: flaky,
            rerun_failures: rerun,
        }
    }

    #[test]
    fn nextest_retries_make_flaky_and_failed_tests() {
        let cases = [
            case("flaky", CaseOutcome::Passed, 2, 0),
            case("broken", CaseOutcome::Failed, 0, 2),
            case("fine", CaseOutcome::Passed, 0, 0),
            case("failed-once", CaseOutcome::Failed, 0, 0),
        ];
        let run = Run::from_cases("r", &cases);
        let t = |n: &str| &run.tests[&format!("c::{n}")];
        assert!(t("flaky").is_flaky());
        assert_eq!((t("flaky").failed_attempts, t("flaky").attempts), (2, 3));
        assert!(!t("broken").is_flaky());
        assert_eq!((t("broken").failed_attempts, t("broken").attempts), (3, 3));
        assert!(!t("fine").is_flaky());
        assert_eq!(t("failed-once").failed_attempts, 1);
    }

    #[test]
    fn repeated_cases_are_attempts_of_one_test() {
        // pytest-rerunfailures: the rerun attempt has no outcome child.
        let cases = [
            case("t", CaseOutcome::Passed, 0, 0),
            case("t", CaseOutcome::Passed, 0, 0),
            case("u", CaseOutcome::Passed, 0, 0),
            case("u", CaseOutcome::Passed, 0, 0),
            case("u", CaseOutcome::Failed, 0, 0),
        ];
        let run = Run::from_cases("r", &cases);
        let t = &run.tests["c::t"];
        assert!(t.is_flaky());
        assert_eq!((t.failed_attempts, t.attempts), (1, 2));
        let u = &run.tests["c::u"];
        assert!(!u.is_flaky());
        assert_eq!(
            (u.failed_attempts, u.attempts, u.outcome),
            (3, 3, CaseOutcome::Failed)
        );
        // Gradle: the failed attempt is written with its <failure>.
        let cases = [
            case("g", CaseOutcome::Failed, 0, 0),
            case("g", CaseOutcome::Passed, 0, 0),
        ];
        let run = Run::from_cases("r", &cases);
        assert_eq!(run.tests["c::g"].failed_attempts, 1);
        assert!(run.tests["c::g"].is_flaky());
    }

    #[test]
    fn names_sort_naturally_and_times_first() {
        let mut names = vec!["run-10", "run-9", "run-1"];
        names.sort_by_key(|n| natural_key(n));
        assert_eq!(names, ["run-1", "run-9", "run-10"]);
        assert_eq!(
            parse_time("2020-09-04T16:18:04.966371").map(|t| t.to_rfc3339()),
            Some("2020-09-04T16:18:04.966371+00:00".to_owned())
        );
        assert!(parse_time("2026-11-28T08:34:32.921797+00:00").is_some());
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn a_bad_run_json_names_the_field() {
        let err = parse_meta(r#"{"attempt": "two"}"#, "run.json").unwrap_err();
        assert!(err.message.contains("field `attempt`"), "{}", err.message);
        let err = parse_meta(r#"{"comit": "x"}"#, "run.json").unwrap_err();
        assert!(err.message.contains("comit"), "{}", err.message);
    }
}
