//! Predictive sharding: each test's duration predicted from its history,
//! shards packed longest-processing-time first, and each shard's selection
//! written in the runner's own syntax.
//!
//! - Prediction ([`predict`]): a robust recent average: the mean of the
//!   test's last 8 recorded durations, without the highest and the lowest
//!   once there are at least 4 (one slow run on a busy runner does not
//!   move it). A test without history gets the median prediction of its
//!   suite, else of all tests, else 1 ms (an even split by count).
//! - Packing ([`pack`]): tests sorted by predicted duration, longest first
//!   (ties by id), each to the shard with the least predicted time so far
//!   (ties to the lowest index). Every test lands in exactly one shard.
//! - Selections ([`Runner`]): pytest node ids, a nextest filterset, jest
//!   test paths, `go test -run` patterns per package.

pub mod backtest;
pub mod timings;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::flake::Run;

/// How many recent durations the prediction averages.
pub const RECENT: usize = 8;

/// The runner whose syntax the selections use, and whose unit of sharding
/// (a test, a file, a top-level test) applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Runner {
    /// pytest node ids (`tests/test_a.py::TestX::test_y`).
    Pytest,
    /// A nextest filterset (`binary_id(x) & (test(=a) | test(=b))`).
    Nextest,
    /// jest test file paths (jest shards by file).
    Jest,
    /// `go test -run '^(TestA|TestB)$'` per package (top-level tests).
    Go,
}

/// A unit to shard: its id and its suite (for the median of tests without
/// history).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Unit {
    pub id: String,
    pub suite: String,
}

/// One run's durations per unit, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunTimes {
    pub name: String,
    /// unit id → (suite, milliseconds); in listing order of first
    /// appearance via `order`.
    pub units: BTreeMap<String, (String, u64)>,
    /// Unit ids in the order the run listed them.
    pub order: Vec<String>,
}

impl RunTimes {
    fn add(&mut self, unit: &str, suite: &str, ms: u64, sum: bool) {
        match self.units.get_mut(unit) {
            Some(entry) => {
                if sum {
                    entry.1 = entry.1.saturating_add(ms);
                } else {
                    entry.1 = ms;
                }
            }
            None => {
                self.units.insert(unit.to_owned(), (suite.to_owned(), ms));
                self.order.push(unit.to_owned());
            }
        }
    }

    /// The units of this run.
    pub fn unit_list(&self) -> Vec<Unit> {
        self.order
            .iter()
            .map(|id| Unit {
                id: id.clone(),
                suite: self.units.get(id).map(|u| u.0.clone()).unwrap_or_default(),
            })
            .collect()
    }

    /// Durations of a JUnit run, per unit of `runner` (per test without one).
    /// Skipped tests and tests without a time are left out.
    pub fn from_run(run: &Run, runner: Option<Runner>) -> RunTimes {
        let mut times = RunTimes {
            name: run.name.clone(),
            ..RunTimes::default()
        };
        // Go: a parent test's time includes its subtests'.
        let mut go_parents: BTreeMap<String, bool> = BTreeMap::new();
        if runner == Some(Runner::Go) {
            for test in run.tests.values() {
                if !test.name.contains('/') {
                    go_parents.insert(go_unit(test.classname.as_deref(), &test.name), true);
                }
            }
        }
        for (id, test) in &run.tests {
            if !test.ran() {
                continue;
            }
            let Some(ms) = test.time_ms else { continue };
            let suite = if test.suite.is_empty() {
                test.classname.clone().unwrap_or_default()
            } else {
                test.suite.clone()
            };
            match runner {
                None => times.add(id, &suite, ms, false),
                Some(Runner::Nextest) => {
                    // nextest's display form: `binary-id test::name`.
                    let unit = match test.classname.as_deref() {
                        Some(binary) if !binary.is_empty() => format!("{binary} {}", test.name),
                        _ => test.name.clone(),
                    };
                    times.add(&unit, &suite, ms, false);
                }
                Some(Runner::Pytest) => {
                    let node =
                        pytest_node_id(test.classname.as_deref(), &test.name, test.file.as_deref());
                    times.add(&node, &suite, ms, false);
                }
                Some(Runner::Jest) => {
                    let file = test.file.clone().unwrap_or_else(|| suite.clone());
                    times.add(&file, &suite, ms, true);
                }
                Some(Runner::Go) => {
                    let unit = go_unit(test.classname.as_deref(), &test.name);
                    let is_sub = test.name.contains('/');
                    if is_sub && go_parents.contains_key(&unit) {
                        continue;
                    }
                    times.add(&unit, &suite, ms, is_sub);
                }
            }
        }
        times
    }
}

