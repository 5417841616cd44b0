#![allow(clippy::unwrap_used)]
//! The official BLAKE3 test vectors (../shared/corpus/cache) pass through
//! the manifest's own file hashing, on both of its paths (read whole, and
//! memory-mapped with several threads), and through the blake3 crate's
//! keyed and derive-key modes with extended output.

use ci_intel_manifest::{Options, manifest_of_files};

fn input(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn every_official_vector_hashes_to_its_expected_output() {
    let Some(path) = ci_intel_testkit::corpus("cache/blake3/test_vectors.json") else {
        return;
    };
    let vectors: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let key: [u8; 32] = vectors["key"]
        .as_str()
        .unwrap()
        .as_bytes()
        .try_into()
        .unwrap();
    let context = vectors["context_string"].as_str().unwrap();
    let cases = vectors["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 35, "the corpus has 35 cases");

    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for case in cases {
        let len = case["input_len"].as_u64().unwrap() as usize;
        let name = format!("len-{len:06}");
        std::fs::write(dir.path().join(&name), input(len)).unwrap();
        names.push(name);
    }
    for threshold in [u64::MAX, 0] {
        // u64::MAX: every file read whole; 0: every file memory-mapped
        // and hashed with the rayon pool.
        let options = Options {
            mmap_threshold: threshold,
            threads: 2,
            ..Options::default()
        };
        let manifest = manifest_of_files(dir.path(), &names, &options).unwrap();
        for (case, entry) in cases.iter().zip(&manifest.entries) {
            let expected = &case["hash"].as_str().unwrap()[..64];
            assert_eq!(
                entry.blake3.as_deref(),
                Some(expected),
                "{} (threshold {threshold})",
                entry.path
            );
            assert_eq!(entry.size, case["input_len"].as_u64());
        }
    }
    for case in cases {
        let data = input(case["input_len"].as_u64().unwrap() as usize);
        let mut out = [0u8; 131];
        blake3::Hasher::new()
            .update(&data)
            .finalize_xof()
            .fill(&mut out);
        assert_eq!(hex(&out), case["hash"].as_str().unwrap());
        blake3::Hasher::new_keyed(&key)
            .update(&data)
            .finalize_xof()
            .fill(&mut out);
        assert_eq!(hex(&out), case["keyed_hash"].as_str().unwrap());
        blake3::Hasher::new_derive_key(context)
            .update(&data)
            .finalize_xof()
            .fill(&mut out);
        assert_eq!(hex(&out), case["derive_key"].as_str().unwrap());
    }
}
