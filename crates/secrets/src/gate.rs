//! The `secrets` gate: `ci-intel check` scans the checkout for committed
//! secrets with the `secrets:` section.

use ci_intel_core::Failure;
use ci_intel_core::config::SectionSpec;
use ci_intel_core::gate::{Gate, GateConfig, GateContext, GateRun};

use crate::config::SecretsConfig;
use crate::scan::{self, ScanOptions};

/// Where the section lives in `.ci-intel/config.yml`.
pub const SECTION: &str = "secrets";

/// The section, for tools that load the configuration themselves.
pub fn section() -> SectionSpec {
    SectionSpec::of::<SecretsConfig>(SECTION)
}

/// The gate, as registered in the umbrella's list.
#[derive(Debug, Clone, Copy)]
pub struct SecretsGate;

impl GateConfig for SecretsConfig {
    fn enabled(&self) -> bool {
        self.enabled
    }
    fn allow_empty(&self) -> bool {
        self.allow_empty
    }
}

impl Gate for SecretsGate {
    type Config = SecretsConfig;

    fn id(&self) -> &'static str {
        "secrets"
    }

    fn section_key(&self) -> &'static str {
        SECTION
    }

    fn summary(&self) -> &'static str {
        "committed secrets in the checkout (ci-intel-secrets scan)"
    }

    fn rules(&self) -> Vec<ci_intel_core::RuleMeta> {
        scan::rule_metas()
    }

    fn run(&self, secrets: &SecretsConfig, ctx: &GateContext<'_>) -> Result<GateRun, Failure> {
        let root = ctx.checkout.root();
        let baseline = scan::baseline::Baseline::load(&root.join(&secrets.baseline), false)?;
        let opts = ScanOptions::new(secrets, baseline, ctx.now.date_naive())?;
        let report = scan::scan_checkout(ctx.checkout, &opts)?;
        if report.is_empty() {
            return Ok(GateRun::nothing("no file to scan"));
        }
        let summary = &report.summary;
        // The evidence names every file whose content was searched; skipped
        // files are counted, not listed.
        let skipped: std::collections::BTreeSet<&str> =
            report.skipped.iter().map(|s| s.file.as_str()).collect();
        let mut inputs = Vec::new();
        for file in ctx.checkout.files() {
            if !skipped.contains(file.relative.as_str()) {
                inputs.push(ctx.checkout.input(file)?);
            }
        }
        Ok(GateRun {
            checked: format!(
                "{} file(s) scanned, {} skipped (binary {}, oversized {}, excluded {}), {} baselined",
                summary.files_scanned,
                summary.skipped_binary + summary.skipped_oversized + summary.excluded,
                summary.skipped_binary,
                summary.skipped_oversized,
                summary.excluded,
                summary.baselined
            ),
            inputs,
            findings: report.report().findings,
            ..GateRun::default()
        }
        .count("files_scanned", summary.files_scanned)
        .count("skipped_binary", summary.skipped_binary)
        .count("skipped_oversized", summary.skipped_oversized)
        .count("excluded", summary.excluded)
        .count("baselined", summary.baselined))
    }
}
