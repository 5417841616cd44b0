//! The mutation readers against real reports from the shared corpus, with
//! the counts their tools (or the corpus' SOURCES) give. Skips with a
//! printed reason when ../shared/corpus is absent.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::collections::BTreeMap;
use std::path::Path;

use ci_intel_testkit::corpus;
use ci_intel_tests::mutation::{self, Counts, MutantStatus, MutationReport};

fn counts_by_status(report: &MutationReport) -> BTreeMap<&'static str, u64> {
    let c = report.counts();
    MutantStatus::ALL
        .iter()
        .map(|s| (s.as_str(), c.get(*s)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn expect(pairs: &[(&'static str, u64)]) -> BTreeMap<&'static str, u64> {
    pairs.iter().copied().collect()
}

/// Stryker's own score formula (mutation-testing-elements' metrics):
/// (killed + timeout) / (killed + timeout + survived + noCoverage).
fn stryker_score(c: &Counts) -> f64 {
    100.0 * (c.killed + c.timeout) as f64
        / (c.killed + c.timeout + c.survived + c.no_coverage) as f64
}

#[test]
fn stryker_reports_from_every_framework_read_with_their_statuses() {
    let Some(dir) = corpus("mutation/stryker") else {
        return;
    };
    // Status counts of each report as written (jq '[.files[].mutants[].status]'),
    // mapped: BuildError → CompileError and Skipped → Ignored (old Stryker.NET).
    let cases: [(&str, &[(&str, u64)]); 11] = [
        (
            "csharp-example_mutation-report.json",
            &[
                ("CompileError", 2),
                ("Killed", 2),
                ("Pending", 1),
                ("Ignored", 1),
                ("Survived", 11),
                ("Timeout", 1),
            ],
        ),
        (
            "cucumber-example_mutation.json",
            &[
                ("Killed", 65),
                ("NoCoverage", 39),
                ("RuntimeError", 16),
                ("Survived", 48),
            ],
        ),
        (
            "infection-php-example_report.json",
            &[("Killed", 7), ("NoCoverage", 6)],
        ),
        (
            "lighthouse-example_mutation.json",
            &[("Killed", 96), ("NoCoverage", 117), ("Survived", 56)],
        ),
        (
            "realtime-reporting-example_mutation-report.json",
            &[("Ignored", 5), ("Pending", 10)],
        ),
        (
            "rust-example_report.json",
            &[
                ("CompileError", 253),
                ("Killed", 525),
                ("Survived", 231),
                ("Timeout", 7),
            ],
        ),
        (
            "scala-example_mutation-report.json",
            &[("Killed", 162), ("Survived", 69)],
        ),
        (
            "simple-example_mutation-report.json",
            &[("Killed", 1), ("Survived", 2)],
        ),
        (
            "svelte-example_mutation-report.json",
            &[
                ("Killed", 13),
                ("NoCoverage", 6),
                ("Survived", 3),
                ("Timeout", 3),
            ],
        ),
        (
            "tests-example_mutation-report.json",
            &[
                ("Killed", 147),
                ("NoCoverage", 4),
                ("Survived", 7),
                ("Timeout", 3),
            ],
        ),
        (
            "unsanitized-example_mutation-report.json",
            &[
                ("Killed", 160),
                ("NoCoverage", 8),
                ("Survived", 19),
                ("Timeout", 4),
            ],
        ),
    ];
    for (file, expected) in cases {
        let report = mutation::load(&dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(counts_by_status(&report), expect(expected), "{file}");
        let c = report.counts();
        match c.score_percent() {
            Some(score) => assert!((score - stryker_score(&c)).abs() < 1e-9, "{file}"),
            None => assert_eq!(c.valid(), 0, "{file}"),
        }
        // Every mutant has a file and a line from its location.
        assert!(
            report
                .mutants
                .iter()
                .all(|m| !m.file.is_empty() && m.line >= 1),
            "{file}"
        );
    }
    // A known value: cargo-mutants' own converted report (rust-example):
    // 532 detected of 763 valid.
    let rust = mutation::load(&dir.join("rust-example_report.json")).unwrap();
    assert_eq!(rust.framework.as_deref(), Some("cargo-mutants"));
    let score = rust.counts().score_percent().unwrap();
    assert!((score - 100.0 * 532.0 / 763.0).abs() < 1e-9, "{score}");
    // The report whose mutants are all pending or ignored has no score.
    let pending =
        mutation::load(&dir.join("realtime-reporting-example_mutation-report.json")).unwrap();
    assert_eq!(pending.counts().score_percent(), None);
}

#[test]
fn an_unknown_status_in_a_real_report_names_the_file_and_the_pointer() {
    let Some(dir) = corpus("mutation/stryker") else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("simple-example_mutation-report.json")).unwrap();
    let broken = text.replacen("\"Killed\"", "\"Vanquished\"", 1);
    let err = mutation::stryker::parse(broken.as_bytes(), "simple.json").unwrap_err();
    assert_eq!(err.file, "simple.json");
    assert_eq!(err.field, "/files/test.js/mutants/2/status");
    assert!(err.to_string().contains("`Vanquished`"), "{err}");
}

#[test]
fn cargo_mutants_outcomes_match_cargo_mutants_own_summary() {
    let Some(dir) = corpus("tests-intel/cargo-mutants") else {
        return;
    };
    // faktory-rs: 277 mutants: 66 caught, 70 missed, 9 timeout, 132 unviable.
    let faktory = mutation::load(&dir.join("faktory-rs")).unwrap();
    assert_eq!(faktory.mutants.len(), 277);
    let tool = faktory.tool_counts();
    assert_eq!(tool["CaughtMutant"], 66);
    assert_eq!(tool["MissedMutant"], 70);
    assert_eq!(tool["Timeout"], 9);
    assert_eq!(tool["Unviable"], 132);
    assert_eq!(faktory.tool_summary["total_mutants"], 277);
    assert_eq!(faktory.partial, None);
    let c = faktory.counts();
    assert_eq!(
        (c.killed, c.survived, c.timeout, c.compile_error),
        (66, 70, 9, 132)
    );
    // Stryker's count: (66 + 9) / (66 + 9 + 70).
    assert!((c.score_percent().unwrap() - 7500.0 / 145.0).abs() < 1e-9);
    // The txt lists cargo-mutants wrote agree with the outcomes.
    for (txt, word) in [
        ("caught.txt", "CaughtMutant"),
        ("missed.txt", "MissedMutant"),
        ("timeout.txt", "Timeout"),
        ("unviable.txt", "Unviable"),
    ] {
        let lines = std::fs::read_to_string(dir.join("faktory-rs").join(txt))
            .unwrap()
            .lines()
            .count() as u64;
        assert_eq!(lines, tool[word], "{txt}");
    }
    // A missed mutant's place and words, as missed.txt prints its first line:
    // src/proto/client/mod.rs:348:9: replace Client<S>::enqueue_many -> ... with Ok(...)
    let first_missed = std::fs::read_to_string(dir.join("faktory-rs/missed.txt")).unwrap();
    let first_missed = first_missed.lines().next().unwrap();
    let ours = faktory
        .mutants
        .iter()
        .find(|m| m.status == MutantStatus::Survived)
        .unwrap();
    assert_eq!(
        format!(
            "{}:{}:{}: {}",
            ours.file,
            ours.line,
            ours.column.unwrap(),
            ours.description
        ),
        first_missed
    );

    // git-perf full run: 331: 252 caught, 56 missed, 1 timeout, 22 unviable.
    let full = mutation::load(&dir.join("git-perf/full-run/outcomes.json")).unwrap();
    let c = full.counts();
    assert_eq!(
        (c.total(), c.killed, c.survived, c.timeout, c.compile_error),
        (331, 252, 56, 1, 22)
    );
    // Its summary says 76.13 % (caught / all mutants); Stryker's count is
    // (caught + timeout) / (caught + timeout + missed).
    assert!((c.score_percent().unwrap() - 100.0 * 253.0 / 309.0).abs() < 1e-9);

    // The interrupted --check run: 380 listed, 48 with an outcome, none tested.
    let check = mutation::load(&dir.join("git-perf/check-only")).unwrap();
    assert_eq!(
        check.partial,
        Some(mutation::Partial {
            listed: 380,
            tested: 48
        })
    );
    let c = check.counts();
    assert_eq!((c.pending, c.compile_error), (42, 6));
    assert_eq!(
        c.score_percent(),
        None,
        "a partial --check run has no score, not 0 %"
    );
}

#[test]
fn mutmut_snapshots_match_mutmuts_own_counts() {
    let Some(dir) = corpus("tests-intel/mutmut") else {
        return;
    };
    type Case<'a> = (&'a str, u64, &'a [(&'a str, u64)]);
    let cases: [Case<'_>; 4] = [
        (
            "my_lib.json",
            71,
            &[
                ("killed", 32),
                ("survived", 28),
                ("no tests", 10),
                ("segfault", 1),
            ],
        ),
        (
            "config.json",
            12,
            &[("killed", 7), ("survived", 1), ("no tests", 4)],
        ),
        (
            "mutate_only_covered_lines.json",
            35,
            &[("killed", 16), ("survived", 19)],
        ),
        ("py3_14_features.json", 4, &[("killed", 2), ("survived", 2)]),
    ];
    for (file, total, expected) in cases {
        let report = mutation::load(&dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(report.mutants.len() as u64, total, "{file}");
        let words: BTreeMap<String, u64> = report.tool_counts();
        let expected: BTreeMap<String, u64> = expected
            .iter()
            .map(|(k, v)| ((*k).to_owned(), *v))
            .collect();
        assert_eq!(words, expected, "{file}");
    }
    let config = mutation::load(&dir.join("config.json")).unwrap();
    let files: std::collections::BTreeSet<&str> =
        config.mutants.iter().map(|m| m.file.as_str()).collect();
    assert_eq!(
        files,
        ["config_pkg/__init__.py", "config_pkg/math.py"]
            .into_iter()
            .collect()
    );
}

#[test]
fn pit_reports_match_the_reference_parser() {
    let Some(dir) = corpus("tests-intel/pit") else {
        return;
    };
    let java = mutation::load(&dir.join("pitest-report-action/mutations.xml")).unwrap();
    let tool = java.tool_counts();
    assert_eq!(
        (java.mutants.len(), tool["KILLED"], tool["SURVIVED"]),
        (11, 10, 1)
    );
    let survivor = java
        .mutants
        .iter()
        .find(|m| m.status == MutantStatus::Survived)
        .unwrap();
    assert!(
        survivor.file.ends_with("/GeneratorMain.java"),
        "{}",
        survivor.file
    );
    assert_eq!(
        (survivor.line, survivor.mutator.as_str()),
        (25, "VoidMethodCallMutator")
    );
    // The same 11 mutations as pitest-report-action's parser returns them.
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("pitest-report-action/mutationData.expected.json"))
            .unwrap(),
    )
    .unwrap();
    let expected = expected.as_array().unwrap();
    assert_eq!(expected.len(), java.mutants.len());
    for (ours, theirs) in java.mutants.iter().zip(expected) {
        assert_eq!(ours.tool_status, theirs["attr_status"].as_str().unwrap());
        assert_eq!(u64::from(ours.line), theirs["lineNumber"].as_u64().unwrap());
        let source = theirs["sourceFile"].as_str().unwrap();
        assert!(
            ours.file.ends_with(&format!("/{source}")),
            "{} vs {source}",
            ours.file
        );
        assert!(theirs["mutator"].as_str().unwrap().ends_with(&ours.mutator));
    }
    let kotlin = mutation::load(&dir.join("pitest-summary/mutations.xml")).unwrap();
    let tool = kotlin.tool_counts();
    assert_eq!(
        (kotlin.mutants.len(), tool["KILLED"], tool["SURVIVED"]),
        (19, 18, 1)
    );
    let survivor = kotlin
        .mutants
        .iter()
        .find(|m| m.status == MutantStatus::Survived)
        .unwrap();
    assert_eq!(
        (survivor.line, survivor.mutator.as_str()),
        (8, "IncrementsMutator")
    );
    assert!(
        survivor
            .description
            .starts_with("Changed increment from 1 to -1"),
        "{}",
        survivor.description
    );
    let empty = mutation::load(&dir.join("pitest-report-action/empty.xml")).unwrap();
    assert!(empty.mutants.is_empty());
    assert_eq!(empty.counts().score_percent(), None);
}

#[test]
fn other_files_are_refused_with_the_file_named() {
    let Some(junit) = corpus("junit/publish-unit-test-result/pytest/junit.fail.xml") else {
        return;
    };
    let err = mutation::load(&junit).unwrap_err();
    assert_eq!(err.code, ci_intel_core::ExitCode::Usage);
    assert!(err.message.contains("junit.fail.xml"), "{}", err.message);
    assert!(err.message.contains("<mutations>"), "{}", err.message);
    let Some(schema) = corpus("mutation/stryker/SCHEMA.mutation-testing-report-schema.json") else {
        return;
    };
    let err = mutation::load(&schema).unwrap_err();
    assert!(
        err.message
            .contains("SCHEMA.mutation-testing-report-schema.json"),
        "{}",
        err.message
    );
    let err = mutation::load(Path::new("/nonexistent/mutants.out")).unwrap_err();
    assert_eq!(err.code, ci_intel_core::ExitCode::Usage);
}