/// `package::TopLevelTest` for a go-junit-report test case.
fn go_unit(classname: Option<&str>, name: &str) -> String {
    let top = name.split('/').next().unwrap_or(name);
    match classname {
        Some(package) if !package.is_empty() => format!("{package}::{top}"),
        _ => top.to_owned(),
    }
}

/// A pytest node id from a JUnit test case: the `file` attribute when
/// written (`junit_family=xunit1`), else the class name's module path as
/// a file (`tests.test_a.TestX` → `tests/test_a.py::TestX`; a segment that
/// starts with an upper-case letter begins the classes).
pub fn pytest_node_id(classname: Option<&str>, name: &str, file: Option<&str>) -> String {
    let classname = classname.unwrap_or("");
    let segments: Vec<&str> = classname.split('.').filter(|s| !s.is_empty()).collect();
    let class_at = segments
        .iter()
        .position(|s| s.chars().next().is_some_and(char::is_uppercase))
        .unwrap_or(segments.len());
    let classes = &segments[class_at..];
    let module = match file {
        Some(f) if !f.is_empty() => f.replace('\\', "/"),
        _ if class_at == 0 => String::new(),
        _ => format!("{}.py", segments[..class_at].join("/")),
    };
    let mut parts: Vec<&str> = Vec::new();
    if !module.is_empty() {
        parts.push(&module);
    }
    parts.extend(classes.iter().copied());
    parts.push(name);
    parts.join("::")
}

/// The mean of the last [`RECENT`] values (oldest first), without the
/// highest and the lowest once there are at least 4.
pub fn robust_recent_average(values: &[u64]) -> Option<u64> {
    let recent = &values[values.len().saturating_sub(RECENT)..];
    if recent.is_empty() {
        return None;
    }
    let mut sorted = recent.to_vec();
    sorted.sort_unstable();
    let kept = if sorted.len() >= 4 {
        &sorted[1..sorted.len() - 1]
    } else {
        &sorted[..]
    };
    let sum: u128 = kept.iter().map(|&v| u128::from(v)).sum();
    let mean = sum / kept.len() as u128;
    Some(u64::try_from(mean).unwrap_or(u64::MAX))
}

fn median(values: &mut [u64]) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        values[mid - 1] / 2 + values[mid] / 2 + (values[mid - 1] % 2 + values[mid] % 2) / 2
    })
}

/// Where a prediction came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    History,
    SuiteMedian,
    GlobalMedian,
    Default,
}

/// A unit with its predicted duration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prediction {
    pub id: String,
    pub predicted_ms: u64,
    pub basis: Basis,
}

/// Predict each unit's duration from `history` (oldest first).
pub fn predict(history: &[&RunTimes], units: &[Unit]) -> Vec<Prediction> {
    let mut observed: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    let mut suites: BTreeMap<&str, &str> = BTreeMap::new();
    for run in history {
        for (id, (suite, ms)) in &run.units {
            observed.entry(id).or_default().push(*ms);
            suites.insert(id, suite);
        }
    }
    let estimates: BTreeMap<&str, u64> = observed
        .iter()
        .filter_map(|(id, values)| robust_recent_average(values).map(|v| (*id, v)))
        .collect();
    let mut by_suite: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for (id, value) in &estimates {
        by_suite
            .entry(suites.get(id).copied().unwrap_or(""))
            .or_default()
            .push(*value);
    }
    let suite_median: BTreeMap<&str, u64> = by_suite
        .iter_mut()
        .filter_map(|(suite, values)| median(values).map(|m| (*suite, m)))
        .collect();
    let global = median(&mut estimates.values().copied().collect::<Vec<_>>());
    units
        .iter()
        .map(|unit| {
            let (predicted_ms, basis) = match estimates.get(unit.id.as_str()) {
                Some(v) => (*v, Basis::History),
                None => match suite_median.get(unit.suite.as_str()) {
                    Some(v) => (*v, Basis::SuiteMedian),
                    None => match global {
                        Some(v) => (v, Basis::GlobalMedian),
                        None => (1, Basis::Default),
                    },
                },
            };
            Prediction {
                id: unit.id.clone(),
                predicted_ms,
                basis,
            }
        })
        .collect()
}

