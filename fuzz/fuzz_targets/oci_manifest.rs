//! ci-intel-oci's readers of registry responses: manifests and indexes
//! (`parse_manifest`, with the `Content-Type` picked by the first byte),
//! referrers responses (`parse_referrers_index`), and the headers and names
//! a registry or a user gives (`Link`, `OCI-Filters-Applied`, image
//! references, digests) read from the same bytes as text. Invariants: JSON
//! round trip of manifests; a referrers index is the index `parse_manifest`
//! reads; a digest re-reads from its rendering; `sha256_of` matches.
#![no_main]

use ci_intel_fuzz::json_round_trip;
use ci_intel_oci::digest::Digest;
use ci_intel_oci::parse::{
    Manifest, parse_filters_applied, parse_link_next, parse_manifest, parse_referrers_index,
    resolve_link,
};
use ci_intel_oci::reference::parse_image_ref;
use libfuzzer_sys::fuzz_target;

const CONTENT_TYPES: [Option<&str>; 5] = [
    None,
    Some("application/vnd.oci.image.manifest.v1+json"),
    Some("application/vnd.oci.image.index.v1+json"),
    Some("application/vnd.docker.distribution.manifest.v2+json"),
    Some("application/vnd.docker.distribution.manifest.list.v2+json"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&ct, bytes)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(ct) % CONTENT_TYPES.len()];
    let manifest = json_round_trip(bytes, |b| parse_manifest(b, content_type));
    let referrers = parse_referrers_index(bytes, content_type);
    match (&manifest, &referrers) {
        (Ok(Manifest::Index(i)), Ok(r)) => assert_eq!(i, r),
        (Ok(Manifest::Index(_)), Err(e)) => panic!("an index is not a referrers index: {e}"),
        (_, Ok(_)) => panic!("a referrers index that is not an index: {manifest:?}"),
        (_, Err(_)) => {}
    }
    if let Ok(m) = &manifest {
        let _ = (m.media_type(), m.is_index());
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Some(next) = parse_link_next(text) {
        let _ = resolve_link("https://registry.example/v2/r/referrers/sha256:00", &next);
    }
    let _ = parse_filters_applied(text);
    if let Ok(r) = parse_image_ref(text) {
        let _ = r.digest();
    }
    if let Ok(d) = Digest::parse(text) {
        let again = Digest::parse(&d.to_string()).expect("a digest re-reads from its rendering");
        assert_eq!(d, again);
        let _ = (d.algorithm(), d.hex(), d.short(), d.fallback_tag());
    }
    let digest = Digest::sha256_of(bytes);
    assert!(digest.matches(bytes));
});
