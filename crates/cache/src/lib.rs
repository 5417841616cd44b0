//! ci-intel-cache, the Cache Sentinel: a signed BLAKE3 manifest of every
//! cache entry, verified after `actions/cache` restores and before any
//! later step reads the files.
//!
//! - [`keys`]: signing material: Ed25519 in PEM (PKCS#8 private, SPKI
//!   public, as `openssl genpkey -algorithm ed25519` writes them) and
//!   minisign keys; keyless Sigstore bundles (`actions/attest`) are
//!   verified by ci-intel-attest's library;
//! - [`domain`]: the trust domain of the running job (fork pull requests,
//!   `pull_request_target`, `workflow_run` of a fork are untrusted);
//! - [`verify`]: the restore check (signature first, then every file
//!   against the signed manifest; extra files are a mismatch too), the
//!   quarantine and the `cache_quarantine` event;
//! - [`cli`]: `manifest`, `sign`, `verify`, `context`;
//! - [`gate`] and [`config`]: the `cache` gate of `ci-intel check`.
//!
//! Exit codes: 0 verified (or written); 1 denied (the entry was
//! quarantined); 2 usage error; 3 could not read the tree or a file.

pub mod cli;
pub mod config;
pub mod domain;
pub mod gate;
pub mod keys;
pub mod verify;

use std::ffi::OsString;

use ci_intel_core::{ExitCode, RunnerEnv};

pub use domain::{Context, Domain};
pub use gate::CacheGate;
pub use verify::{Reason, Trust, Verification, VerifyRequest, verify_restore};

pub const TOOL: &str = "ci-intel-cache";

/// Run the tool with `args` (including the program name) in `env`.
pub fn run<I, T>(args: I, env: &RunnerEnv) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ci_intel_core::cli::run_parsed(TOOL, args, |cli: cli::Cli| cli::run_cli(cli, env))
}
