//! ci-intel-attest: offline verification of Sigstore bundles and SLSA
//! provenance, failing closed.
//!
//! - [`bundle`]: reading bundles (`.sigstore.json`, `.intoto.jsonl`);
//! - [`trust`]: the trusted root (embedded public-good or GitHub instance,
//!   a file, or a TUF refresh);
//! - [`artifact`]: artifacts as files or `sha256:` digests;
//! - [`signature`]: the Sigstore verification of one bundle for one artifact,
//!   with the checks sigstore-verify leaves out;
//! - [`provenance`]: the SLSA provenance policy (source, ref, builder, signer);
//! - [`transcript`]: the record of every check, for the evidence bundle;
//! - [`verify`]: [`verify_bundle`] and [`verify_provenance`], the library API;
//! - [`cli`]: the `ci-intel-attest` command line.
//!
//! Exit codes: 0 every artifact verified; 1 denied (a check failed, or a
//! bundle, provenance file or key is present but malformed: it proves
//! nothing); 2 usage error; 3 could not verify (a file that cannot be read,
//! a trusted root that cannot be loaded, a failed refresh).

pub mod artifact;
pub mod bundle;
pub mod cli;
pub mod config;
pub mod gate;
pub mod provenance;
pub mod signature;
pub mod transcript;
pub mod trust;
pub mod verify;

use std::ffi::OsString;

use ci_intel_core::{ExitCode, RunnerEnv};

pub use artifact::ArtifactInput;
pub use gate::AttestGate;
pub use provenance::{ProvenancePolicy, SourceRef, VersionedTag};
pub use signature::IdentityPolicy;
pub use transcript::{Check, CheckId, CheckResult, Transcript};
pub use trust::{Instance, TrustSelection};
pub use verify::{BundleRequest, Outcome, ProvenanceRequest, verify_bundle, verify_provenance};

pub const TOOL: &str = "ci-intel-attest";

/// Run the tool with `args` (including the program name) in `env`.
pub fn run<I, T>(args: I, env: &RunnerEnv) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ci_intel_core::cli::run_parsed(TOOL, args, |cli: cli::Cli| cli::run_cli(cli, env))
}
