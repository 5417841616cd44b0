//! No parser of registry responses or other untrusted input panics, on
//! arbitrary bytes or on arbitrary mutations of real documents. These are
//! the plain functions a fuzz target calls.

#![allow(clippy::unwrap_used)]

mod common;

use ci_intel_oci::creds::parse_docker_config;
use ci_intel_oci::digest::Digest;
use ci_intel_oci::parse::{
    parse_filters_applied, parse_link_next, parse_manifest, parse_referrers_index, resolve_link,
};
use ci_intel_oci::reference::parse_image_ref;
use ci_intel_oci::sbom::parse_sbom;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Real manifests and indexes from the corpus, or a small built-in pair.
fn seeds() -> Vec<Vec<u8>> {
    let mut seeds = vec![
        br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"platform":{"os":"linux","architecture":"amd64"}}]}"#.to_vec(),
        br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/spdx+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}}"#.to_vec(),
    ];
    if let Some(dir) = ci_intel_testkit::corpus_root()
        .map(|r| r.join("oci/regclient-testrepo/testrepo/blobs/sha256"))
        .filter(|d| d.is_dir())
    {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let bytes = std::fs::read(entry.path()).unwrap();
            if bytes.len() < 4096 && bytes.first() == Some(&b'{') {
                seeds.push(bytes);
            }
        }
    }
    seeds
}

/// Replace a value somewhere in a JSON document with an arbitrary one.
fn mutate(value: &mut Value, path: &[usize], replacement: Value) {
    let Some((first, rest)) = path.split_first() else {
        *value = replacement;
        return;
    };
    match value {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(first % map.len()).cloned().unwrap();
            mutate(map.get_mut(&key).unwrap(), rest, replacement);
        }
        Value::Array(items) if !items.is_empty() => {
            let n = first % items.len();
            mutate(&mut items[n], rest, replacement);
        }
        other => *other = replacement,
    }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        ".{0,80}".prop_map(Value::String),
        Just(json!("sha256:0000")),
        Just(json!("application/vnd.oci.image.index.v1+json")),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn manifest_parsers_never_panic_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048), ct in prop::option::of(".{0,60}")) {
        let _ = parse_manifest(&bytes, ct.as_deref());
        let _ = parse_referrers_index(&bytes, ct.as_deref());
        let _ = parse_sbom(&bytes);
        let _ = parse_docker_config(&bytes);
    }

    #[test]
    fn manifest_parsers_never_panic_on_mutated_real_documents(seed in any::<prop::sample::Index>(), path in prop::collection::vec(any::<usize>(), 0..5), replacement in arbitrary_json()) {
        let seeds = seeds();
        let mut doc: Value = serde_json::from_slice(&seeds[seed.index(seeds.len())]).unwrap();
        mutate(&mut doc, &path, replacement);
        let bytes = serde_json::to_vec(&doc).unwrap();
        if let Ok(m) = parse_manifest(&bytes, None) {
            // What parses is usable: every digest in it is well formed.
            if let Some(s) = m.subject() { prop_assert!(Digest::parse(&s.digest.to_string()).is_ok()); }
            let _ = m.artifact_type();
        }
        let _ = parse_referrers_index(&bytes, None);
        let _ = parse_sbom(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics_the_parsers(doc in arbitrary_json()) {
        let bytes = serde_json::to_vec(&doc).unwrap();
        let _ = parse_manifest(&bytes, None);
        let _ = parse_sbom(&bytes);
        let _ = parse_docker_config(&bytes);
    }

    #[test]
    fn header_and_reference_parsers_never_panic(text in ".{0,200}", origin in "(http|https)://[a-z0-9.:]{1,20}") {
        let _ = parse_link_next(&text);
        let _ = parse_filters_applied(&text);
        if let Ok(url) = resolve_link(&origin, &text) {
            prop_assert!(url.starts_with(&origin));
        }
        let _ = parse_image_ref(&text);
        let _ = Digest::parse(&text);
    }

    #[test]
    fn link_targets_survive_a_round_trip(path in "/v2/[a-z]{1,10}/referrers/sha256:[a-f0-9]{64}\\?n=[0-9]{1,3}(&last=[a-z0-9,]{0,10})?") {
        let header = format!("<{path}>; rel=\"next\"");
        prop_assert_eq!(parse_link_next(&header), Some(path));
    }
}
