//! Helpers shared by the workspace-level tests.
//!
//! - [`action`]: an "action runner" that runs a composite `action.yml` the
//!   way the GitHub Actions runner does (bash steps, `env:` expressions,
//!   `$GITHUB_OUTPUT`/`$GITHUB_ENV`/`$GITHUB_PATH`), and refuses anything it
//!   does not model so that an action cannot rely on something untested.
//! - [`server`]: a loopback HTTP server that serves release assets and
//!   records every request (for token scoping and retry counts).
//! - [`hub`]: a throw-away copy of the hub (actions/, scripts/, dist/) and
//!   the real `ci-intel-telemetry` binary to publish as a fake release.

pub mod action;
pub mod hub;
pub mod server;

use sha2::Digest as _;

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
