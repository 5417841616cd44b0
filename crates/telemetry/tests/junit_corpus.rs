//! The JUnit reader against 28 real reports from EnricoMi/publish-unit-test-result-action,
//! compared with that project's own expected results. Skips (with a reason)
//! when ../shared/corpus is absent, so a plain clone still passes.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::path::{Path, PathBuf};

use ci_intel_telemetry::junit;

/// Files where we knowingly differ from the reference: (file, our duration
/// in ms, why).
const KNOWN_DURATION_DIFFERENCES: [(&str, u64, &str); 1] = [(
    "xunit/xunit.xml",
    2407,
    "the suite declares time=\"2.407\"; the reference reports 0 s, we keep the declared suite time",
)];

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/junit/publish-unit-test-result");
    dir.is_dir().then_some(dir)
}

fn results(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(".results.json") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn summaries_match_the_reference_implementation() {
    let Some(dir) = corpus() else {
        eprintln!(
            "SKIPPED: ../shared/corpus/junit is absent (a plain clone); .ci/run runs this with the corpus"
        );
        return;
    };
    let cases = results(&dir);
    assert!(
        cases.len() >= 25,
        "expected the corpus' results files, found {}",
        cases.len()
    );
    let mut checked = 0;
    for expected_path in cases {
        let xml = PathBuf::from(
            expected_path
                .to_string_lossy()
                .replace(".results.json", ".xml"),
        );
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
        let stats = &expected["stats"];
        let reference_errors = stats["errors"].as_array().map(Vec::len).unwrap_or(0);
        let got = junit::summarise_file(&xml);
        if reference_errors > 0 {
            assert!(
                got.is_err(),
                "{}: the reference refuses this file, we accepted it: {got:?}",
                xml.display()
            );
            checked += 1;
            continue;
        }
        let got = got.unwrap_or_else(|e| panic!("{}: {e}", xml.display()));
        let n = |k: &str| stats[k].as_u64().unwrap();
        assert_eq!(got.total, n("runs"), "{}: total", xml.display());
        assert_eq!(
            got.failed,
            n("tests_fail") + n("tests_error"),
            "{}: failed",
            xml.display()
        );
        assert_eq!(got.skipped, n("tests_skip"), "{}: skipped", xml.display());
        // The reference reports whole seconds.
        let seconds = got.duration_ms / 1000;
        match KNOWN_DURATION_DIFFERENCES
            .iter()
            .find(|(name, _, _)| xml.ends_with(name))
        {
            Some((_, ours, _why)) => {
                assert_eq!(got.duration_ms, *ours, "{}: duration", xml.display())
            }
            None => assert!(
                seconds.abs_diff(n("duration")) <= 1,
                "{}: duration {} ms vs reference {} s",
                xml.display(),
                got.duration_ms,
                n("duration")
            ),
        }
        checked += 1;
    }
    println!("checked {checked} real JUnit reports");
}

#[test]
fn corrupt_real_files_are_errors_not_panics() {
    let Some(dir) = corpus() else {
        eprintln!("SKIPPED: ../shared/corpus/junit is absent");
        return;
    };
    for name in ["pytest/corrupt-xml.xml", "non-junit.xml"] {
        assert!(
            junit::summarise_file(&dir.join(name)).is_err(),
            "{name} must be refused"
        );
    }
}
