//! `ci_intel_vuln::sbom::parse_sbom`: CycloneDX 1.2–1.7 and SPDX 2.2/2.3
//! JSON SBOMs (schema validation included). Invariants: JSON round trip
//! (parse → render → parse gives the same model), determinism, every
//! component's pointer resolves in the document, every parsed purl
//! re-reads from its canonical form to itself.
#![no_main]

use ci_intel_fuzz::{deterministic, json, json_round_trip};
use ci_intel_vuln::purl::Purl;
use ci_intel_vuln::sbom::parse_sbom;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = deterministic(data, parse_sbom);
    let Ok(sbom) = json_round_trip(data, parse_sbom) else {
        return;
    };
    let value = json(data).expect("a parsed SBOM is JSON");
    for c in sbom.root.iter().chain(&sbom.components) {
        let pointer = c
            .pointer
            .split_once('#')
            .map_or(c.pointer.as_str(), |(p, _)| p);
        assert!(
            pointer.is_empty() || value.pointer(pointer).is_some(),
            "component pointer {pointer:?} is not in the document"
        );
        if let Some(p) = &c.purl {
            assert_eq!(
                Purl::parse(p.canonical()).as_ref(),
                Ok(p),
                "purl canonical form"
            );
        }
        let _ = (c.label(), c.versioned_key(), c.package_key(), c.ecosystem());
    }
    assert!(sbom.schema_errors.len() <= sbom.schema_error_total);
});