/// One shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shard {
    /// 1-based, as `--partition count:K/N` and `pytest --group K` count.
    pub index: usize,
    pub predicted_ms: u64,
    /// The units, sorted by id.
    pub tests: Vec<String>,
}

/// Longest processing time first: every prediction lands in exactly one of
/// `shards` shards (at least 1).
pub fn pack(predictions: &[Prediction], shards: usize) -> Vec<Shard> {
    let shards = shards.max(1);
    let mut order: Vec<&Prediction> = predictions.iter().collect();
    order.sort_by(|a, b| b.predicted_ms.cmp(&a.predicted_ms).then(a.id.cmp(&b.id)));
    let mut out: Vec<Shard> = (1..=shards)
        .map(|index| Shard {
            index,
            predicted_ms: 0,
            tests: Vec::new(),
        })
        .collect();
    // A min-heap of (load, index).
    let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<(u64, usize)>> =
        (0..shards).map(|i| std::cmp::Reverse((0, i))).collect();
    for prediction in order {
        let Some(std::cmp::Reverse((load, i))) = heap.pop() else {
            break;
        };
        let shard = &mut out[i];
        shard.tests.push(prediction.id.clone());
        shard.predicted_ms = load.saturating_add(prediction.predicted_ms);
        heap.push(std::cmp::Reverse((shard.predicted_ms, i)));
    }
    for shard in &mut out {
        shard.tests.sort();
    }
    out
}

/// Escape a nextest filterset string argument.
fn nextest_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '(' | ')' | ',' | '|' | '&' | '"') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Shard `tests` in `runner`'s syntax: one line per command argument
/// group (pytest: node ids, one per line; nextest: one filterset; jest:
/// paths, one per line; go: `PACKAGE -run '^(A|B)$'`, one line per package).
pub fn selection(runner: Runner, tests: &[String]) -> Vec<String> {
    match runner {
        Runner::Pytest | Runner::Jest => tests.to_vec(),
        Runner::Nextest => {
            let mut by_binary: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for test in tests {
                let (binary, name) = split_nextest(test);
                by_binary.entry(binary).or_default().push(name);
            }
            if by_binary.is_empty() {
                return vec!["none()".to_owned()];
            }
            let groups: Vec<String> = by_binary
                .iter()
                .map(|(binary, names)| {
                    let names: Vec<String> = names
                        .iter()
                        .map(|n| format!("test(={})", nextest_escape(n)))
                        .collect();
                    if binary.is_empty() {
                        format!("({})", names.join(" | "))
                    } else {
                        format!(
                            "(binary_id({}) & ({}))",
                            nextest_escape(binary),
                            names.join(" | ")
                        )
                    }
                })
                .collect();
            vec![groups.join(" | ")]
        }
        Runner::Go => {
            let mut by_package: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for test in tests {
                let (package, name) = test.rsplit_once("::").unwrap_or(("", test));
                by_package.entry(package).or_default().push(name);
            }
            by_package
                .iter()
                .map(|(package, names)| {
                    let names: Vec<String> = names.iter().map(|n| regex_quote(n)).collect();
                    let package = if package.is_empty() { "./..." } else { package };
                    format!("{package} -run '^({})$'", names.join("|"))
                })
                .collect()
        }
    }
}

/// A nextest unit id (`binary-id test::name`, nextest's own display
/// form) split into binary id and test name.
fn split_nextest(id: &str) -> (&str, &str) {
    id.split_once(' ').unwrap_or(("", id))
}

