//! Inputs the fuzz targets (fuzz/, docs/fuzzing.md) found, kept under
//! tests/fixtures/fuzz/: each once broke an invariant of its reader.

use ci_intel_testkit::fuzz_fixture;

use ci_intel_vuln::scan::parse_findings;

/// Found by `vuln_scan`: the typed trivy and grype readers stopped after
/// the first JSON value, so `{}"Results"` was an empty trivy report and two
/// concatenated grype reports were the first one.
#[test]
fn a_findings_report_with_text_after_the_document_is_refused() {
    for (name, format) in [
        ("scan-trailing-text.json", "trivy"),
        ("scan-grype-concatenated.json", "grype"),
    ] {
        let error = parse_findings(&fuzz_fixture(name)).expect_err(name);
        let text = error.to_string();
        assert!(
            text.contains("more text after the document") && text.contains(format),
            "{name}: {text}"
        );
        assert!(error.at.starts_with("line "), "{name}: {}", error.at);
    }
}

/// Found by `vuln_scan`: serde_json does not check the UTF-8 of members a
/// typed read ignores, so a trivy report with a corrupt byte in an unknown
/// member was read, where the same bytes fail as JSON everywhere else.
#[test]
fn a_findings_report_that_is_not_utf8_is_refused() {
    let bytes = fuzz_fixture("scan-not-utf8.json");
    let error = parse_findings(&bytes).expect_err("not UTF-8");
    assert!(error.to_string().contains("not UTF-8"), "{error}");
    assert_eq!(error.at, format!("byte {}", bytes.len() - 2));
    // The same report with the byte replaced reads.
    let fixed = String::from_utf8_lossy(&bytes).into_owned();
    let report = parse_findings(fixed.as_bytes()).expect("the repaired report reads");
    assert_eq!(report.format, "trivy JSON");
}

/// Found by `vuln_kev` (the CI smoke run): the KEV reader dropped a byte
/// order mark and then `parse_json` dropped another, so a catalog behind
/// two marks was read where every other reader refuses it; the findings
/// reader did the same. One mark is dropped, as everywhere.
#[test]
fn a_second_byte_order_mark_is_refused() {
    let kev = fuzz_fixture("kev-two-byte-order-marks.json");
    let error = ci_intel_vuln::feeds::kev::parse_kev(&kev).expect_err("two marks");
    assert!(error.to_string().contains("invalid JSON"), "{error}");
    let one = &kev[3..];
    let catalog = ci_intel_vuln::feeds::kev::parse_kev(one).expect("one mark reads");
    assert_eq!(catalog.len(), 1);

    let scan = fuzz_fixture("scan-two-byte-order-marks.json");
    assert!(parse_findings(&scan).is_err(), "two marks");
    assert!(parse_findings(&scan[3..]).is_ok(), "one mark");
}

/// Found by `vuln_scan`: the reader picked trivy or grype when
/// `"SchemaVersion"`, `"Results"` or `"matches"` appeared near the start,
/// even deeper than the root, and the typed reader then took a document
/// without them at its root as an empty report: "no findings" for an SPDX
/// document. Such a document is now told apart on its root keys.
#[test]
fn a_scanner_key_below_the_root_does_not_make_an_empty_report() {
    let spdx = br#"{"spdxVersion": "SPDX-2.3", "annotations": [{"SchemaVersion": "x", "Results": [], "matches": []}], "packages": []}"#;
    let error = parse_findings(spdx).expect_err("an SPDX document is no findings report");
    assert_eq!(error.at, "/ (the document root)");
    assert!(error.to_string().contains("spdxVersion"), "{error}");

    // A CycloneDX BOM whose first component is named "Results" is read as
    // CycloneDX, with its vulnerability.
    let bom = br#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "library", "name": "Results", "bom-ref": "r", "purl": "pkg:npm/results@1.0.0", "version": "1.0.0"}], "vulnerabilities": [{"id": "CVE-2024-0001", "affects": [{"ref": "r"}]}]}"#;
    let report = parse_findings(bom).expect("a CycloneDX BOM reads");
    assert_eq!(report.format, "CycloneDX");
    assert_eq!(report.findings.len(), 1);

    // The same keys at the root still make a trivy and a grype report.
    assert_eq!(
        parse_findings(br#"{"SchemaVersion": 2, "Results": []}"#)
            .expect("trivy")
            .format,
        "trivy JSON"
    );
    assert_eq!(
        parse_findings(br#"{"matches": []}"#).expect("grype").format,
        "grype JSON"
    );
}
