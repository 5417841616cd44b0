//! Flaky tests: per-test flake rate, the suite flake index, new flaky
//! tests, and the quarantine list.
//!
//! A test is flaky in a run when it failed an attempt and passed another
//! (see [`history`] for how each runner writes attempts), or when it failed
//! in one attempt of a commit and passed in another attempt of the same
//! commit (GitHub's "re-run failed jobs": runs whose `run.json` names the
//! same `commit`). Its flake rate is the share of its runs (skips excluded)
//! in which it was flaky. The suite flake index (pipeline_run
//! `flakiness_index`) is the share of runs in the window in which at least
//! one test that is not quarantined was flaky.

pub mod history;
pub mod quarantine;

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use serde::Serialize;

use ci_intel_core::Finding;
use ci_intel_core::junit::CaseOutcome;

pub use history::{Run, TestRun};
pub use quarantine::Quarantine;

use crate::rules::{flake_index_high, flaky_test, new_flaky_test, quarantine_release};

/// How to judge a history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlakeOptions {
    pub window_days: u32,
    pub max_index: f64,
    /// A new flaky test is high (denies) when true, medium otherwise.
    pub deny_new: bool,
    pub release_after: u32,
}

impl Default for FlakeOptions {
    fn default() -> Self {
        let config = crate::config::FlakeConfig::default();
        FlakeOptions {
            window_days: config.window_days,
            max_index: config.max_index,
            deny_new: config.deny_new,
            release_after: config.release_after,
        }
    }
}

/// One test's record over the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestFlake {
    pub test: String,
    /// Runs in which it ran (not skipped).
    pub runs: usize,
    /// Runs in which it was flaky.
    pub flaky_runs: usize,
    /// Runs in which it failed in the end.
    pub failed_runs: usize,
    /// flaky_runs / runs.
    pub rate: f64,
    pub quarantined: bool,
    /// Flaky in the current change and never before.
    pub new: bool,
    /// Where to point an annotation: its `file`, else a JUnit file.
    #[serde(skip)]
    pub file: String,
}

/// What a history says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlakeReport {
    /// Runs in the window.
    pub runs: usize,
    /// Runs with a flaky test that is not quarantined.
    pub flaky_runs: usize,
    /// The suite flake index: flaky_runs / runs (0 without runs).
    pub flakiness_index: f64,
    pub window_days: u32,
    /// The oldest and newest run time in the window, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_end: Option<String>,
    /// The runs judged as the current change.
    pub current_runs: Vec<String>,
    /// Every test that was flaky in the window, flakiest first.
    pub flaky_tests: Vec<TestFlake>,
    /// Quarantined tests ready for release, with their clean runs.
    pub release: Vec<(String, usize)>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// The tests flaky in each run: within the run, or across attempts of
/// the same commit.
fn flaky_sets(runs: &[&Run]) -> Vec<BTreeSet<String>> {
    let mut sets: Vec<BTreeSet<String>> = runs
        .iter()
        .map(|run| {
            run.tests
                .iter()
                .filter(|(_, t)| t.is_flaky())
                .map(|(id, _)| id.clone())
                .collect()
        })
        .collect();
    let mut by_commit: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, run) in runs.iter().enumerate() {
        if let Some(commit) = run.commit.as_deref() {
            by_commit.entry(commit).or_default().push(i);
        }
    }
    for indexes in by_commit.values().filter(|v| v.len() > 1) {
        let mut passed: BTreeSet<&str> = BTreeSet::new();
        let mut failed: BTreeSet<&str> = BTreeSet::new();
        for &i in indexes {
            for (id, test) in &runs[i].tests {
                match test.outcome {
                    CaseOutcome::Passed => {
                        passed.insert(id);
                    }
                    CaseOutcome::Failed | CaseOutcome::Error => {
                        failed.insert(id);
                    }
                    CaseOutcome::Skipped => {}
                }
            }
        }
        for id in failed.intersection(&passed) {
            for &i in indexes {
                if runs[i]
                    .tests
                    .get(*id)
                    .is_some_and(|t| t.outcome.is_failure())
                {
                    sets[i].insert((*id).to_owned());
                }
            }
        }
    }
    sets
}