fn regex_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: &str, ms: u64) -> Prediction {
        Prediction {
            id: id.into(),
            predicted_ms: ms,
            basis: Basis::History,
        }
    }

    #[test]
    fn lpt_packs_the_longest_first() {
        let predictions = [p("a", 7), p("b", 5), p("c", 4), p("d", 3), p("e", 3)];
        let shards = pack(&predictions, 2);
        assert_eq!(shards[0].tests, ["a", "d"]);
        assert_eq!(shards[1].tests, ["b", "c", "e"]);
        assert_eq!((shards[0].predicted_ms, shards[1].predicted_ms), (10, 12));
        // More shards than tests: the rest are empty.
        let shards = pack(&predictions[..1], 3);
        assert_eq!(
            shards.iter().map(|s| s.tests.len()).collect::<Vec<_>>(),
            [1, 0, 0]
        );
        assert_eq!(pack(&[], 0).len(), 1);
    }

    #[test]
    fn the_average_is_robust_and_recent() {
        assert_eq!(robust_recent_average(&[]), None);
        assert_eq!(robust_recent_average(&[10]), Some(10));
        assert_eq!(robust_recent_average(&[10, 20]), Some(15));
        // One outlier is dropped.
        assert_eq!(robust_recent_average(&[10, 10, 10, 1000]), Some(10));
        // Only the last 8 count.
        assert_eq!(
            robust_recent_average(&[1000, 1000, 5, 5, 5, 5, 5, 5, 5, 5]),
            Some(5)
        );
    }

    #[test]
    fn tests_without_history_get_their_suites_median() {
        let mut run = RunTimes::default();
        run.add("s1::a", "s1", 100, false);
        run.add("s1::b", "s1", 300, false);
        run.add("s1::c", "s1", 200, false);
        run.add("s2::d", "s2", 10, false);
        let units = vec![
            Unit {
                id: "s1::a".into(),
                suite: "s1".into(),
            },
            Unit {
                id: "s1::new".into(),
                suite: "s1".into(),
            },
            Unit {
                id: "s3::new".into(),
                suite: "s3".into(),
            },
        ];
        let got = predict(&[&run], &units);
        assert_eq!((got[0].predicted_ms, got[0].basis), (100, Basis::History));
        assert_eq!(
            (got[1].predicted_ms, got[1].basis),
            (200, Basis::SuiteMedian)
        );
        assert_eq!(
            (got[2].predicted_ms, got[2].basis),
            (150, Basis::GlobalMedian)
        );
        let none = predict(&[], &units);
        assert!(
            none.iter()
                .all(|p| p.predicted_ms == 1 && p.basis == Basis::Default)
        );
    }

    #[test]
    fn pytest_node_ids_from_junit() {
        assert_eq!(
            pytest_node_id(Some("tests.test_api.TestClient"), "test_get", None),
            "tests/test_api.py::TestClient::test_get"
        );
        assert_eq!(
            pytest_node_id(Some("test_f"), "test_ok", None),
            "test_f.py::test_ok"
        );
        assert_eq!(
            pytest_node_id(
                Some("test.test_spark.SparkTests"),
                "test_x",
                Some("test/test_spark.py")
            ),
            "test/test_spark.py::SparkTests::test_x"
        );
    }

    #[test]
    fn selections_in_each_runners_syntax() {
        let tests = vec![
            "ci-intel-core gate::tests::a".to_owned(),
            "ci-intel-core b(c)".to_owned(),
            "ci-intel-core::sarif_schema validates".to_owned(),
        ];
        assert_eq!(
            selection(Runner::Nextest, &tests),
            [
                "(binary_id(ci-intel-core) & (test(=gate::tests::a) | test(=b\\(c\\)))) | (binary_id(ci-intel-core::sarif_schema) & (test(=validates)))"
            ]
        );
        assert_eq!(selection(Runner::Nextest, &[]), ["none()"]);
        let go = vec![
            "example.com/p::TestA".to_owned(),
            "example.com/p::TestB".to_owned(),
        ];
        assert_eq!(
            selection(Runner::Go, &go),
            ["example.com/p -run '^(TestA|TestB)$'"]
        );
        assert_eq!(
            selection(Runner::Pytest, &["a.py::t".to_owned()]),
            ["a.py::t"]
        );
    }
}
