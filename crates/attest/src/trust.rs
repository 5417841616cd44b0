//! Trust material: the Sigstore trusted root that says which Fulcio CAs,
//! Rekor logs, CT logs and timestamp authorities to believe, and when.
//!
//! Three sources, chosen explicitly:
//! - embedded (the default): the public-good or GitHub instance's
//!   `trusted_root.json`, compiled into the binary (see `trust/README.md`);
//! - `--trusted-root FILE`: the user's own;
//! - `--refresh`: the instance's current root fetched over TUF (feature
//!   `refresh`), bounded by `--timeout`. A refresh that fails is exit 3,
//!   never a silent fall back to the embedded copy.

use std::path::PathBuf;
use std::time::Duration;

use ci_intel_core::Failure;
use sha2::{Digest, Sha256};
use sigstore_trust_root::TrustedRoot;

use crate::artifact::hex;
use crate::transcript::TrustSummary;

/// The public-good instance's trusted root (sigstore/sigstore-python @ 27db13d).
pub const PUBLIC_GOOD_TRUSTED_ROOT: &str = include_str!("../trust/public-good.trusted_root.json");
/// GitHub's artifact-attestation instance (sigstore/sigstore-rust @ 948c317).
pub const GITHUB_TRUSTED_ROOT: &str = include_str!("../trust/github.trusted_root.json");

/// Environment variable naming a TUF mirror for `--refresh` (air-gapped
/// mirrors, tests). The instance's embedded TUF root still authenticates
/// everything the mirror serves.
pub const TUF_MIRROR_ENV: &str = "CI_INTEL_ATTEST_TUF_MIRROR";

/// A Sigstore instance whose trusted root ships in the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Instance {
    /// Sigstore's public-good instance (cosign, sigstore-python, npm, PyPI).
    PublicGood,
    /// GitHub's instance (`actions/attest`, `gh attestation`, private repositories).
    Github,
}

impl Instance {
    pub fn as_str(self) -> &'static str {
        match self {
            Instance::PublicGood => "public-good",
            Instance::Github => "github",
        }
    }

    pub fn embedded_json(self) -> &'static str {
        match self {
            Instance::PublicGood => PUBLIC_GOOD_TRUSTED_ROOT,
            Instance::Github => GITHUB_TRUSTED_ROOT,
        }
    }

    #[cfg(feature = "refresh")]
    fn sigstore_instance(self) -> sigstore_trust_root::SigstoreInstance {
        match self {
            Instance::PublicGood => sigstore_trust_root::SigstoreInstance::PublicGood,
            Instance::Github => sigstore_trust_root::SigstoreInstance::GitHub,
        }
    }
}

/// Which trusted root to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustSelection {
    Embedded(Instance),
    File(PathBuf),
    /// Fetch `instance`'s root over TUF, giving up after `timeout`.
    Refresh {
        instance: Instance,
        timeout: Duration,
    },
}

/// A loaded trusted root and where it came from.
#[derive(Debug, Clone)]
pub struct TrustMaterial {
    pub root: TrustedRoot,
    pub summary: TrustSummary,
}

impl TrustMaterial {
    /// True when the root names transparency logs. GitHub's instance has
    /// none: its bundles prove signing time with RFC 3161 timestamps only.
    pub fn has_tlogs(&self) -> bool {
        !self.root.tlogs.is_empty()
    }

    /// True when the root names CT logs, so certificates carry SCTs.
    pub fn has_ctlogs(&self) -> bool {
        !self.root.ctlogs.is_empty()
    }
}

/// Parse trusted-root JSON. `source` names it in errors and the transcript.
pub fn parse(json: &str, source: String) -> Result<TrustMaterial, Failure> {
    let root = TrustedRoot::from_json(json).map_err(|e| {
        Failure::infra(format!(
            "trusted root ({source}) is not a usable Sigstore trusted root: {e}"
        ))
    })?;
    if root.certificate_authorities.is_empty() && root.tlogs.is_empty() {
        return Err(Failure::infra(format!(
            "trusted root ({source}) names no certificate authority and no transparency log: nothing could be verified against it"
        )));
    }
    Ok(TrustMaterial {
        root,
        summary: TrustSummary {
            source,
            sha256: hex(&Sha256::digest(json.as_bytes())),
        },
    })
}

