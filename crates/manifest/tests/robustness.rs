#![allow(clippy::unwrap_used)]
//! parse_manifest is the reader of untrusted manifests (restored caches,
//! other jobs' outputs): it must never panic, and every edit of a valid
//! manifest that changes what it says must be refused or parse to the
//! edited meaning with a recomputed digest.

use ci_intel_manifest::{Options, manifest_of_roots, parse_manifest};
use proptest::prelude::*;

fn sample() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
    std::fs::write(dir.path().join("a/b/c"), b"c").unwrap();
    std::fs::write(dir.path().join("z"), b"zz").unwrap();
    manifest_of_roots(&[dir.path().to_path_buf()], &Options::default())
        .unwrap()
        .to_canonical_bytes()
}

#[test]
fn errors_name_where_and_what() {
    let good = String::from_utf8(sample()).unwrap();
    let e = parse_manifest(b"{\"schema\": 1").unwrap_err();
    assert!(e.line.is_some(), "{e}");
    let edited = good.replacen("\"path\":\"z\"", "\"path\":\"../z\"", 1);
    let e = parse_manifest(edited.as_bytes()).unwrap_err();
    assert_eq!(e.pointer, "/entries/3/path", "{e}");
    assert!(e.message.contains("escape"), "{e}");
    let edited = good.replacen("\"size\":2", "\"size\":3", 1);
    let e = parse_manifest(edited.as_bytes()).unwrap_err();
    assert_eq!(e.pointer, "/root_digest", "{e}");
    let e = parse_manifest(
        good.replacen("\"kind\":\"file\"", "\"kind\":\"fifo\"", 1)
            .as_bytes(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("fifo"), "{e}");
    let e = parse_manifest(format!("{good} []").as_bytes()).unwrap_err();
    assert!(e.message.contains("trailing"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_manifest(&bytes);
    }

    #[test]
    fn one_changed_byte_is_refused_or_still_consistent(index in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = sample();
        let at = index.index(bytes.len());
        prop_assume!(bytes[at] != byte);
        bytes[at] = byte;
        if let Ok(manifest) = parse_manifest(&bytes) {
            // Whatever parses is internally consistent: the digest matches
            // the entries (a signature over the bytes catches the edit).
            prop_assert_eq!(
                ci_intel_manifest::model::root_digest(&manifest.entries),
                manifest.root_digest
            );
        }
    }

    #[test]
    fn json_shaped_input_never_panics(value in json_value()) {
        let _ = parse_manifest(value.to_string().as_bytes());
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        "[a-z/.]{0,12}".prop_map(serde_json::Value::from),
        Just(serde_json::Value::from(ci_intel_manifest::SCHEMA)),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("schema".to_owned()),
                    Just("algorithm".to_owned()),
                    Just("roots".to_owned()),
                    Just("entries".to_owned()),
                    Just("root_digest".to_owned()),
                    Just("path".to_owned()),
                    Just("kind".to_owned()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
