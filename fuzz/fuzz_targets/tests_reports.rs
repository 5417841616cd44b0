//! The readers of ci-intel-tests (`ci_intel_tests::read`): Stryker
//! mutation-testing reports, cargo-mutants `outcomes.json` and
//! `mutants.json`, mutmut `.meta` and e2e snapshots, PIT `mutations.xml`,
//! JUnit runs, quarantine lists, PyTorch test times. The first byte picks
//! the reader. Invariants: determinism; JSON readers give the same report
//! for the document re-rendered (round trip); the report serialises.
#![no_main]

use ci_intel_fuzz::{deterministic, json_round_trip};
use ci_intel_tests::read;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    let report = match which % 9 {
        0 => json_round_trip(bytes, read::stryker).ok(),
        1 => json_round_trip(bytes, read::cargo_mutants).ok(),
        2 => {
            let _ = deterministic(bytes, read::cargo_mutants_list);
            None
        }
        3 => deterministic(bytes, read::mutmut_meta).ok(),
        4 => json_round_trip(bytes, read::mutmut_snapshot).ok(),
        5 => deterministic(bytes, read::pit).ok(),
        6 => {
            let _ = read::junit_run(bytes);
            None
        }
        7 => {
            if let Ok(text) = std::str::from_utf8(bytes) {
                let _ = read::quarantine(text);
            }
            None
        }
        _ => {
            let _ = deterministic(bytes, |b| read::pytorch_times(b, "default"));
            None
        }
    };
    if let Some(report) = report {
        serde_json::to_vec(&report).expect("a mutation report serialises");
    }
});
