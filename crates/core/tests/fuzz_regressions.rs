//! Inputs the fuzz targets (fuzz/, docs/fuzzing.md) found, kept under
//! tests/fixtures/fuzz/: each once broke an invariant of its reader.

use ci_intel_testkit::fuzz_fixture;

/// Found by `core_junit` (the CI smoke run): test case times that add up
/// past `u64::MAX` milliseconds overflowed (a panic with overflow checks,
/// a wrong total without). The sums saturate.
#[test]
fn junit_times_that_add_up_past_u64_saturate() {
    let bytes = fuzz_fixture("junit-time-overflow.xml");
    // The input is cut short after the overflowing times: it is refused,
    // without a panic, and both readers agree.
    let report = ci_intel_core::junit::read(&bytes);
    let summary = ci_intel_core::junit::summarise(&bytes);
    assert_eq!(report.map(|r| r.summary), summary);
}
