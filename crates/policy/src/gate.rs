//! The `policy` gate: `ci-intel check` audits the checkout's workflows,
//! actions and dependabot.yml with the `policy:` section.

use ci_intel_core::Failure;
use ci_intel_core::config::SectionSpec;
use ci_intel_core::gate::{Gate, GateConfig, GateContext, GateRun};

use crate::audit;
use crate::config::PolicyConfig;

/// Where the section lives in `.ci-intel/config.yml`.
pub const SECTION: &str = "policy";

/// The section, for tools that load the configuration themselves.
pub fn section() -> SectionSpec {
    SectionSpec::of::<PolicyConfig>(SECTION)
}

/// The gate, as registered in the umbrella's list.
#[derive(Debug, Clone, Copy)]
pub struct PolicyGate;

impl GateConfig for PolicyConfig {
    fn enabled(&self) -> bool {
        self.enabled
    }
    fn allow_empty(&self) -> bool {
        self.allow_empty
    }
}

impl Gate for PolicyGate {
    type Config = PolicyConfig;

    fn id(&self) -> &'static str {
        "policy"
    }

    fn section_key(&self) -> &'static str {
        SECTION
    }

    fn summary(&self) -> &'static str {
        "workflow, action and dependabot.yml rules (ci-intel-policy audit)"
    }

    fn rules(&self) -> Vec<ci_intel_core::RuleMeta> {
        audit::rule_metas()
    }

    fn run(&self, policy: &PolicyConfig, ctx: &GateContext<'_>) -> Result<GateRun, Failure> {
        let repository = ctx.env.var("GITHUB_REPOSITORY").map(str::to_owned);
        let opts = audit::Options::new(policy, policy.persona, repository, ctx.now.date_naive())?;
        let outcome = audit::audit_checkout(ctx.checkout, &opts)?;
        if outcome.files == 0 {
            return Ok(GateRun::nothing(
                "no workflow, action or dependabot.yml found",
            ));
        }
        let mut inputs = Vec::new();
        for target in audit::checkout_targets(ctx.checkout) {
            if opts.excluded(&target.display) {
                continue;
            }
            if let Some(file) = ctx.checkout.get(&target.display) {
                inputs.push(ctx.checkout.input(file)?);
            }
        }
        Ok(GateRun {
            checked: format!(
                "{} workflow/action/dependabot file(s), {} persona",
                outcome.files,
                policy.persona.as_str()
            ),
            inputs,
            findings: outcome.findings,
            ..GateRun::default()
        }
        .count("files", outcome.files)
        .count("excluded", outcome.excluded))
    }
}
