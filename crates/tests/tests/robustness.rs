//! Property tests: every reader of untrusted input returns a value or an
//! error on any bytes, any JSON and any XML-like text (never a panic), and
//! shard assignment covers every test exactly once for any input.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::collections::BTreeSet;

use proptest::prelude::*;
use serde_json::Value;

use ci_intel_tests::read;
use ci_intel_tests::shard::{self, Basis, Prediction, RunTimes, Unit};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        "[a-zA-Z0-9 _./:ǁ-]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("Killed"),
            Just("Survived"),
            Just("CaughtMutant"),
            Just("Baseline"),
            Just("KILLED"),
            Just("x.x_f__mutmut_1")
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("files".to_owned()),
                    Just("mutants".to_owned()),
                    Just("status".to_owned()),
                    Just("location".to_owned()),
                    Just("start".to_owned()),
                    Just("end".to_owned()),
                    Just("line".to_owned()),
                    Just("column".to_owned()),
                    Just("id".to_owned()),
                    Just("mutatorName".to_owned()),
                    Just("outcomes".to_owned()),
                    Just("scenario".to_owned()),
                    Just("summary".to_owned()),
                    Just("Mutant".to_owned()),
                    Just("file".to_owned()),
                    Just("span".to_owned()),
                    Just("total_mutants".to_owned()),
                    Just("exit_code_by_key".to_owned()),
                    Just("a.py.meta".to_owned()),
                    Just("default".to_owned()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn xml_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<mutations>".to_owned()),
        Just("</mutations>".to_owned()),
        Just("<mutation status='KILLED'>".to_owned()),
        Just("<mutation status='SURVIVED'/>".to_owned()),
        Just("</mutation>".to_owned()),
        Just("<lineNumber>".to_owned()),
        Just("</lineNumber>".to_owned()),
        Just("<sourceFile>A.java</sourceFile>".to_owned()),
        Just("<mutatedClass>a.B$C</mutatedClass>".to_owned()),
        Just("<mutator>x.M</mutator>".to_owned()),
        Just("<testsuites>".to_owned()),
        Just("<testsuite name='s'>".to_owned()),
        Just("</testsuite>".to_owned()),
        Just("<testcase name='t' classname='c' time='0.1'>".to_owned()),
        Just("<testcase name='t'/>".to_owned()),
        Just("</testcase>".to_owned()),
        Just("<flakyFailure/>".to_owned()),
        Just("<rerunFailure/>".to_owned()),
        Just("<failure/>".to_owned()),
        Just("&amp;&#0;&bogus;<![CDATA[x]]>".to_owned()),
        "[0-9a-z <>/=\"']{0,8}",
    ];
    proptest::collection::vec(piece, 0..30).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn json_readers_never_panic_on_any_json(value in json_value()) {
        let bytes = serde_json::to_vec(&value).unwrap();
        let _ = read::stryker(&bytes);
        let _ = read::cargo_mutants(&bytes);
        let _ = read::cargo_mutants_list(&bytes);
        let _ = read::mutmut_meta(&bytes);
        let _ = read::mutmut_snapshot(&bytes);
        let _ = read::pytorch_times(&bytes, "default");
        // Wrapped the way each reader expects, so the inner paths run too.
        let files = serde_json::json!({"files": {"a.js": {"mutants": [value]}}});
        let _ = read::stryker(&serde_json::to_vec(&files).unwrap());
        let outcomes = serde_json::json!({"outcomes": [{"scenario": {"Mutant": value}, "summary": "MissedMutant"}]});
        let _ = read::cargo_mutants(&serde_json::to_vec(&outcomes).unwrap());
        let meta = serde_json::json!({"exit_code_by_key": value});
        let _ = read::mutmut_meta(&serde_json::to_vec(&meta).unwrap());
        let times = serde_json::json!({"env": {"default": value}});
        let _ = read::pytorch_times(&serde_json::to_vec(&times).unwrap(), "default");
    }

    #[test]
    fn every_reader_never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = read::stryker(&bytes);
        let _ = read::cargo_mutants(&bytes);
        let _ = read::cargo_mutants_list(&bytes);
        let _ = read::mutmut_meta(&bytes);
        let _ = read::mutmut_snapshot(&bytes);
        let _ = read::pit(&bytes);
        let _ = read::junit_run(&bytes);
        let _ = read::pytorch_times(&bytes, "default");
        let _ = read::quarantine(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn xml_readers_never_panic_on_xml_like_text(text in xml_like()) {
        let _ = read::pit(text.as_bytes());
        let _ = read::junit_run(text.as_bytes());
    }

    #[test]
    fn quarantine_lists_never_panic(text in "(version: [0-9]\n|quarantine:\n|  - test: [a-z:]{0,6}\n|    owner: [a-z@]{0,4}\n|    reason: [a-z ]{0,6}\n|    expires: [0-9-]{0,10}\n|[a-z:{}\\[\\] -]{0,10}\n){0,12}") {
        let _ = read::quarantine(&text);
    }

    #[test]
    fn shard_assignment_covers_every_test_exactly_once(
        ms in proptest::collection::vec(0u64..10_000_000, 0..200),
        shards in 0usize..40,
    ) {
        let predictions: Vec<Prediction> = ms
            .iter()
            .enumerate()
            .map(|(i, ms)| Prediction { id: format!("t{i}"), predicted_ms: *ms, basis: Basis::History })
            .collect();
        let packed = shard::pack(&predictions, shards);
        prop_assert_eq!(packed.len(), shards.max(1));
        let mut seen = BTreeSet::new();
        let mut count = 0;
        for (i, s) in packed.iter().enumerate() {
            prop_assert_eq!(s.index, i + 1);
            let sum: u64 = s.tests.iter().map(|t| predictions.iter().find(|p| &p.id == t).unwrap().predicted_ms).sum();
            prop_assert_eq!(sum, s.predicted_ms);
            for t in &s.tests {
                count += 1;
                prop_assert!(seen.insert(t.clone()), "{} twice", t);
            }
        }
        prop_assert_eq!(count, predictions.len());
        // LPT's bound: the slowest shard is at most the ideal plus the
        // longest test.
        let total: u64 = ms.iter().sum();
        let longest = ms.iter().copied().max().unwrap_or(0);
        let slowest = packed.iter().map(|s| s.predicted_ms).max().unwrap_or(0);
        prop_assert!(slowest <= total / shards.max(1) as u64 + longest + 1);
    }

    #[test]
    fn predictions_cover_every_unit_with_or_without_history(
        history in proptest::collection::vec(proptest::collection::vec((0usize..30, 0u64..100_000), 0..30), 0..6),
        wanted in proptest::collection::btree_set(0usize..40, 0..40),
        shards in 1usize..9,
    ) {
        let runs: Vec<RunTimes> = history
            .iter()
            .enumerate()
            .map(|(i, tests)| {
                let mut run = RunTimes { name: format!("r{i}"), ..RunTimes::default() };
                for (t, ms) in tests {
                    let id = format!("s{}::t{t}", t % 3);
                    if !run.units.contains_key(&id) {
                        run.order.push(id.clone());
                    }
                    run.units.insert(id, (format!("s{}", t % 3), *ms));
                }
                run
            })
            .collect();
        let units: Vec<Unit> = wanted.iter().map(|t| Unit { id: format!("s{}::t{t}", t % 4), suite: format!("s{}", t % 4) }).collect();
        let refs: Vec<&RunTimes> = runs.iter().collect();
        let predictions = shard::predict(&refs, &units);
        prop_assert_eq!(predictions.len(), units.len());
        let packed = shard::pack(&predictions, shards);
        let placed: usize = packed.iter().map(|s| s.tests.len()).sum();
        let distinct: BTreeSet<&String> = packed.iter().flat_map(|s| s.tests.iter()).collect();
        prop_assert_eq!(placed, units.len());
        prop_assert_eq!(distinct.len(), units.len());
    }
}