/// Judge `history` (oldest first) and the `current` change's runs (empty:
/// the newest commit of the history is the current change).
pub fn analyse(
    history: &[Run],
    current: &[Run],
    quarantine: Option<&Quarantine>,
    options: &FlakeOptions,
    history_name: &str,
) -> FlakeReport {
    // Both are oldest first (history::sort_runs).
    let all: Vec<&Run> = history.iter().chain(current.iter()).collect();
    let current_count = if !current.is_empty() {
        current.len()
    } else {
        match all.last() {
            None => 0,
            Some(newest) => match newest.commit.as_deref() {
                Some(commit) => all
                    .iter()
                    .rev()
                    .take_while(|r| r.commit.as_deref() == Some(commit))
                    .count(),
                None => 1,
            },
        }
    };
    let flaky = flaky_sets(&all);
    let quarantined = |id: &str| quarantine.is_some_and(|q| q.contains(id));

    // The window: days before the newest run with a time.
    let newest = all.iter().filter_map(|r| r.time).max();
    let start = newest.map(|n| n - Duration::days(i64::from(options.window_days)));
    let in_window: Vec<usize> = (0..all.len())
        .filter(|&i| match (all[i].time, start) {
            (Some(t), Some(s)) => t >= s,
            _ => true,
        })
        .collect();
    let window_times: Vec<_> = in_window.iter().filter_map(|&i| all[i].time).collect();

    let mut flaky_runs = 0;
    let mut stats: BTreeMap<&str, TestFlake> = BTreeMap::new();
    for &i in &in_window {
        let run = all[i];
        if flaky[i].iter().any(|id| !quarantined(id)) {
            flaky_runs += 1;
        }
        for (id, test) in &run.tests {
            if !test.ran() {
                continue;
            }
            let entry = stats.entry(id).or_insert_with(|| TestFlake {
                test: id.clone(),
                runs: 0,
                flaky_runs: 0,
                failed_runs: 0,
                rate: 0.0,
                quarantined: quarantined(id),
                new: false,
                file: String::new(),
            });
            entry.runs += 1;
            if flaky[i].contains(id) {
                entry.flaky_runs += 1;
                if entry.file.is_empty() {
                    entry.file = test
                        .file
                        .clone()
                        .or_else(|| run.files.first().cloned())
                        .unwrap_or_else(|| history_name.to_owned());
                }
            }
            if test.outcome.is_failure() {
                entry.failed_runs += 1;
            }
        }
    }
    let runs = in_window.len();
    let index = if runs == 0 {
        0.0
    } else {
        flaky_runs as f64 / runs as f64
    };

    // New: flaky in the current change, never flaky before it.
    let split = all.len() - current_count;
    let before: BTreeSet<&String> = flaky[..split].iter().flatten().collect();
    let now: BTreeSet<&String> = flaky[split..].iter().flatten().collect();
    let new: BTreeSet<&String> = now
        .into_iter()
        .filter(|id| !before.contains(id) && !quarantined(id))
        .collect();

    let mut flaky_tests: Vec<TestFlake> = stats
        .into_values()
        .filter(|t| t.flaky_runs > 0)
        .map(|mut t| {
            t.rate = t.flaky_runs as f64 / t.runs.max(1) as f64;
            t.new = new.contains(&t.test);
            t
        })
        .collect();
    flaky_tests.sort_by(|a, b| {
        b.rate
            .total_cmp(&a.rate)
            .then(b.flaky_runs.cmp(&a.flaky_runs))
            .then(a.test.cmp(&b.test))
    });

    let mut findings = Vec::new();
    if let Some(f) =
        flake_index_high::check(index, flaky_runs, runs, options.max_index, history_name)
    {
        findings.push(f);
    }
    for test in &flaky_tests {
        if test.quarantined {
            continue;
        }
        if test.new {
            let failed_attempts = all[split..]
                .iter()
                .filter_map(|r| r.tests.get(&test.test))
                .map(|t| t.failed_attempts)
                .max()
                .unwrap_or(0)
                .max(1);
            let mut finding = new_flaky_test::check(&test.test, failed_attempts, &test.file);
            if !options.deny_new {
                finding.severity = ci_intel_core::Severity::Medium;
            }
            findings.push(finding);
        } else {
            findings.push(flaky_test::check(
                &test.test,
                test.flaky_runs,
                test.runs,
                &test.file,
            ));
        }
    }

    // Release: quarantined tests clean in their latest `release_after` runs.
    let mut release = Vec::new();
    if let Some(q) = quarantine {
        let need = options.release_after as usize;
        for entry in &q.entries {
            let mut clean = 0;
            for (i, run) in all.iter().enumerate().rev() {
                match run.tests.get(&entry.test) {
                    Some(t) if !t.ran() => continue,
                    Some(t)
                        if t.outcome == CaseOutcome::Passed && !flaky[i].contains(&entry.test) =>
                    {
                        clean += 1;
                        if clean >= need {
                            break;
                        }
                    }
                    Some(_) => break,
                    None => continue,
                }
            }
            if need > 0 && clean >= need {
                release.push((entry.test.clone(), clean));
                findings.push(quarantine_release::check(
                    &entry.test,
                    clean,
                    &q.file,
                    entry.line,
                ));
            }
        }
    }

    FlakeReport {
        runs,
        flaky_runs,
        flakiness_index: index,
        window_days: options.window_days,
        window_start: window_times.iter().min().map(|t| t.to_rfc3339()),
        window_end: window_times.iter().max().map(|t| t.to_rfc3339()),
        current_runs: all[split..].iter().map(|r| r.name.clone()).collect(),
        flaky_tests,
        release,
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn run(name: &str, day: u32, commit: Option<&str>, tests: &[(&str, CaseOutcome, u32)]) -> Run {
        Run {
            name: name.into(),
            commit: commit.map(str::to_owned),
            attempt: None,
            time: Some(Utc.with_ymd_and_hms(2026, 1, day, 12, 0, 0).unwrap()),
            files: vec![format!("{name}/junit.xml")],
            tests: tests
                .iter()
                .map(|(id, outcome, failed)| {
                    (
                        (*id).to_owned(),
                        TestRun {
                            outcome: *outcome,
                            failed_attempts: *failed,
                            attempts: failed + 1,
                            time_ms: Some(5),
                            suite: "s".into(),
                            classname: None,
                            name: (*id).to_owned(),
                            file: None,
                        },
                    )
                })
                .collect(),
        }
    }

    use CaseOutcome::{Failed, Passed, Skipped};

    #[test]
    fn the_index_counts_runs_with_a_flaky_test() {
        let history = vec![
            run("1", 1, None, &[("a", Passed, 0), ("b", Passed, 1)]),
            run("2", 2, None, &[("a", Passed, 0), ("b", Passed, 0)]),
            run("3", 3, None, &[("a", Passed, 2), ("b", Passed, 1)]),
            run("4", 4, None, &[("a", Passed, 0), ("b", Skipped, 0)]),
        ];
        let report = analyse(&history, &[], None, &FlakeOptions::default(), "h");
        assert_eq!((report.runs, report.flaky_runs), (4, 2));
        assert!((report.flakiness_index - 0.5).abs() < 1e-9);
        let b = report.flaky_tests.iter().find(|t| t.test == "b").unwrap();
        // Skipped in run 4: three runs, two flaky.
        assert_eq!((b.runs, b.flaky_runs), (3, 2));
        // The newest run (4) had no flaky test: nothing new.
        assert!(report.flaky_tests.iter().all(|t| !t.new));
    }

    #[test]
    fn a_re_run_of_the_same_commit_that_passes_makes_the_failure_flaky() {
        let history = vec![
            run("1", 1, Some("abc"), &[("a", Failed, 1)]),
            run("2", 1, Some("abc"), &[("a", Passed, 0)]),
            run("3", 2, Some("def"), &[("a", Failed, 1)]),
        ];
        let report = analyse(&history, &[], None, &FlakeOptions::default(), "h");
        assert_eq!(report.flaky_runs, 1);
        let a = &report.flaky_tests[0];
        assert_eq!((a.runs, a.flaky_runs, a.failed_runs), (3, 1, 2));
    }

    #[test]
    fn new_flaky_tests_and_the_window() {
        let history = vec![
            run("old", 1, None, &[("a", Passed, 1)]),
            run("1", 20, None, &[("a", Passed, 0), ("b", Passed, 0)]),
        ];
        let current = vec![run("pr", 25, None, &[("a", Passed, 1), ("b", Passed, 1)])];
        let options = FlakeOptions {
            window_days: 10,
            max_index: 0.4,
            ..FlakeOptions::default()
        };
        let report = analyse(&history, &current, None, &options, "h");
        // "old" is 24 days before the newest run: outside a 10-day window.
        assert_eq!((report.runs, report.flaky_runs), (2, 1));
        let new: Vec<&str> = report
            .flaky_tests
            .iter()
            .filter(|t| t.new)
            .map(|t| t.test.as_str())
            .collect();
        // `a` was flaky before (outside the window, but in the history).
        assert_eq!(new, ["b"]);
        let rules: Vec<&str> = report.findings.iter().map(|f| f.rule_id.as_str()).collect();
        assert_eq!(rules, ["flake-index-high", "flaky-test", "new-flaky-test"]);
    }

    #[test]
    fn quarantined_tests_do_not_count_and_clean_ones_are_released() {
        let q = Quarantine::parse(
            "q.yml",
            "version: 1\nquarantine:\n  - {test: a, owner: o, reason: r, expires: 2030-01-01}\n  - {test: b, owner: o, reason: r, expires: 2030-01-01}\n",
        )
        .unwrap();
        let history = vec![
            run("1", 1, None, &[("a", Passed, 1), ("b", Passed, 0)]),
            run("2", 2, None, &[("a", Passed, 0), ("b", Passed, 0)]),
            run("3", 3, None, &[("a", Passed, 0), ("b", Passed, 0)]),
        ];
        let options = FlakeOptions {
            release_after: 3,
            max_index: 0.0,
            ..FlakeOptions::default()
        };
        let report = analyse(&history, &[], Some(&q), &options, "h");
        assert_eq!(report.flaky_runs, 0);
        assert_eq!(report.flakiness_index, 0.0);
        // a flaked in run 1 (only 2 clean runs since); b is clean in all 3.
        assert_eq!(report.release, vec![("b".to_owned(), 3)]);
        let rules: Vec<&str> = report.findings.iter().map(|f| f.rule_id.as_str()).collect();
        assert_eq!(rules, ["quarantine-release"]);
    }
}
