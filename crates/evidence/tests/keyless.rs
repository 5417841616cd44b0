//! Keyless verification of a bundle's manifest goes through
//! ci-intel-attest's library: an in-toto attestation in a Sigstore bundle
//! (what actions/attest writes) over the manifest's sha256. The real
//! Sigstore conformance case here attests `a.txt`, so `a.txt`'s bytes stand
//! in for a manifest: the right bytes and identity verify, anything else
//! does not.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use ci_intel_attest::{IdentityPolicy, Instance, TrustSelection};
use ci_intel_evidence::verify::{KeylessOptions, keyless};

const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

#[test]
fn a_dsse_attestation_of_the_manifest_digest_verifies_keylessly() {
    let Some(corpus) = ci_intel_testkit::corpus("sigstore-conformance/bundle-verify") else {
        return;
    };
    let manifest = std::fs::read(corpus.join("a.txt")).unwrap();
    let options = |identity: &str| KeylessOptions {
        identity: IdentityPolicy::Exact(identity.to_owned()),
        issuer: ISSUER.to_owned(),
        sigstore_bundle: corpus.join("happy-path-intoto-in-dsse-v3/bundle.sigstore.json"),
        trust: TrustSelection::Embedded(Instance::PublicGood),
    };
    let ok = keyless(&manifest, &options(IDENTITY)).unwrap();
    assert!(ok.contains("verified"), "{ok}");
    // Another signer, or other bytes, do not verify.
    let err = keyless(
        &manifest,
        &options("https://github.com/evil/repo/.github/workflows/x.yml@refs/heads/main"),
    )
    .unwrap_err();
    assert!(!err.is_empty());
    let mut other = manifest;
    other.push(b'\n');
    assert!(keyless(&other, &options(IDENTITY)).is_err());
}
