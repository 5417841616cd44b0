//! The `cache` gate of `ci-intel check`: every signed tree listed under
//! `cache.entries` must verify (signature, then every file). Nothing
//! configured is a skip by default (`allow_empty: true`): the gate's main
//! use is the `cache-sentinel` action, which runs `ci-intel-cache verify`
//! after each restore. The verdict is the verifier's, never `fail_on`.

use std::path::PathBuf;

use ci_intel_core::config::SectionSpec;
use ci_intel_core::gate::{Gate, GateConfig, GateContext, GateRun, Input};
use ci_intel_core::{Failure, Finding, Location, RuleMeta, Severity, Verdict};

use crate::config::CacheConfig;
use crate::domain::Domain;
use crate::verify::{Reason, Trust, VerifyRequest, verify_restore};

/// Where the section lives in `.ci-intel/config.yml`.
pub const SECTION: &str = "cache";

/// The section, for tools that load the configuration themselves.
pub fn section() -> SectionSpec {
    SectionSpec::of::<CacheConfig>(SECTION)
}

/// The gate, as registered in the umbrella's list.
#[derive(Debug, Clone, Copy)]
pub struct CacheGate;

impl GateConfig for CacheConfig {
    fn enabled(&self) -> bool {
        self.enabled
    }
    fn allow_empty(&self) -> bool {
        self.allow_empty
    }
}

/// Every rule the gate can report.
pub fn rules() -> Vec<RuleMeta> {
    Reason::RULES
        .iter()
        .map(|(reason, title)| RuleMeta {
            id: reason.rule(),
            title,
            default_severity: Severity::High,
            help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/cache.md#rules"),
        })
        .collect()
}

impl Gate for CacheGate {
    type Config = CacheConfig;

    fn id(&self) -> &'static str {
        "cache"
    }

    fn section_key(&self) -> &'static str {
        SECTION
    }

    fn summary(&self) -> &'static str {
        "signed BLAKE3 manifests of configured trees verify, file by file (ci-intel-cache)"
    }

    fn rules(&self) -> Vec<RuleMeta> {
        rules()
    }

    fn run(&self, config: &CacheConfig, ctx: &GateContext<'_>) -> Result<GateRun, Failure> {
        if config.entries.is_empty() {
            return Ok(GateRun::nothing(
                "no signed tree configured under cache.entries",
            ));
        }
        let root = ctx.checkout.root();
        let mut findings = Vec::new();
        let mut inputs = Vec::new();
        let mut files = 0u64;
        for (index, entry) in config.entries.iter().enumerate() {
            let key = format!("cache.entries[{index}]");
            if entry.paths.is_empty()
                || entry.manifest.is_empty()
                || entry.signature.is_empty()
                || entry.pubkey.is_empty()
            {
                return Err(Failure::usage(format!(
                    "{key}: `paths`, `manifest`, `signature` and `pubkey` are all required"
                )));
            }
            for file in [&entry.manifest, &entry.signature, &entry.pubkey] {
                if let Ok(bytes) = std::fs::read(root.join(file)) {
                    inputs.push(Input {
                        path: file.clone(),
                        sha256: ci_intel_core::canonical::sha256_hex(&bytes),
                    });
                }
            }
            // The manifest records the paths as given when it was written:
            // relative to the repository root, so verify from there.
            let request = VerifyRequest {
                paths: entry.paths.iter().map(PathBuf::from).collect(),
                base: Some(root.to_path_buf()),
                manifest: root.join(&entry.manifest),
                signature: root.join(&entry.signature),
                trust: Trust::PublicKey(root.join(&entry.pubkey)),
                expected_key: None,
                // A checkout is not a cache: no domain applies.
                job_domain: Domain::Untrusted,
                options: ci_intel_manifest::Options {
                    allow_external_symlinks: config.allow_external_symlinks,
                    ..ci_intel_manifest::Options::default()
                },
            };
            let verification = verify_restore(&request).map_err(|f| Failure {
                code: f.code,
                message: format!("{key}: {}", f.message),
            })?;
            files += verification.files;
            if !verification.passed() {
                findings.push(
                    Finding::new(
                        verification.reason.rule(),
                        Severity::High,
                        format!("{key}: {}", verification.message),
                        Some(Location::file(entry.manifest.clone())),
                        &entry.manifest,
                    )
                    .with_fix("rebuild the tree and write and sign a new manifest (ci-intel-cache manifest, sign), or find out who changed it"),
                );
            }
        }
        let verdict = if findings.is_empty() {
            Verdict::Allow
        } else {
            Verdict::Deny
        };
        inputs.sort();
        inputs.dedup();
        Ok(GateRun {
            checked: format!(
                "{} signed tree(s), {} file(s), {} refused",
                config.entries.len(),
                files,
                findings.len()
            ),
            inputs,
            findings,
            verdict: Some(verdict),
            ..GateRun::default()
        }
        .count("files", usize::try_from(files).unwrap_or(usize::MAX)))
    }
}
