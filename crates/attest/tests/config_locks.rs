//! The `attest:` section's lock directions: a locked artifact list may grow
//! but never lose an entry. (Moved from core's layer tests when the section
//! moved into this crate.)

#![allow(clippy::unwrap_used)]

use std::path::Path;

use ci_intel_attest::config::AttestConfig;
use ci_intel_core::config::{LoadedConfig, Sections, load_from_texts};
use ci_intel_core::{ExitCode, Failure};

fn layered(org: &str, repo_text: &str) -> Result<LoadedConfig, Failure> {
    load_from_texts(
        Some((Path::new("org.yml"), org)),
        Some((Path::new(".ci-intel/config.yml"), repo_text)),
        &Sections::partial([ci_intel_attest::gate::section()]),
    )
}

#[test]
fn a_locked_attest_artifact_list_may_grow_but_never_lose_an_entry() {
    let org = "attest:\n  artifacts:\n    - {paths: [dist/app], provenance: dist/app.intoto.jsonl, source_uri: github.com/acme/app}\nlock: [attest.artifacts]\n";
    let grown = "attest:\n  artifacts:\n    - {paths: [dist/app], provenance: dist/app.intoto.jsonl, source_uri: github.com/acme/app}\n    - {paths: [dist/cli], bundle: dist/cli.sigstore.json, cert_identity: me}\n";
    assert_eq!(
        layered(org, grown)
            .unwrap()
            .section::<AttestConfig>("attest")
            .unwrap()
            .artifacts
            .len(),
        2
    );
    let dropped = "attest:\n  artifacts:\n    - {paths: [dist/cli], bundle: dist/cli.sigstore.json, cert_identity: me}\n";
    let err = layered(org, dropped).unwrap_err();
    assert_eq!(err.code, ExitCode::Usage);
    assert!(
        err.message.contains("`attest.artifacts` is locked"),
        "{}",
        err.message
    );
    assert!(err.message.contains("keep every item"), "{}", err.message);
}
