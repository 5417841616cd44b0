#![allow(clippy::unwrap_used)]
//! The deny tests of the Cache Sentinel (issue 12): a changed byte, an
//! added file, a removed file, a swapped symlink, a manifest signed by
//! another key, an unsigned manifest, a fork entry restored into a trusted
//! job: each quarantines and emits the `cache_quarantine` event. The
//! restore of a clean cache passes, with Ed25519 PEM keys and minisign
//! keys alike.

mod common;

use ci_intel_core::ExitCode;
use common::{KeyKind, saved};

const KEY: &str = "cargo-v1";

fn entry() -> common::Entry {
    saved(KeyKind::Pem, KEY, "trusted")
}

#[test]
fn a_clean_restore_passes_with_a_pem_key() {
    let e = entry();
    assert_eq!(e.restore(KEY, &e.pubkey), ExitCode::Pass);
    assert!(e.cache.join("sub/b.bin").is_file(), "a verified tree stays");
    assert!(e.events().is_empty());
    assert!(!e.quarantine.exists());
}

#[test]
fn a_clean_restore_passes_with_a_minisign_key() {
    let e = saved(KeyKind::Minisign, KEY, "trusted");
    assert_eq!(e.restore(KEY, &e.pubkey), ExitCode::Pass);
    assert!(e.events().is_empty());
}

#[test]
fn a_changed_byte_is_quarantined() {
    let e = entry();
    let file = e.cache.join("sub/b.bin");
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[40_000] ^= 1;
    std::fs::write(&file, bytes).unwrap();
    assert_eq!(e.restore(KEY, &e.pubkey), ExitCode::Deny);
    e.assert_quarantined("cache-tree-mismatch", Some("sub/b.bin"));
    assert_eq!(e.events()[0]["differences"][0]["change"], "content");
}

#[test]
fn an_added_file_is_quarantined() {
    let e = entry();
    std::fs::write(e.cache.join("sub/deeper/planted.so"), b"evil").unwrap();
    assert_eq!(e.restore(KEY, &e.pubkey), ExitCode::Deny);
    e.assert_quarantined("cache-tree-mismatch", Some("sub/deeper/planted.so"));
    assert_eq!(e.events()[0]["differences"][0]["change"], "added");
}

#[test]
fn an_added_empty_directory_is_quarantined() {
    let e = entry();
    std::fs::create_dir(e.cache.join("new-dir")).unwrap();
    assert_eq!(e.restore(KEY, &e.pubkey), ExitCode::Deny);
    e.assert_quarantined("cache-tree-mismatch", Some("new-dir"));
}

#[test]
fn a_removed_file_is_quarantined() {
    let e = entry();
    std::fs::remove_file(e.cache.join("sub/deeper/c.txt")).unwrap();
    assert_eq!(e.restore(KEY, &e.pubkey), ExitCode::Deny);
    e.assert_quarantined("cache-tree-mismatch", Some("sub/deeper/c.txt"));
    assert_eq!(e.events()[0]["differences"][0]["change"], "removed");
}

#[cfg(unix)]
#[test]
fn a_swapped_symlink_is_quarantined() {
    let e = entry();
    std::fs::remove_file(e.cache.join("link")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", e.cache.join("link")).unwrap();
    assert_eq!(e.restore(KEY, &e.pubkey), ExitCode::Deny);
    e.assert_quarantined("cache-tree-mismatch", Some("link"));
    let event = &e.events()[0];
    assert_eq!(event["differences"][0]["change"], "target");
    assert_eq!(event["differences"][0]["actual"], "symlink -> /etc/passwd");
}

#[cfg(unix)]
#[test]
fn a_mode_change_is_quarantined() {
    use std::os::unix::fs::PermissionsExt as _;
    let e = entry();
    let file = e.cache.join("a.txt");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o4755)).unwrap();
    assert_eq!(e.restore(KEY, &e.pubkey), ExitCode::Deny);
    e.assert_quarantined("cache-tree-mismatch", Some("a.txt"));
}

#[test]
fn a_manifest_signed_by_another_pem_key_is_quarantined() {
    let e = entry();
    assert_eq!(e.restore(KEY, &e.other_pubkey), ExitCode::Deny);
    e.assert_quarantined("cache-bad-signature", None);
    let event = &e.events()[0];
    assert!(event["identity"]["actual"].is_null(), "{event:#}");
    assert!(
        event["reason"]
            .as_str()
            .unwrap()
            .contains("does not verify")
    );
}

#[test]
fn a_manifest_signed_by_another_minisign_key_is_quarantined() {
    let e = saved(KeyKind::Minisign, KEY, "trusted");
    assert_eq!(e.restore(KEY, &e.other_pubkey), ExitCode::Deny);
    e.assert_quarantined("cache-bad-signature", None);
}

