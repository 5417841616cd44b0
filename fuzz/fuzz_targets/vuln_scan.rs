//! `ci_intel_vuln::scan::parse_findings`: Grype, Trivy, OSV-Scanner JSON,
//! SARIF and CycloneDX vulnerability reports. Invariants: JSON round trip,
//! determinism; `merge` of the report never yields more vulnerabilities
//! than there are findings.
#![no_main]

use ci_intel_fuzz::{deterministic, json_round_trip};
use ci_intel_vuln::scan::{merge, parse_findings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = deterministic(data, parse_findings);
    let Ok(report) = json_round_trip(data, parse_findings) else {
        return;
    };
    let merged = merge(&[("fuzz.json".to_owned(), report.clone())]);
    assert!(
        merged.len() <= report.findings.len(),
        "merging made findings"
    );
    for v in &merged {
        let _ = (v.label(), v.ids().count());
    }
});
