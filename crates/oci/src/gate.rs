//! The `oci` gate of `ci-intel check`: the OCI image layouts listed under
//! `oci.layouts` are checked offline, the same checks `ci-intel-oci
//! referrers` (and `parity`) make against a registry. The umbrella links
//! this crate without its `registry` feature: no network, no TLS. A
//! repository that lists no layout has nothing to check here, which the
//! hub default (`allow_empty: true`) records as a skip.

use ci_intel_core::config::SectionSpec;
use ci_intel_core::gate::{Gate, GateConfig, GateContext, GateRun, Input};
use ci_intel_core::{Failure, Finding, Location, RuleMeta, Severity, Verdict};

use crate::config::{LayoutEntry, OciConfig};
use crate::digest::Digest;
use crate::discover::{self, Options};
use crate::kinds::Kinds;
use crate::layout::Layout;
use crate::{parity, rules};

/// Where the section lives in `.ci-intel/config.yml`.
pub const SECTION: &str = "oci";

/// The section, for tools that load the configuration themselves.
pub fn section() -> SectionSpec {
    SectionSpec::of::<OciConfig>(SECTION)
}

/// The gate, as registered in the umbrella's list.
#[derive(Debug, Clone, Copy)]
pub struct OciGate;

impl GateConfig for OciConfig {
    fn enabled(&self) -> bool {
        self.enabled
    }
    fn allow_empty(&self) -> bool {
        self.allow_empty
    }
}

impl Gate for OciGate {
    type Config = OciConfig;

    fn id(&self) -> &'static str {
        "oci"
    }

    fn section_key(&self) -> &'static str {
        SECTION
    }

    fn summary(&self) -> &'static str {
        "SBOM/provenance referrers on the exact image digest, per platform, in OCI layouts (offline; ci-intel-oci for registries)"
    }

    fn rules(&self) -> Vec<RuleMeta> {
        rules::all()
    }

    fn run(&self, config: &OciConfig, ctx: &GateContext<'_>) -> Result<GateRun, Failure> {
        if config.layouts.is_empty() {
            return Ok(GateRun::nothing("no OCI layout listed under oci.layouts"));
        }
        let kinds = kinds_of(config)?;
        let root = ctx.checkout.root();
        let mut run = GateRun::default();
        let mut checked_targets = 0usize;
        for (n, entry) in config.layouts.iter().enumerate() {
            let key = format!("oci.layouts[{n}]");
            let location = Some(Location::file(".ci-intel/config.yml"));
            let dir = root.join(&entry.path);
            if !dir.join("index.json").is_file() {
                run.findings.push(
                    Finding::new(
                        rules::SUBJECT_MISSING,
                        Severity::High,
                        format!(
                            "{key}: `{}` is not an OCI image layout (no index.json): a listed image that is absent is not a pass",
                            entry.path
                        ),
                        location,
                        &entry.path,
                    )
                    .with_fix("write the layout before `ci-intel check` (e.g. `docker buildx build --output type=oci,dest=...,tar=false` or `skopeo copy ... oci:DIR:TAG`), or correct the path"),
                );
                continue;
            }
            let mut layout = Layout::open(&dir).map_err(|f| in_entry(&key, f))?;
            let index_bytes = std::fs::read(dir.join("index.json"))
                .map_err(|e| Failure::infra(format!("{key}: {e}")))?;
            run.inputs.push(Input {
                path: format!("{}/index.json", entry.path.trim_end_matches('/')),
                sha256: ci_intel_core::canonical::sha256_hex(&index_bytes),
            });
            let Some(subject) = resolve(&layout, entry) else {
                run.findings.push(Finding::new(
                    rules::SUBJECT_MISSING,
                    Severity::High,
                    format!(
                        "{key}: `{}` is neither a tag in {}/index.json nor a sha256 digest",
                        entry.image, entry.path
                    ),
                    location,
                    &format!("{} {}", entry.path, entry.image),
                ));
                continue;
            };
            let options = options_for(config, entry, kinds.clone(), location.clone(), root)?;
            let reference = format!("oci:{}@{subject}", entry.path);
            let report = discover::check(&mut layout, &reference, &subject, &options)
                .map_err(|f| in_entry(&key, f))?;
            checked_targets += report.targets.len();
            run.subjects.push(Input {
                path: format!("{}@{subject}", entry.path),
                sha256: subject.hex().to_owned(),
            });
            run.findings.extend(report.findings);
            if entry.parity {
                let parity = parity::parity(
                    &mut layout,
                    &reference,
                    &subject,
                    &kinds,
                    &config.parity.allow,
                    location.as_ref(),
                )
                .map_err(|f| in_entry(&key, f))?;
                run.findings.extend(parity.findings.into_iter().filter(|f| {
                    f.rule_id != rules::PARITY_SBOM_MISSING
                        || !options.require.iter().any(|k| k == "sbom")
                }));
            }
        }
        run.inputs.sort();
        run.inputs.dedup();
        run.checked = format!(
            "{} layout(s), {} digest(s) judged, {} finding(s)",
            config.layouts.len(),
            checked_targets,
            run.findings.len()
        );
        // A missing SBOM or a forged subject must not become a warning
        // because an org raised `fail_on`: high findings deny.
        if run.findings.iter().any(|f| f.severity >= Severity::High) {
            run.verdict = Some(Verdict::Deny);
        }
        Ok(run
            .count("layouts", config.layouts.len())
            .count("digests", checked_targets))
    }
}

/// Compile `oci.types` and check `oci.require` names known kinds.
pub fn kinds_of(config: &OciConfig) -> Result<Kinds, Failure> {
    let kinds = Kinds::new(&config.types).map_err(|e| Failure::usage(format!("oci.{e}")))?;
    for kind in &config.require {
        if !kinds.knows(kind) {
            return Err(Failure::usage(format!(
                "oci.require: `{kind}` is not a known kind; known: {} (add one under oci.types)",
                kinds.names().join(", ")
            )));
        }
    }
    Ok(kinds)
}

fn resolve(layout: &Layout, entry: &LayoutEntry) -> Option<Digest> {
    if entry.image.starts_with("sha256:") || entry.image.starts_with("sha512:") {
        return Digest::parse(&entry.image).ok();
    }
    layout.resolve_tag(&entry.image).map(|d| d.digest.clone())
}

fn options_for(
    config: &OciConfig,
    entry: &LayoutEntry,
    kinds: Kinds,
    location: Option<Location>,
    root: &std::path::Path,
) -> Result<Options, Failure> {
    let mut require = config.require.clone();
    for kind in entry.require.iter().flatten() {
        if !kinds.knows(kind) {
            return Err(Failure::usage(format!(
                "oci.layouts: require `{kind}` is not a known kind; known: {}",
                kinds.names().join(", ")
            )));
        }
        if !require.contains(kind) {
            require.push(kind.clone());
        }
    }
    let mut options = Options::new(require, kinds);
    options.per_platform = config.per_platform || entry.per_platform.unwrap_or(false);
    options.include_index = config.include_index;
    options.require_api = false;
    options.location = location;
    if config.verify.enabled {
        options.verify = Some(crate::verify_policy(&config.verify, root));
    }
    Ok(options)
}

fn in_entry(key: &str, failure: Failure) -> Failure {
    let Failure { code, message } = failure;
    Failure {
        code,
        message: format!("{key}: {message}"),
    }
}
