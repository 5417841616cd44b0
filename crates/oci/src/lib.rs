//! ci-intel-oci: before an image is promoted, its SBOM and provenance must
//! hang on that exact digest, for every platform.
//!
//! - [`parse`], [`sbom`], [`creds`]: plain parsers of untrusted input
//!   (manifests, indexes, referrers responses, `Link` and
//!   `OCI-Filters-Applied` headers, SBOMs, Docker `config.json`), never a
//!   panic;
//! - [`source`]: where manifests come from; [`layout`] (OCI image layouts,
//!   offline) and, with the `registry` feature, [`registry`] (oci-client
//!   and reqwest on rustls);
//! - [`discover`]: the referrers check (API, else tag schema; every
//!   referrer's own `subject` checked; per platform); [`verify`]: content
//!   checks (SBOM parses, provenance verifies with ci-intel-attest);
//!   [`parity`]: SBOM component parity across platforms;
//! - [`gate`]: the `oci` gate of `ci-intel check` (layouts, offline);
//! - [`cli`]: the `ci-intel-oci` command line (`referrers`, `parity`,
//!   `push-evidence`).
//!
//! Exit codes: 0 pass; 1 denied; 2 usage or configuration error; 3 the
//! registry could not be reached or answered nonsense (never a pass).

pub mod config;
pub mod creds;
pub mod digest;
pub mod discover;
pub mod gate;
pub mod kinds;
pub mod layout;
pub mod parity;
pub mod parse;
pub mod reference;
pub mod rules;
pub mod sbom;
pub mod source;
pub mod verify;

#[cfg(feature = "registry")]
pub mod cli;
#[cfg(feature = "registry")]
pub mod registry;

pub use digest::Digest;
pub use gate::OciGate;

pub const TOOL: &str = "ci-intel-oci";

/// The verification policy a `verify:` section describes; `root` resolves
/// a relative `trusted_root`.
pub fn verify_policy(
    config: &config::VerifyConfig,
    root: &std::path::Path,
) -> verify::VerifyPolicy {
    use ci_intel_attest::config::SigstoreInstance;
    use ci_intel_attest::{Instance, SourceRef, TrustSelection};
    verify::VerifyPolicy {
        source_uri: config.source_uri.clone(),
        source_ref: match (&config.source_tag, &config.source_branch) {
            (Some(tag), _) => Some(SourceRef::Tag(tag.clone())),
            (None, Some(branch)) => Some(SourceRef::Branch(branch.clone())),
            (None, None) => None,
        },
        builder_id: config.builder_id.clone(),
        signer_workflow: config.signer_workflow.clone(),
        trust: match &config.trusted_root {
            Some(file) => TrustSelection::File(root.join(file)),
            None => TrustSelection::Embedded(match config.instance {
                SigstoreInstance::PublicGood => Instance::PublicGood,
                SigstoreInstance::Github => Instance::Github,
            }),
        },
    }
}

/// Run the tool with `args` (including the program name) in `env`.
#[cfg(feature = "registry")]
pub fn run<I, T>(args: I, env: &ci_intel_core::RunnerEnv) -> ci_intel_core::ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    ci_intel_core::cli::run_parsed(TOOL, args, |cli: cli::Cli| cli::run_cli(cli, env))
}
