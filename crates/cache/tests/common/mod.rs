//! Shared test setup: a small cache tree, keys made at test time (no
//! private key is committed), and the tool run in-process.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use ci_intel_core::{ExitCode, RunnerEnv};
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};

/// Run `ci-intel-cache ARGS` in-process.
pub fn run(args: &[&str], env: &RunnerEnv) -> ExitCode {
    let mut all = vec!["ci-intel-cache"];
    all.extend_from_slice(args);
    ci_intel_cache::run(all, env)
}

pub fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// An Ed25519 key pair in PEM (PKCS#8 v1 private key, SPKI public key,
/// the shapes `openssl genpkey -algorithm ed25519` writes).
pub fn pem_keys(dir: &Path, name: &str, seed: u8) -> (PathBuf, PathBuf) {
    let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let private = dir.join(format!("{name}.pem"));
    let public = dir.join(format!("{name}.pub.pem"));
    std::fs::write(
        &private,
        key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
    std::fs::write(
        &public,
        key.verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap(),
    )
    .unwrap();
    (private, public)
}

/// An unencrypted minisign key pair.
pub fn minisign_keys(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let private = dir.join(format!("{name}.key"));
    let public = dir.join(format!("{name}.pub"));
    std::fs::write(&private, pair.sk.to_box(None).unwrap().into_string()).unwrap();
    std::fs::write(&public, pair.pk.to_box().unwrap().into_string()).unwrap();
    (private, public)
}

/// A cache tree: files at two depths, an empty directory, a symlink.
pub fn tree(root: &Path) {
    std::fs::create_dir_all(root.join("sub/deeper")).unwrap();
    std::fs::create_dir_all(root.join("empty")).unwrap();
    std::fs::write(root.join("a.txt"), b"alpha\n").unwrap();
    std::fs::write(root.join("sub/b.bin"), vec![7u8; 70_000]).unwrap();
    std::fs::write(root.join("sub/deeper/c.txt"), b"gamma\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("a.txt", root.join("link")).unwrap();
}

/// A saved entry: the tree, its manifest (key, domain) and signature.
pub struct Entry {
    pub dir: tempfile::TempDir,
    pub cache: PathBuf,
    pub manifest: PathBuf,
    pub signature: PathBuf,
    pub pubkey: PathBuf,
    pub other_pubkey: PathBuf,
    pub quarantine: PathBuf,
    pub events: PathBuf,
}

#[derive(Debug, Clone, Copy)]
pub enum KeyKind {
    Pem,
    Minisign,
}

/// Save an entry under `key` in `domain`, signed with a fresh key of `kind`.
pub fn saved(kind: KeyKind, key: &str, domain: &str) -> Entry {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    tree(&cache);
    let sidecar = dir.path().join("sidecar");
    let manifest = sidecar.join("manifest.json");
    let signature = sidecar.join("manifest.json.sig");
    let (private, pubkey, other_pubkey) = match kind {
        KeyKind::Pem => {
            let (private, public) = pem_keys(dir.path(), "signer", 1);
            let (_, other) = pem_keys(dir.path(), "other", 2);
            (private, public, other)
        }
        KeyKind::Minisign => {
            let (private, public) = minisign_keys(dir.path(), "signer");
            let (_, other) = minisign_keys(dir.path(), "other");
            (private, public, other)
        }
    };
    let env = RunnerEnv::default();
    assert_eq!(
        run(
            &[
                "manifest",
                s(&cache),
                "--out",
                s(&manifest),
                "--cache-key",
                key,
                "--domain",
                domain
            ],
            &env
        ),
        ExitCode::Pass
    );
    assert_eq!(
        run(
            &[
                "sign",
                s(&manifest),
                "--key",
                s(&private),
                "--out",
                s(&signature)
            ],
            &env
        ),
        ExitCode::Pass
    );
    Entry {
        quarantine: dir.path().join("quarantine"),
        events: dir.path().join("events.ndjson"),
        dir,
        cache,
        manifest,
        signature,
        pubkey,
        other_pubkey,
    }
}

impl Entry {
    /// `verify` as the restore step runs it in a trusted job.
    pub fn restore(&self, key: &str, pubkey: &Path) -> ExitCode {
        run(
            &[
                "verify",
                s(&self.cache),
                "--manifest",
                s(&self.manifest),
                "--signature",
                s(&self.signature),
                "--pubkey",
                s(pubkey),
                "--cache-key",
                key,
                "--job-domain",
                "trusted",
                "--quarantine",
                s(&self.quarantine),
                "--events",
                s(&self.events),
            ],
            &RunnerEnv::default(),
        )
    }

    /// The events written so far.
    pub fn events(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.events)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Assert the restore was refused with `rule`: the cache paths are
    /// empty, the tree is in quarantine, and one event says so, naming
    /// `path` among the first differing paths when given.
    pub fn assert_quarantined(&self, rule: &str, path: Option<&str>) {
        assert!(
            !self.cache.exists(),
            "the cache path must be left empty after a refusal"
        );
        let moved: Vec<_> = std::fs::read_dir(&self.quarantine)
            .expect("a quarantine folder")
            .collect();
        assert_eq!(moved.len(), 1, "one quarantine folder per refusal");
        let folder = moved.into_iter().next().unwrap().unwrap().path();
        assert!(folder.join("0-cache").is_dir(), "{}", folder.display());
        let events = self.events();
        assert_eq!(events.len(), 1, "{events:?}");
        let event = &events[0];
        assert_eq!(event["event"], "cache_quarantine");
        assert_eq!(event["rule"], rule, "{event:#}");
        assert_eq!(event["key"], "cargo-v1", "{event:#}");
        assert!(
            event["identity"]["expected"]
                .as_str()
                .unwrap()
                .contains(':')
        );
        assert!(
            event["actual_root"].as_str().is_some_and(|r| r.len() == 64),
            "{event:#}"
        );
        assert_eq!(event["quarantine"], folder.display().to_string());
        if let Some(path) = path {
            let paths: Vec<&str> = event["differing_paths"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            assert!(paths.contains(&path), "{path} not in {paths:?}");
            assert_ne!(event["expected_root"], event["actual_root"]);
        }
    }
}
