//! `ci_intel_vuln::feeds::kev::parse_kev`: the CISA KEV catalog (or one
//! entry). Invariants: JSON round trip (same entries, same header),
//! every entry is found again by its CVE id in any case.
#![no_main]

use ci_intel_fuzz::json;
use ci_intel_vuln::feeds::kev::parse_kev;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let first = parse_kev(data);
    let Some(value) = json(data) else {
        assert!(first.is_err(), "non-JSON read as a KEV catalog");
        return;
    };
    let again = parse_kev(&serde_json::to_vec(&value).expect("renders"));
    match (&first, &again) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.len(), b.len());
            assert_eq!(a.version, b.version);
            assert_eq!(a.released, b.released);
            assert_eq!(a.count_mismatch, b.count_mismatch);
        }
        (Err(_), Err(_)) => {}
        (a, b) => panic!("round trip changed the outcome: {a:?} / {b:?}"),
    }
});
