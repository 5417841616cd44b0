//! The `secrets:` section's lock directions: an org overlay may lock a key,
//! and the repository may then only tighten it. (Moved from core's layer
//! tests when the section moved into this crate.)

#![allow(clippy::unwrap_used)]

use std::path::Path;

use ci_intel_core::config::{LoadedConfig, Sections, load_from_texts};
use ci_intel_core::{ExitCode, Failure};
use ci_intel_secrets::config::SecretsConfig;

fn layered(org: &str, repo_text: &str) -> Result<LoadedConfig, Failure> {
    load_from_texts(
        Some((Path::new("org.yml"), org)),
        Some((Path::new(".ci-intel/config.yml"), repo_text)),
        &Sections::partial([ci_intel_secrets::gate::section()]),
    )
}

#[test]
fn secrets_keys_lock_in_their_tighter_direction() {
    let org = "secrets:\n  allow_empty: false\n  max_file_size: 1000000\n  disabled_rules: [jwt, gcp-api-key]\n  allowlist:\n    paths: ['test/**', 'docs/**']\n    regexes: ['^FAKE']\n    stopwords: [dummy]\n  sweep:\n    allowed_names: [CODECOV_TOKEN, NPM_CONFIG_TOKEN]\nlock: [secrets.allow_empty, secrets.max_file_size, secrets.disabled_rules, secrets.allowlist.paths, secrets.allowlist.regexes, secrets.allowlist.stopwords, secrets.sweep.allowed_names, secrets.baseline]\n";
    let loaded = layered(
        org,
        "secrets:\n  max_file_size: 2000000\n  disabled_rules: [jwt]\n  allowlist:\n    paths: ['test/**']\n    stopwords: []\n  sweep:\n    allowed_names: [CODECOV_TOKEN]\n",
    )
    .unwrap();
    let secrets: SecretsConfig = loaded.section("secrets").unwrap();
    assert_eq!(secrets.max_file_size, 2_000_000);
    assert_eq!(secrets.allowlist.paths, vec!["test/**"]);
    assert_eq!(secrets.allowlist.regexes, vec!["^FAKE"]);
    assert_eq!(secrets.sweep.allowed_names, vec!["CODECOV_TOKEN"]);
    for (repo_text, key) in [
        ("secrets:\n  allow_empty: true\n", "secrets.allow_empty"),
        ("secrets:\n  max_file_size: 10\n", "secrets.max_file_size"),
        (
            "secrets:\n  disabled_rules: [jwt, private-key]\n",
            "secrets.disabled_rules",
        ),
        (
            "secrets:\n  allowlist:\n    paths: ['**']\n",
            "secrets.allowlist.paths",
        ),
        (
            "secrets:\n  allowlist:\n    regexes: ['.*']\n",
            "secrets.allowlist.regexes",
        ),
        (
            "secrets:\n  allowlist:\n    stopwords: [a]\n",
            "secrets.allowlist.stopwords",
        ),
        (
            "secrets:\n  sweep:\n    allowed_names: [AWS_SECRET_ACCESS_KEY]\n",
            "secrets.sweep.allowed_names",
        ),
        ("secrets:\n  baseline: elsewhere.json\n", "secrets.baseline"),
    ] {
        let err = layered(org, repo_text).unwrap_err();
        assert_eq!(err.code, ExitCode::Usage);
        assert!(err.message.contains(key), "{key}: {}", err.message);
    }
}
