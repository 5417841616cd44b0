#![allow(clippy::unwrap_used)]
//! Readers of untrusted input never panic: a signature file restored with
//! a cache entry (raw, base64 or minisign text), public key files, and the
//! event payload the trust domain is read from.

use ci_intel_cache::domain::{Domain, decide};
use ci_intel_cache::keys::{parse_public_key, verify};
use proptest::prelude::*;

fn keys() -> Vec<ci_intel_cache::keys::PublicKey> {
    let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let minisign = parse_public_key(&pair.pk.to_box().unwrap().into_string()).unwrap();
    let pem = parse_public_key(
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAt8ZxJ1w1BlzoU1wDNRHRg/pBu3eC8WjPl0PWuweoGBc=\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    vec![minisign, pem]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn signature_files_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        for key in keys() {
            prop_assert!(verify(&key, b"manifest", &bytes).is_err());
        }
    }

    #[test]
    fn minisign_shaped_signatures_never_panic(lines in proptest::collection::vec("[A-Za-z0-9+/=: ]{0,120}", 0..6)) {
        let text = format!("untrusted comment: x\n{}", lines.join("\n"));
        for key in keys() {
            prop_assert!(verify(&key, b"manifest", text.as_bytes()).is_err());
        }
    }

    #[test]
    fn public_key_files_never_panic(text in "(-----BEGIN PUBLIC KEY-----\n)?[A-Za-z0-9+/=\n: ]{0,200}") {
        let _ = parse_public_key(&text);
    }

    #[test]
    fn event_payloads_never_panic(event in "[a-z_]{0,20}", head in proptest::option::of("[a-z/]{0,20}")) {
        let payload = serde_json::json!({
            "pull_request": {"head": {"repo": {"full_name": head}}},
            "workflow_run": {"head_repository": {"full_name": head}},
            "repository": {"full_name": "octo/project"},
        });
        let (domain, reason) = decide(Some(&event), Some("octo/project"), Some(&payload));
        prop_assert!(!reason.is_empty());
        if event == "pull_request_target" {
            prop_assert_eq!(domain, Domain::Untrusted);
        }
    }
}

#[test]
fn the_trust_domain_of_each_event() {
    let fork = serde_json::json!({
        "pull_request": {"head": {"repo": {"full_name": "mallory/project"}}},
        "workflow_run": {"head_repository": {"full_name": "mallory/project"}},
        "repository": {"full_name": "octo/project"},
    });
    let same = serde_json::json!({
        "pull_request": {"head": {"repo": {"full_name": "octo/project"}}},
        "workflow_run": {"head_repository": {"full_name": "octo/project"}},
        "repository": {"full_name": "octo/project"},
    });
    let repo = Some("octo/project");
    for (event, payload, expected) in [
        ("push", &same, Domain::Trusted),
        ("schedule", &same, Domain::Trusted),
        ("pull_request", &same, Domain::Trusted),
        ("pull_request", &fork, Domain::Untrusted),
        ("pull_request_review", &fork, Domain::Untrusted),
        ("pull_request_target", &same, Domain::Untrusted),
        ("workflow_run", &same, Domain::Trusted),
        ("workflow_run", &fork, Domain::Untrusted),
    ] {
        assert_eq!(
            decide(Some(event), repo, Some(payload)).0,
            expected,
            "{event}"
        );
    }
    // No payload for a pull request: fail closed.
    assert_eq!(
        decide(Some("pull_request"), repo, None).0,
        Domain::Untrusted
    );
    assert_eq!(decide(None, None, None).0, Domain::Trusted);
}