/// Load the selected trusted root. Every failure is exit 3: without trust
/// material nothing can be verified.
pub fn load(selection: &TrustSelection) -> Result<TrustMaterial, Failure> {
    match selection {
        TrustSelection::Embedded(instance) => parse(
            instance.embedded_json(),
            format!("embedded {}", instance.as_str()),
        ),
        TrustSelection::File(path) => {
            let json = std::fs::read_to_string(path).map_err(|e| {
                Failure::infra(format!(
                    "cannot read --trusted-root {}: {e}",
                    path.display()
                ))
            })?;
            parse(&json, format!("file {}", path.display()))
        }
        TrustSelection::Refresh { instance, timeout } => refresh(*instance, *timeout),
    }
}

/// Fetch the instance's current trusted root over TUF.
#[cfg(feature = "refresh")]
pub fn refresh(instance: Instance, timeout: Duration) -> Result<TrustMaterial, Failure> {
    use sigstore_trust_root::{TufBootstrap, TufConfig};

    let url = std::env::var(TUF_MIRROR_ENV)
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| instance.sigstore_instance().tuf_url().to_owned());
    let could_not = |why: String| {
        Failure::infra(format!(
            "could not refresh the {} trusted root over TUF from {url}: {why}; nothing was verified (run without --refresh to use the embedded root, or pass --trusted-root FILE)",
            instance.as_str()
        ))
    };
    // Per-request timeouts guard each connection; the outer timeout bounds
    // the whole TUF walk (root, timestamp, snapshot, targets, target).
    let client = reqwest::Client::builder()
        .connect_timeout(timeout)
        .timeout(timeout)
        .build()
        .map_err(|e| could_not(format!("cannot build the HTTP client: {e}")))?;
    let config = TufConfig::custom(
        url.clone(),
        TufBootstrap::trusted(instance.sigstore_instance().tuf_root()),
    )
    .without_cache()
    .with_http_client(client);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| could_not(format!("cannot start the async runtime: {e}")))?;
    let fetched = runtime
        .block_on(async { tokio::time::timeout(timeout, TrustedRoot::from_tuf(config)).await });
    let root = match fetched {
        Err(_) => {
            return Err(could_not(format!(
                "timed out after {}s (--timeout)",
                timeout.as_secs_f64()
            )));
        }
        Ok(Err(e)) => return Err(could_not(e.to_string())),
        Ok(Ok(root)) => root,
    };
    // Re-serialise for the transcript's digest: the bytes TUF verified are
    // not returned by the library, so the digest is of the parsed root.
    let json = serde_json::to_string(&root)
        .map_err(|e| could_not(format!("cannot serialise the fetched root: {e}")))?;
    Ok(TrustMaterial {
        root,
        summary: TrustSummary {
            source: format!("tuf {url} ({})", instance.as_str()),
            sha256: hex(&Sha256::digest(json.as_bytes())),
        },
    })
}

/// Without the `refresh` feature there is no network code at all: say so.
#[cfg(not(feature = "refresh"))]
pub fn refresh(instance: Instance, _timeout: Duration) -> Result<TrustMaterial, Failure> {
    Err(Failure::infra(format!(
        "could not refresh the {} trusted root: this build of {} has no TUF client (feature `refresh`); nothing was verified",
        instance.as_str(),
        crate::TOOL
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ci_intel_core::ExitCode;

    #[test]
    fn embedded_roots_parse_and_differ_in_what_they_trust() {
        let public = load(&TrustSelection::Embedded(Instance::PublicGood)).unwrap();
        assert!(public.has_tlogs() && public.has_ctlogs());
        assert_eq!(public.summary.source, "embedded public-good");
        let github = load(&TrustSelection::Embedded(Instance::Github)).unwrap();
        assert!(!github.has_tlogs() && !github.has_ctlogs());
        assert!(!github.root.timestamp_authorities.is_empty());
        assert_ne!(public.summary.sha256, github.summary.sha256);
    }

    #[test]
    fn unusable_roots_are_infrastructure_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.json");
        let err = load(&TrustSelection::File(missing)).unwrap_err();
        assert_eq!(err.code, ExitCode::Infra);
        assert!(err.message.contains("missing.json"), "{}", err.message);

        let empty = dir.path().join("empty.json");
        std::fs::write(
            &empty,
            r#"{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}"#,
        )
        .unwrap();
        let err = load(&TrustSelection::File(empty)).unwrap_err();
        assert_eq!(err.code, ExitCode::Infra);
        assert!(
            err.message.contains("nothing could be verified"),
            "{}",
            err.message
        );

        let junk = dir.path().join("junk.json");
        std::fs::write(&junk, "{").unwrap();
        let err = load(&TrustSelection::File(junk)).unwrap_err();
        assert!(err.message.contains("junk.json"), "{}", err.message);
    }
}
