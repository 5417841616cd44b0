//! `ci_intel_telemetry::read::read_ndjson`: pipeline_run NDJSON records
//! (v1.1 migrated, v1.2). Invariants: determinism; a rejection names a
//! line of the file; every record read re-renders as one NDJSON line that
//! reads back to the same record and times (parse → render → parse), and
//! that rendering is a fixed point; record lines increase. (The sha256 is
//! of the record as written, not of the value read: a re-rendered record
//! may hash differently, e.g. an explicit `null` against an absent member,
//! so it is not compared.)
#![no_main]

use ci_intel_telemetry::read::read_ndjson;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let first = read_ndjson("fuzz.ndjson", data);
    assert_eq!(
        first,
        read_ndjson("fuzz.ndjson", data),
        "the same bytes read twice differ"
    );
    let lines = data.split(|b| *b == b'\n').count();
    match first {
        Err(rejection) => {
            assert!(
                rejection.line <= lines,
                "rejection at line {} of {lines}",
                rejection.line
            );
            let _ = rejection.to_string();
        }
        Ok(records) => {
            let mut last = 0;
            let mut rendered = Vec::new();
            for r in &records {
                assert!(
                    r.line > last && r.line <= lines,
                    "record line {} after {last}",
                    r.line
                );
                last = r.line;
                serde_json::to_writer(&mut rendered, &r.record).expect("a record renders");
                rendered.push(b'\n');
            }
            let again = read_ndjson("again.ndjson", &rendered)
                .unwrap_or_else(|e| panic!("a rendered record is rejected: {e}"));
            assert_eq!(again.len(), records.len());
            for (a, b) in records.iter().zip(&again) {
                assert_eq!(
                    a.record, b.record,
                    "parse → render → parse changed a record"
                );
                assert_eq!((a.started_ms, a.ended_ms), (b.started_ms, b.ended_ms));
                assert!(!b.migrated, "a rendered record is v1.2 already");
            }
            let mut rerendered = Vec::new();
            for r in &again {
                serde_json::to_writer(&mut rerendered, &r.record).expect("a record renders");
                rerendered.push(b'\n');
            }
            assert_eq!(rendered, rerendered, "rendering is not a fixed point");
        }
    }
});
