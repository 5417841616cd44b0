//! The `egress` gate: `ci-intel check` cannot install firewall rules on a
//! developer's machine, so it checks offline what `apply` and `smoke`
//! would be given: the `egress:` section's names, wildcards, ranges,
//! interface patterns and smoke targets ([`crate::rules`]). A repository
//! that configures nothing has nothing to check (a skip under the hub
//! default `allow_empty: true`).

use ci_intel_core::Failure;
use ci_intel_core::config::{REPO_CONFIG_PATH, SectionSpec};
use ci_intel_core::gate::{Gate, GateConfig, GateContext, GateRun};

use crate::config::EgressConfig;
use crate::rules;

/// Where the section lives in `.ci-intel/config.yml`.
pub const SECTION: &str = "egress";

/// The section, for tools that load the configuration themselves.
pub fn section() -> SectionSpec {
    SectionSpec::of::<EgressConfig>(SECTION)
}

/// The gate, as registered in the umbrella's list.
#[derive(Debug, Clone, Copy)]
pub struct EgressGate;

impl GateConfig for EgressConfig {
    fn enabled(&self) -> bool {
        self.enabled
    }
    fn allow_empty(&self) -> bool {
        self.allow_empty
    }
}

impl Gate for EgressGate {
    type Config = EgressConfig;

    fn id(&self) -> &'static str {
        "egress"
    }

    fn section_key(&self) -> &'static str {
        SECTION
    }

    fn summary(&self) -> &'static str {
        "the egress allowlist and smoke targets, offline (ci-intel-egress)"
    }

    fn rules(&self) -> Vec<ci_intel_core::RuleMeta> {
        rules::rule_metas()
    }

    fn run(&self, config: &EgressConfig, ctx: &GateContext<'_>) -> Result<GateRun, Failure> {
        if config.is_unconfigured() {
            return Ok(GateRun::nothing(
                "no egress allowlist or smoke target configured",
            ));
        }
        let file = [REPO_CONFIG_PATH, ".ci-intel/config.yaml"]
            .into_iter()
            .find_map(|path| ctx.checkout.get(path));
        let mut inputs = Vec::new();
        let mut text = None;
        if let Some(file) = file {
            inputs.push(ctx.checkout.input(file)?);
            let bytes = ctx.checkout.read(file)?;
            text = Some(String::from_utf8_lossy(&bytes).into_owned());
        }
        let rel = file.map_or(REPO_CONFIG_PATH, |f| f.relative.as_str());
        let rule_ctx = rules::Ctx {
            config,
            file: rel,
            text: text.as_deref(),
        };
        let findings = rules::check(&rule_ctx);
        Ok(GateRun {
            checked: format!(
                "{} name(s), {} range(s), {} built-in group(s) (list v{}), {} smoke target(s), mode {}",
                config.allow.len(),
                config.allow_cidrs.len(),
                config.builtin.len(),
                crate::builtin::VERSION,
                config.smoke.expect_allowed.len() + config.smoke.expect_denied.len(),
                config.mode.as_str()
            ),
            inputs,
            findings,
            ..GateRun::default()
        }
        .count("names", config.allow.len())
        .count("cidrs", config.allow_cidrs.len())
        .count("builtin_groups", config.builtin.len()))
    }
}
