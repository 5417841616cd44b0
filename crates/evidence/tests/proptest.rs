//! No panic on untrusted input: arbitrary SARIF, statements, envelopes,
//! suppressions files and bundles (as bytes and as archives) are either
//! handled or refused with a message, never a crash.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Value, json};

use ci_intel_evidence::bundle::{self, Files};
use ci_intel_evidence::keys::{Algorithm, PublicKey, SigningKey, generate_pem};
use ci_intel_evidence::sarif::identity::AliasTable;
use ci_intel_evidence::sarif::limits::{Limits, OnLimit};
use ci_intel_evidence::sarif::{self, Options};
use ci_intel_evidence::verify::{Policy, Trust};

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-zA-Z0-9 ./:@_-]{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "error",
            "warning",
            "note",
            "none",
            "CVE-2023-1234-pkg",
            "CWE-79",
            "zizmor/unpinned-uses",
            "a.yml",
            "./a.yml",
            "Package: x",
            "sha256:",
            "2.1.0",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "ruleId",
                    "ruleIndex",
                    "level",
                    "message",
                    "text",
                    "locations",
                    "physicalLocation",
                    "artifactLocation",
                    "uri",
                    "index",
                    "region",
                    "startLine",
                    "endLine",
                    "properties",
                    "tags",
                    "partialFingerprints",
                    "rule",
                    "id",
                    "toolComponent",
                    "taxa",
                    "suppressions",
                    "fullDescription",
                    "logicalLocations",
                ]),
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

/// A SARIF-shaped log with arbitrary results, rules and run fields.
fn sarif_log() -> impl Strategy<Value = Value> {
    (prop::collection::vec(
        (
            prop::sample::select(vec!["zizmor", "ci-intel-policy", "Trivy", "ZIZMOR"]),
            prop::collection::vec(json_value(), 0..6),
            prop::collection::vec(json_value(), 0..4),
            json_value(),
        ),
        0..4,
    ),)
        .prop_map(|(runs,)| {
            let runs: Vec<Value> = runs
                .into_iter()
                .map(|(tool, results, rules, extra)| {
                    let results: Vec<Value> = results
                        .into_iter()
                        .map(|r| {
                            if r.is_object() {
                                r
                            } else {
                                json!({"message": {"text": r.to_string()}})
                            }
                        })
                        .collect();
                    let rules: Vec<Value> = rules.into_iter().filter(Value::is_object).collect();
                    json!({
                        "tool": {"driver": {"name": tool, "rules": rules}},
                        "results": results,
                        "artifacts": extra,
                        "originalUriBaseIds": extra,
                    })
                })
                .collect();
            json!({"version": "2.1.0", "runs": runs})
        })
}

fn merge_options() -> Options {
    Options {
        aliases: AliasTable::new(&BTreeMap::new()),
        suppressions: None,
        limits: Limits {
            runs_per_file: 2,
            results_per_run: 3,
            bytes_per_file: 4096,
            ..Limits::GITHUB
        },
        on_limit: OnLimit::Split,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn sarif_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(input) = sarif::parse(&bytes, "fuzz.sarif") {
            let _ = sarif::merge(&[input], &merge_options());
        }
    }

    #[test]
    fn sarif_shaped_logs_merge_without_panic_and_lose_nothing(a in sarif_log(), b in sarif_log()) {
        let inputs: Vec<_> = [a, b]
            .iter()
            .filter_map(|log| sarif::parse(&serde_json::to_vec(log).unwrap(), "x.sarif").ok())
            .collect();
        let total: usize = inputs
            .iter()
            .map(|i| i.log["runs"].as_array().unwrap().iter().map(|r| r["results"].as_array().map_or(0, Vec::len)).sum::<usize>())
            .sum();
        match sarif::merge(&inputs, &merge_options()) {
            Ok(merged) => {
                let s = &merged.stats;
                prop_assert_eq!(s.results_in, total);
                prop_assert_eq!(s.results_in, s.results_out + s.duplicates + s.merged);
            }
            // A single result over the (small) size limit is refused by name.
            Err(failure) => prop_assert!(failure.message.contains("limit"), "{}", failure.message),
        }
    }

    #[test]
    fn envelopes_and_statements_never_panic(value in json_value(), bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = ci_intel_evidence::statement::parse_envelope(&bytes, "x");
        let text = serde_json::to_vec(&value).unwrap();
        let _ = ci_intel_evidence::statement::parse_envelope(&text, "x");
        use base64::Engine as _;
        let wrapped = json!({
            "payloadType": "application/vnd.in-toto+json",
            "payload": base64::engine::general_purpose::STANDARD.encode(&text),
            "signatures": [{"keyid": "k", "sig": "AAAA"}],
        });
        if let Ok(parsed) = ci_intel_evidence::statement::parse_envelope(&serde_json::to_vec(&wrapped).unwrap(), "x") {
            let _ = parsed.gate("x");
        }
    }

    #[test]
    fn suppressions_files_never_panic(text in "[ -~\n]{0,300}") {
        let _ = ci_intel_evidence::suppressions::parse(&text, "s.yml", "2025-01-01".parse().unwrap(), 30);
    }

    #[test]
    fn archives_and_bundles_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(files) = bundle::read_tar(&bytes) {
            verify_files(files);
        }
    }

    #[test]
    fn arbitrary_bundle_contents_are_judged_without_panic(
        manifest in json_value(),
        gate in json_value(),
        vsa in json_value(),
    ) {
        let mut files = Files::new();
        let mut manifest = manifest;
        if manifest.is_object() {
            manifest["_type"] = json!(bundle::MANIFEST_TYPE);
        }
        files.insert("manifest.json".into(), serde_json::to_vec(&manifest).unwrap());
        files.insert("gates/x.intoto.json".into(), serde_json::to_vec(&gate).unwrap());
        files.insert("vsa.intoto.json".into(), serde_json::to_vec(&vsa).unwrap());
        verify_files(files);
    }
}

fn verify_files(files: Files) {
    let Ok(loaded) = bundle::from_files(files, "fuzz") else {
        return;
    };
    let key =
        SigningKey::from_pem(generate_pem(Algorithm::Ed25519).unwrap().as_bytes(), "k").unwrap();
    let public: PublicKey = key.public_key().clone();
    let policy = Policy {
        required: vec!["policy".into()],
        max_age: chrono::Duration::hours(1),
    };
    for trust in [
        Trust::Keys(vec![public]),
        Trust::Deferred,
        Trust::Keyless(Err("x".into())),
    ] {
        let evaluation = ci_intel_evidence::verify::verify(
            &loaded,
            &policy,
            &trust,
            Some("x"),
            Some("sha256:00"),
            chrono::Utc::now(),
        );
        assert!(!evaluation.passed, "random contents never pass");
        let _ = ci_intel_evidence::verify::table(&evaluation);
        let _ = ci_intel_evidence::verify::markdown_table(&evaluation, "");
    }
}
