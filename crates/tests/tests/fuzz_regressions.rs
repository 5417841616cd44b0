//! Inputs the fuzz targets (fuzz/, docs/fuzzing.md) found, kept under
//! tests/fixtures/fuzz/: each once broke an invariant of its reader.

use ci_intel_testkit::fuzz_fixture;

use ci_intel_tests::read;

/// Found by `tests_reports`: the typed Stryker reader stopped after the
/// first JSON value (`{"files":{}}` and a control byte was an empty report),
/// and cargo-mutants' `mutants.json` counted only the first of two arrays.
#[test]
fn a_mutation_report_with_text_after_the_document_is_refused() {
    let error = read::stryker(&fuzz_fixture("stryker-trailing-text.json")).expect_err("trailing");
    assert!(
        error.found.contains("more text after the document"),
        "{error:?}"
    );
    assert_eq!(error.field, "line 1 column 13");
    let error = read::cargo_mutants_list(&fuzz_fixture("mutants-list-concatenated.json"))
        .expect_err("two arrays");
    assert!(
        error.found.contains("more text after the document"),
        "{error:?}"
    );
    // Without the trailing bytes both read.
    assert!(read::stryker(br#"{"files":{}}"#).is_ok());
    assert_eq!(read::cargo_mutants_list(b"[]\n"), Ok(0));
}

/// Found by `tests_reports`: serde_json does not check the UTF-8 of members
/// a typed read ignores, so a Stryker report with a corrupt byte in an
/// unknown member was read.
#[test]
fn a_mutation_report_that_is_not_utf8_is_refused() {
    let bytes = fuzz_fixture("stryker-not-utf8.json");
    let error = read::stryker(&bytes).expect_err("not UTF-8");
    assert!(error.found.contains("not UTF-8"), "{error:?}");
    assert_eq!(error.field, format!("byte {}", bytes.len() - 2));
    let fixed = String::from_utf8_lossy(&bytes).into_owned();
    assert!(read::stryker(fixed.as_bytes()).is_ok());
}
