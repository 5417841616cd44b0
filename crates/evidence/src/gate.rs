//! The `sarif` gate: `ci-intel check` validates
//! `.ci-intel/suppressions.yml` (section `sarif:`). An expired, ownerless,
//! unjustified, untargeted or too-long suppression is a finding; a
//! repository without the file has nothing to check (a skip by the hub
//! default `sarif.allow_empty: true`).

use ci_intel_core::gate::{Gate, GateConfig, GateContext, GateRun};
use ci_intel_core::{Failure, RuleMeta};

use crate::config::{SARIF_SECTION, SarifConfig};
use crate::suppressions;

/// The gate, as registered in the umbrella's list.
#[derive(Debug, Clone, Copy)]
pub struct SuppressionsGate;

impl GateConfig for SarifConfig {
    fn enabled(&self) -> bool {
        self.enabled
    }
    fn allow_empty(&self) -> bool {
        self.allow_empty
    }
}

impl Gate for SuppressionsGate {
    type Config = SarifConfig;

    fn id(&self) -> &'static str {
        "sarif"
    }

    fn section_key(&self) -> &'static str {
        SARIF_SECTION
    }

    fn summary(&self) -> &'static str {
        "SARIF suppressions: owner, justification, expiry within sarif.max_suppression_days"
    }

    fn rules(&self) -> Vec<RuleMeta> {
        suppressions::rules::all()
            .into_iter()
            .filter(|r| r.id != suppressions::rules::suppression_unused::RULE.id)
            .collect()
    }

    fn run(&self, config: &SarifConfig, ctx: &GateContext<'_>) -> Result<GateRun, Failure> {
        let relative = config.suppressions.trim_start_matches("./");
        let Some(file) = ctx.checkout.get(relative) else {
            return Ok(GateRun::nothing(format!("no {relative}")));
        };
        let bytes = ctx.checkout.read(file)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| Failure::usage(format!("{relative}: not UTF-8 text")))?;
        let parsed = suppressions::parse(
            text,
            relative,
            ctx.now.date_naive(),
            config.max_suppression_days,
        )?;
        let valid = parsed.entries.iter().filter(|e| e.valid).count();
        Ok(GateRun {
            checked: format!(
                "{} suppression(s) in {relative}, {valid} valid",
                parsed.entries.len()
            ),
            inputs: vec![ctx.checkout.input(file)?],
            findings: parsed.findings,
            ..GateRun::default()
        }
        .count("suppressions", parsed.entries.len())
        .count("valid", valid))
    }
}
