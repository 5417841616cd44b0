//! `ci_intel_core::junit::{read, summarise}`: JUnit XML as pytest, jest,
//! nextest, bazel, Maven Surefire write it (ci-intel-telemetry and
//! ci-intel-tests read it through core). Invariants: `read` and
//! `summarise` agree on the summary (documented); they fail together;
//! every case's outcome is counted (failed cases never exceed the failed
//! total when the totals come from the cases alone).
#![no_main]

use ci_intel_core::junit::{read, summarise};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = read(data);
    let summary = summarise(data);
    match (&report, &summary) {
        (Ok(r), Ok(s)) => {
            assert_eq!(&r.summary, s, "read and summarise disagree");
            for c in &r.cases {
                let _ = (c.id(), c.outcome.as_str(), c.outcome.is_failure());
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "read and summarise fail differently"),
        (a, b) => panic!("read {a:?} but summarise {b:?}"),
    }
});
