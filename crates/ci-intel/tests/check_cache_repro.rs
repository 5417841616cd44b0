#![allow(clippy::unwrap_used)]
//! The `cache` and `repro` gates of `ci-intel check`: each rule denies on a
//! bad input and passes on a good one, and with nothing configured both
//! skip (the hub default, so this repository's own check passes).

use std::path::Path;

use ci_intel::check::{GateStatus, check};

fn gate<'a>(
    outcome: &'a ci_intel::check::CheckOutcome,
    id: &str,
) -> &'a ci_intel::check::GateResult {
    outcome.gates.iter().find(|g| g.id == id).unwrap()
}

fn config(dir: &Path, text: &str) {
    std::fs::create_dir_all(dir.join(".ci-intel")).unwrap();
    std::fs::write(dir.join(".ci-intel/config.yml"), text).unwrap();
}

/// A vendored tree with a manifest (roots relative to the repository)
/// signed by a minisign key.
fn signed_tree(dir: &Path) {
    let vendor = dir.join("vendor");
    std::fs::create_dir_all(vendor.join("lib")).unwrap();
    std::fs::write(vendor.join("lib/a.rs"), b"pub fn a() {}\n").unwrap();
    std::fs::write(vendor.join("README"), b"vendored\n").unwrap();
    let mut manifest =
        ci_intel_manifest::manifest_of_roots(&[vendor], &ci_intel_manifest::Options::default())
            .unwrap();
    manifest.roots = vec!["vendor".to_owned()];
    let bytes = manifest.to_canonical_bytes();
    std::fs::write(dir.join("vendor.manifest.json"), &bytes).unwrap();
    let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let key = ci_intel_cache::keys::PrivateKey::Minisign(Box::new(pair.sk));
    let signature = ci_intel_cache::keys::sign(&key, &bytes, "test").unwrap();
    std::fs::write(dir.join("vendor.manifest.json.sig"), signature).unwrap();
    std::fs::write(
        dir.join("vendor.pub"),
        pair.pk.to_box().unwrap().into_string(),
    )
    .unwrap();
    config(
        dir,
        "cache:\n  entries:\n    - paths: [vendor]\n      manifest: vendor.manifest.json\n      signature: vendor.manifest.json.sig\n      pubkey: vendor.pub\n",
    );
}

#[test]
fn nothing_configured_skips_both_gates() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = check(dir.path(), None, false);
    assert_eq!(gate(&outcome, "cache").status, GateStatus::Skip);
    assert_eq!(gate(&outcome, "repro").status, GateStatus::Skip);
}

#[test]
fn a_signed_tree_that_matches_passes_the_cache_gate() {
    let dir = tempfile::tempdir().unwrap();
    signed_tree(dir.path());
    let outcome = check(dir.path(), None, false);
    let cache = gate(&outcome, "cache");
    assert_eq!(cache.status, GateStatus::Pass, "{cache:?}");
    assert!(
        cache.checked.contains("1 signed tree(s), 2 file(s)"),
        "{}",
        cache.checked
    );
}

#[test]
fn a_changed_file_denies_the_cache_gate() {
    let dir = tempfile::tempdir().unwrap();
    signed_tree(dir.path());
    std::fs::write(
        dir.path().join("vendor/lib/a.rs"),
        b"pub fn a() { evil() }\n",
    )
    .unwrap();
    let outcome = check(dir.path(), None, false);
    let cache = gate(&outcome, "cache");
    assert_eq!(cache.status, GateStatus::Deny, "{cache:?}");
    assert_eq!(cache.findings[0].rule_id, "cache-tree-mismatch");
    assert!(
        cache.findings[0].message.contains("lib/a.rs"),
        "{}",
        cache.findings[0].message
    );
}

#[test]
fn a_tampered_signature_denies_the_cache_gate() {
    let dir = tempfile::tempdir().unwrap();
    signed_tree(dir.path());
    let other = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    std::fs::write(
        dir.path().join("vendor.pub"),
        other.pk.to_box().unwrap().into_string(),
    )
    .unwrap();
    let outcome = check(dir.path(), None, false);
    let cache = gate(&outcome, "cache");
    assert_eq!(cache.status, GateStatus::Deny, "{cache:?}");
    assert_eq!(cache.findings[0].rule_id, "cache-bad-signature");
}

fn outputs(dir: &Path, second: &[u8]) {
    for (side, bytes) in [("a", b"same\n".as_slice()), ("b", second)] {
        let out = dir.join("out").join(side);
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("app.txt"), bytes).unwrap();
        std::fs::write(out.join("lib.txt"), b"lib\n").unwrap();
    }
    config(dir, "repro:\n  pairs:\n    - {a: out/a, b: out/b}\n");
}

#[test]
fn identical_outputs_pass_the_repro_gate() {
    let dir = tempfile::tempdir().unwrap();
    outputs(dir.path(), b"same\n");
    let outcome = check(dir.path(), None, false);
    let repro = gate(&outcome, "repro");
    assert_eq!(repro.status, GateStatus::Pass, "{repro:?}");
}

#[test]
fn a_differing_output_denies_the_repro_gate() {
    let dir = tempfile::tempdir().unwrap();
    outputs(dir.path(), b"different\n");
    let outcome = check(dir.path(), None, false);
    let repro = gate(&outcome, "repro");
    assert_eq!(repro.status, GateStatus::Deny, "{repro:?}");
    assert_eq!(repro.findings[0].rule_id, "repro-output-differs");
    assert!(
        repro.findings[0].message.contains("app.txt"),
        "{}",
        repro.findings[0].message
    );
}
