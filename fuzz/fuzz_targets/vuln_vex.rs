//! `ci_intel_vuln::vex::parse_vex`: OpenVEX (0.2.0 and 0.0.1), CycloneDX
//! VEX and CSAF 2.0, bare or wrapped in a DSSE envelope or a Sigstore
//! bundle. Invariants: JSON round trip, determinism, statement ids are
//! trimmed and ASCII upper-case as documented, every scoped purl re-reads
//! from its canonical form to itself.
#![no_main]

use ci_intel_fuzz::{deterministic, json_round_trip};
use ci_intel_vuln::purl::Purl;
use ci_intel_vuln::vex::parse_vex;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = deterministic(data, parse_vex);
    let Ok(doc) = json_round_trip(data, parse_vex) else {
        return;
    };
    for s in &doc.statements {
        assert_eq!(
            s.vulnerability,
            s.vulnerability.trim().to_ascii_uppercase(),
            "statement ids are trimmed and upper-cased"
        );
        let _ = s.ids().count();
        for scope in &s.scopes {
            for ident in std::iter::once(&scope.product).chain(&scope.component) {
                if let Some(p) = &ident.purl {
                    assert_eq!(
                        Purl::parse(p.canonical()).as_ref(),
                        Ok(p),
                        "purl canonical form"
                    );
                }
                let _ = ident.label();
            }
        }
    }
});
