//! The embedded trusted roots are the corpus copies (sigstore-python /
//! sigstore-rust, see crates/attest/trust/README.md), byte for byte.

#![allow(clippy::unwrap_used)]

mod common;

use ci_intel_attest::trust::{GITHUB_TRUSTED_ROOT, PUBLIC_GOOD_TRUSTED_ROOT};

#[test]
fn embedded_roots_match_the_corpus() {
    let Some(dir) = common::corpus("sigstore-trust") else {
        return;
    };
    let public = std::fs::read_to_string(dir.join("public-good.trusted_root.json")).unwrap();
    let github = std::fs::read_to_string(dir.join("github.trusted_root.json")).unwrap();
    assert_eq!(PUBLIC_GOOD_TRUSTED_ROOT, public);
    assert_eq!(GITHUB_TRUSTED_ROOT, github);
}
