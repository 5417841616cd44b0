//! No panic on any input: every reader of untrusted input (SBOM, findings,
//! VEX, KEV, EPSS, purl, licence expression, version order) under arbitrary
//! bytes, and under structural mutations of real documents. These are also
//! the entry points of the fuzz target (`fn(&[u8]) -> Result<..>`).

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use serde_json::{Value, json};

fn all_readers(bytes: &[u8]) {
    let _ = ci_intel_vuln::sbom::parse_sbom(bytes);
    let _ = ci_intel_vuln::scan::parse_findings(bytes);
    let _ = ci_intel_vuln::vex::parse_vex(bytes);
    let _ = ci_intel_vuln::feeds::kev::parse_kev(bytes);
    let _ = ci_intel_vuln::feeds::epss::parse_epss(bytes, None);
}

/// Seeds: one small document of every kind.
fn seeds() -> Vec<Value> {
    vec![
        json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
               "metadata": {"component": {"type": "application", "name": "app", "purl": "pkg:npm/app@1"}},
               "components": [{"type": "library", "name": "a", "version": "1", "purl": "pkg:npm/a@1", "licenses": [{"expression": "MIT OR Apache-2.0"}],
                               "components": [{"type": "library", "name": "b"}]}],
               "dependencies": [{"ref": "a", "dependsOn": ["b"]}],
               "vulnerabilities": [{"id": "CVE-1", "ratings": [{"method": "CVSSv31", "vector": "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
                                    "analysis": {"state": "not_affected", "justification": "code_not_present"},
                                    "affects": [{"ref": "urn:cdx:x/1#a"}]}]}),
        json!({"spdxVersion": "SPDX-2.3", "documentDescribes": ["SPDXRef-A"], "packages": [{"SPDXID": "SPDXRef-A", "name": "a", "versionInfo": "1",
               "licenseConcluded": "MIT", "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:pypi/a@1"}]}],
               "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-A"}]}),
        json!({"matches": [{"vulnerability": {"id": "CVE-1", "cvss": [{"version": "3.1", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
               "epss": [{"epss": 0.1, "percentile": 0.5}]}, "relatedVulnerabilities": [{"id": "GHSA-x"}],
               "artifact": {"name": "a", "version": "1", "purl": "pkg:npm/a@1"}}], "descriptor": {"name": "grype", "version": "1"}}),
        json!({"SchemaVersion": 2, "Results": [{"Target": "t", "Type": "npm", "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "PkgName": "a",
               "InstalledVersion": "1", "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": 9.8}}}]}]}),
        json!({"results": [{"packages": [{"package": {"name": "a", "version": "1", "ecosystem": "npm"},
               "vulnerabilities": [{"id": "GHSA-1", "aliases": ["CVE-1"], "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}]}]}]}),
        json!({"runs": [{"tool": {"driver": {"name": "Trivy", "version": "1", "rules": [{"id": "CVE-1", "properties": {"security-severity": "9.8"}}]}},
               "results": [{"ruleId": "CVE-1", "ruleIndex": 0, "message": {"text": "Package: a\nInstalled Version: 1"}}]}]}),
        json!({"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "2025-01-01T00:00:00Z",
               "statements": [{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/app@1", "subcomponents": [{"@id": "pkg:npm/a@1"}]}],
                               "status": "not_affected", "justification": "component_not_present"}]}),
        json!({"document": {"csaf_version": "2.0", "tracking": {"current_release_date": "2025-01-01T00:00:00Z"}},
               "product_tree": {"full_product_names": [{"product_id": "P", "name": "p", "product_identification_helper": {"purl": "pkg:npm/a@1"}}],
                                "relationships": [{"category": "default_component_of", "product_reference": "P", "relates_to_product_reference": "P",
                                                   "full_product_name": {"product_id": "Q", "name": "q"}}]},
               "vulnerabilities": [{"cve": "CVE-1", "product_status": {"known_not_affected": ["Q"]}, "flags": [{"label": "x", "product_ids": ["Q"]}]}]}),
        json!({"payloadType": "application/vnd.in-toto+json", "payload": "eyJfdHlwZSI6IngiLCJwcmVkaWNhdGUiOnsic3RhdGVtZW50cyI6W119fQ==",
               "signatures": [{"sig": "AAAA"}]}),
        json!({"dateReleased": "2025-01-01T00:00:00Z", "count": 1, "vulnerabilities": [{"cveID": "CVE-2021-44228"}]}),
    ]
}

/// Replace the value at a random path with a random JSON scalar, array or
/// object, or delete it.
fn mutate(value: &mut Value, path: &[usize], replacement: &Value, delete: bool) {
    let Some((step, rest)) = path.split_first() else {
        *value = replacement.clone();
        return;
    };
    match value {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(step % map.len()).unwrap().clone();
            if rest.is_empty() {
                if delete {
                    map.remove(&key);
                } else {
                    map.insert(key, replacement.clone());
                }
            } else {
                mutate(map.get_mut(&key).unwrap(), rest, replacement, delete);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let i = step % items.len();
            if rest.is_empty() {
                if delete {
                    items.remove(i);
                } else {
                    items[i] = replacement.clone();
                }
            } else {
                mutate(&mut items[i], rest, replacement, delete);
            }
        }
        other => *other = replacement.clone(),
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
        Just(json!("pkg:npm/a@1?x=%zz")),
        Just(json!("CVSS:4.0/AV:N")),
        Just(json!("2025-13-45T99:00:00Z")),
        Just(json!("urn:cdx:x/notanumber#a")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        all_readers(&bytes);
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        all_readers(text.as_bytes());
        let _ = ci_intel_vuln::purl::Purl::parse(&text);
        let _ = ci_intel_vuln::license::parse(&text);
        for ty in ["npm", "deb", "rpm", "golang", "pypi"] {
            let _ = ci_intel_vuln::version::compare(Some(ty), &text, "1.0");
        }
    }

    #[test]
    fn epss_like_lines_never_panic(rows in prop::collection::vec("[A-Z0-9,.#:_ -]{0,40}", 0..8)) {
        let text = format!("#model_version:v1,score_date:2025-01-01T00:00:00+0000\ncve,epss,percentile\n{}", rows.join("\n"));
        let _ = ci_intel_vuln::feeds::epss::parse_epss(text.as_bytes(), None);
    }

    #[test]
    fn mutated_documents_never_panic(
        seed in 0usize..10,
        path in prop::collection::vec(any::<usize>(), 1..6),
        replacement in json_value(),
        delete in any::<bool>(),
    ) {
        let mut doc = seeds()[seed].clone();
        mutate(&mut doc, &path, &replacement, delete);
        all_readers(doc.to_string().as_bytes());
    }

    #[test]
    fn purls_round_trip_through_their_canonical_form(
        ty in "[a-z]{1,8}", ns in "[a-zA-Z0-9._-]{1,10}", name in "[a-zA-Z0-9._@%+ -]{1,12}",
        version in "[a-zA-Z0-9.+:~-]{1,12}", q in "[a-z]{1,5}", qv in "[a-zA-Z0-9./=&-]{1,8}",
    ) {
        let enc = |s: &str| s.replace('%', "%25").replace('@', "%40").replace(' ', "%20").replace('+', "%2B").replace('/', "%2F").replace('&', "%26").replace('=', "%3D");
        let text = format!("pkg:{ty}/{}/{}@{}?{q}={}", enc(&ns), enc(&name), enc(&version), enc(&qv));
        if let Ok(p) = ci_intel_vuln::purl::Purl::parse(&text) {
            let again = ci_intel_vuln::purl::Purl::parse(p.canonical()).unwrap();
            prop_assert_eq!(again.canonical(), p.canonical());
        }
    }
}
