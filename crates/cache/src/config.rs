//! The `cache:` section of `.ci-intel/config.yml`, owned by this crate and
//! registered with the gate contract (see [`crate::gate`]).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `cache` gate (Cache Sentinel: `ci-intel-cache`, the
/// `cache-sentinel` action, and `ci-intel check`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    /// Run this gate in `ci-intel check`.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Pass (as a skip) when `entries` is empty. A plain repository keeps
    /// no signed cache in its checkout, so the hub default is true.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
    /// Refusing a restored cache fails the job instead of continuing cold
    /// (the `cache-sentinel` action's `on-mismatch: fail`).
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub fail_on_mismatch: bool,
    /// Record symlinks that point outside the cached paths instead of
    /// refusing to write the manifest.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_external_symlinks: bool,
    /// Signed trees in the checkout that `ci-intel check` verifies (a
    /// vendored tree, a committed snapshot). Tighter means keeping every
    /// locked entry.
    #[schemars(extend("x-ci-intel-tighten" = "superset"))]
    pub entries: Vec<CacheEntry>,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            enabled: true,
            allow_empty: true,
            fail_on_mismatch: false,
            allow_external_symlinks: false,
            entries: Vec::new(),
        }
    }
}

/// A signed tree of the checkout.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CacheEntry {
    /// The paths the manifest records, relative to the repository root.
    pub paths: Vec<String>,
    /// The manifest file.
    pub manifest: String,
    /// Its signature (raw Ed25519 or minisign).
    pub signature: String,
    /// The Ed25519 PEM (SPKI) or minisign public key that must have signed.
    pub pubkey: String,
}
