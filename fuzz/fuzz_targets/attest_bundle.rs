//! ci-intel-attest's Sigstore bundle reader (`parse_bundle`, and
//! `parse_bundles` for `.intoto.jsonl`) and the in-toto statement and SLSA
//! provenance facts read from a bundle's DSSE payload. Invariants: JSON
//! round trip (the same bundle, by its `Debug` rendering); an empty input
//! is never "no bundle, pass" (it is malformed); one malformed line makes
//! a `.jsonl` file malformed; the predicate facts never panic.
#![no_main]

use ci_intel_attest::bundle::{parse_bundle, parse_bundles};
use ci_intel_attest::provenance::{names_digest, predicate_facts, statement_of, subject_list};
use ci_intel_fuzz::json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let one = parse_bundle(text, "fuzz.json");
    if let Some(value) = json(data)
        && !data.starts_with(b"\xEF\xBB\xBF")
    {
        let again = parse_bundle(&value.to_string(), "fuzz.json");
        match (&one, &again) {
            (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "round trip"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("round trip changed the outcome: {a:?} / {b:?}"),
        }
    }
    let many = parse_bundles(text, "fuzz.jsonl", true);
    if text.trim().is_empty() {
        assert!(many.is_err(), "an empty bundle file is not malformed");
        assert!(parse_bundles(text, "fuzz.json", false).is_err());
    }
    if let Ok(bundles) = &many {
        let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
        assert_eq!(bundles.len(), lines, "a line was skipped");
    }
    if let Ok(loaded) = &one
        && let Ok(statement) = statement_of(loaded)
    {
        let _ = subject_list(&statement);
        let _ = names_digest(&statement, "00");
        let predicate_type = statement
            .get("predicateType")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let null = serde_json::Value::Null;
        let predicate = statement.get("predicate").unwrap_or(&null);
        let _ = predicate_facts(predicate_type, predicate);
    }
});
