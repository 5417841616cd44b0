//! The `vuln` gate of `ci-intel check`: the inputs named in the `vuln:`
//! section (SBOMs, scanner reports, KEV, EPSS, VEX; paths relative to the
//! repository root) judged as `ci-intel-vuln check` judges them. With
//! nothing configured the gate has nothing to check (the hub default,
//! `allow_empty: true`, makes that a skip).
//!
//! The verdict is the gate's own (see [`crate::check::verdict`]): a risky
//! unwaived finding denies whatever `fail_on` says, because `vuln.block_at`
//! already judged it.

use ci_intel_core::config::SectionSpec;
use ci_intel_core::gate::{Gate, GateConfig, GateContext, GateRun};
use ci_intel_core::{Failure, RuleMeta};

use crate::config::VulnConfig;

/// Where the section lives in `.ci-intel/config.yml`.
pub const SECTION: &str = "vuln";

/// The section, for tools that load the configuration themselves.
pub fn section() -> SectionSpec {
    SectionSpec::of::<VulnConfig>(SECTION)
}

/// The gate, as registered in the umbrella's list.
#[derive(Debug, Clone, Copy)]
pub struct VulnGate;

impl GateConfig for VulnConfig {
    fn enabled(&self) -> bool {
        self.enabled
    }
    fn allow_empty(&self) -> bool {
        self.allow_empty
    }
}

impl Gate for VulnGate {
    type Config = VulnConfig;

    fn id(&self) -> &'static str {
        "vuln"
    }

    fn section_key(&self) -> &'static str {
        SECTION
    }

    fn summary(&self) -> &'static str {
        "risky vulnerabilities (KEV, CVSS, EPSS) not waived by signed VEX, SBOM quality, licences (ci-intel-vuln)"
    }

    fn rules(&self) -> Vec<RuleMeta> {
        crate::rules::rule_metas()
    }

    fn run(&self, config: &VulnConfig, ctx: &GateContext<'_>) -> Result<GateRun, Failure> {
        if config.sboms.is_empty() && config.findings.is_empty() {
            return Ok(GateRun::nothing(
                "no SBOM or scanner report configured under vuln.sboms / vuln.findings",
            ));
        }
        let (inputs, missing) = crate::resolve::from_config(config, ctx.checkout)?;
        let root = ctx.checkout.root();
        let settings = crate::check::settings(config.clone(), root, ctx.now, ctx.core.fail_on)?;
        let mut evaluation = crate::check::evaluate(&inputs, &settings)?;
        evaluation.findings.extend(missing);
        let verdict = crate::check::verdict(&evaluation.findings, ctx.core.fail_on);
        Ok(GateRun {
            checked: evaluation.checked,
            inputs: evaluation.inputs,
            subjects: evaluation.subjects,
            counts: evaluation.counts,
            findings: evaluation.findings,
            nothing_to_check: None,
            verdict: Some(verdict),
        })
    }
}