#[test]
fn a_manifest_edited_after_signing_is_quarantined() {
    let e = entry();
    // Re-write the manifest for a poisoned tree, keeping the old signature.
    std::fs::write(e.cache.join("a.txt"), b"poisoned\n").unwrap();
    assert_eq!(
        common::run(
            &[
                "manifest",
                common::s(&e.cache),
                "--out",
                common::s(&e.manifest),
                "--cache-key",
                KEY,
                "--domain",
                "trusted"
            ],
            &ci_intel_core::RunnerEnv::default()
        ),
        ExitCode::Pass
    );
    assert_eq!(e.restore(KEY, &e.pubkey), ExitCode::Deny);
    e.assert_quarantined("cache-bad-signature", None);
}

#[test]
fn an_unsigned_manifest_is_quarantined() {
    let e = entry();
    std::fs::remove_file(&e.signature).unwrap();
    assert_eq!(e.restore(KEY, &e.pubkey), ExitCode::Deny);
    e.assert_quarantined("cache-unsigned", None);
}

#[test]
fn an_empty_signature_is_unsigned() {
    let e = entry();
    std::fs::write(&e.signature, b"").unwrap();
    assert_eq!(e.restore(KEY, &e.pubkey), ExitCode::Deny);
    e.assert_quarantined("cache-unsigned", None);
}

#[test]
fn an_entry_without_a_manifest_is_quarantined() {
    let e = entry();
    std::fs::remove_file(&e.manifest).unwrap();
    assert_eq!(e.restore(KEY, &e.pubkey), ExitCode::Deny);
    e.assert_quarantined("cache-unsigned", None);
}

#[test]
fn a_fork_entry_restored_into_a_trusted_job_is_quarantined() {
    // Signed with the right key, but written in the untrusted domain.
    let e = saved(KeyKind::Pem, KEY, "untrusted");
    assert_eq!(e.restore(KEY, &e.pubkey), ExitCode::Deny);
    e.assert_quarantined("cache-untrusted-entry", None);
    let event = &e.events()[0];
    assert_eq!(event["domain"]["entry"], "untrusted");
    assert_eq!(event["domain"]["job"], "trusted");
}

#[test]
fn a_fork_entry_restores_in_an_untrusted_job() {
    let e = saved(KeyKind::Pem, KEY, "untrusted");
    let code = common::run(
        &[
            "verify",
            common::s(&e.cache),
            "--manifest",
            common::s(&e.manifest),
            "--signature",
            common::s(&e.signature),
            "--pubkey",
            common::s(&e.pubkey),
            "--cache-key",
            KEY,
            "--job-domain",
            "untrusted",
        ],
        &ci_intel_core::RunnerEnv::default(),
    );
    assert_eq!(code, ExitCode::Pass);
}

#[test]
fn an_entry_replayed_under_another_key_is_quarantined() {
    let e = saved(KeyKind::Pem, "cargo-v0-old", "trusted");
    assert_eq!(e.restore(KEY, &e.pubkey), ExitCode::Deny);
    e.assert_quarantined("cache-key-mismatch", None);
}

#[test]
fn a_fork_pull_request_job_detects_its_domain_from_the_event() {
    let dir = tempfile::tempdir().unwrap();
    let event = dir.path().join("event.json");
    std::fs::write(
        &event,
        r#"{"pull_request":{"head":{"repo":{"full_name":"mallory/project"}}},"repository":{"full_name":"octo/project"}}"#,
    )
    .unwrap();
    let env = ci_intel_core::RunnerEnv::from_pairs([
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_REPOSITORY", "octo/project"),
        ("GITHUB_EVENT_PATH", common::s(&event)),
    ]);
    let context = ci_intel_cache::domain::detect(&env).unwrap();
    assert_eq!(context.domain, ci_intel_cache::Domain::Untrusted);
    assert!(
        context.reason.contains("mallory/project"),
        "{}",
        context.reason
    );
    // A manifest written there carries the domain, signed.
    let cache = dir.path().join("cache");
    common::tree(&cache);
    let manifest = dir.path().join("m.json");
    assert_eq!(
        common::run(
            &[
                "manifest",
                common::s(&cache),
                "--out",
                common::s(&manifest),
                "--cache-key",
                KEY
            ],
            &env
        ),
        ExitCode::Pass
    );
    let written = ci_intel_cache::cli::read_manifest(&manifest).unwrap();
    assert_eq!(written.meta_str("domain"), Some("untrusted"));
    assert_eq!(written.meta["context"]["event"], "pull_request");
}
