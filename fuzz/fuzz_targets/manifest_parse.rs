//! `ci_intel_manifest::parse_manifest`: the tree manifests that
//! ci-intel-cache signs and verifies and ci-intel-repro compares, read from
//! a cache entry, another job or another day. Invariants: determinism;
//! bytes that are not JSON are refused; an accepted manifest passes
//! `validate`, its canonical bytes read back to it and are a fixed point,
//! it differs from itself nowhere, and every entry taken out of it is a
//! difference. A document that has the manifest's shape but a stale root
//! digest or counts is refused; with them recomputed it is checked again
//! (so the fuzzer reaches past the digest) under the same invariants, and
//! ci-intel-repro's comparison of it with itself allows.
#![no_main]

use std::path::Path;

use ci_intel_fuzz::{JsonShape, deterministic, json_shape};
use ci_intel_manifest::model::{counts, root_digest};
use ci_intel_manifest::parse::validate;
use ci_intel_manifest::{DiffOptions, Manifest, diff, parse_manifest};
use ci_intel_repro::compare::{CompareOptions, compare_manifests};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = deterministic(data, parse_manifest);
    if matches!(json_shape(data), JsonShape::NotJson) {
        assert!(
            parsed.is_err(),
            "bytes that are not JSON read as a manifest"
        );
    }
    match parsed {
        Ok(manifest) => accepted(&manifest),
        Err(error) => {
            let _ = error.to_string();
            // The same shape with the digest and counts recomputed.
            let Ok(mut manifest) = serde_json::from_slice::<Manifest>(data) else {
                return;
            };
            let digest = root_digest(&manifest.entries);
            let (files, bytes) = counts(&manifest.entries);
            let stale = digest != manifest.root_digest
                || (files, bytes) != (manifest.files, manifest.bytes);
            manifest.root_digest = digest;
            (manifest.files, manifest.bytes) = (files, bytes);
            if validate(&manifest).is_ok() {
                assert!(
                    stale,
                    "a manifest that validates was refused: {}",
                    parse_manifest(data).unwrap_err()
                );
                accepted(&manifest);
            }
        }
    }
});

fn accepted(manifest: &Manifest) {
    assert_eq!(validate(manifest), Ok(()));
    let canonical = manifest.to_canonical_bytes();
    let again = parse_manifest(&canonical).expect("the canonical bytes of a manifest are refused");
    assert_eq!(
        &again, manifest,
        "parse → canonical bytes → parse changed the manifest"
    );
    assert_eq!(
        again.to_canonical_bytes(),
        canonical,
        "the canonical bytes are not a fixed point"
    );
    let options = DiffOptions { modes: true };
    assert!(
        diff(manifest, manifest, &options).is_empty(),
        "a manifest differs from itself"
    );
    if !manifest.entries.is_empty() {
        let mut fewer = manifest.clone();
        let gone = fewer.entries.remove(manifest.entries.len() / 2);
        let differences = diff(manifest, &fewer, &options);
        assert!(
            !differences.is_empty(),
            "taking out {:?} made no difference",
            gone.path
        );
    }
    let report = compare_manifests(
        Path::new("a"),
        Path::new("b"),
        manifest,
        manifest,
        None,
        None,
        &CompareOptions::default(),
    );
    assert_eq!(
        report.verdict, "allow",
        "a manifest compared with itself is denied"
    );
    assert!(report.differences.is_empty());
}
