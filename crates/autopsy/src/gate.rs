//! The `autopsy` gate: what `ci-intel check` can judge about autopsy in a
//! checkout is the repository's own rules (`.ci-intel/autopsy/*.toml`).
//! Logs only exist in a failed run, so classifying them is not a gate; a
//! broken rule file, though, would silently stop explaining failures the
//! day they happen. The gate loads the rules exactly as `classify` does
//! and reports:
//!
//! - `autopsy-rule-invalid` (high): a file that does not parse, or a rule
//!   whose pattern does not compile, whose priority, severity, keywords,
//!   captures, templates, location or docs link are wrong, whose `examples`
//!   do not behave, that shadows a built-in rule without `override = true`,
//!   or that disables a rule that does not exist;
//! - `autopsy-rule-untested` (low; high with `require_examples`): a rule
//!   without `examples` it fires on and does not fire on.
//!
//! No rule files: nothing to check, a skip under the hub default
//! (`allow_empty: true`), so repositories that only use the built-in rules
//! keep passing.

use ci_intel_core::config::SectionSpec;
use ci_intel_core::gate::{Gate, GateConfig, GateContext, GateRun};
use ci_intel_core::{Failure, Finding, Location, RuleMeta, Severity};

use crate::config::AutopsyConfig;
use crate::rules::{self, Entry, RuleError};

/// Where the section lives in `.ci-intel/config.yml`.
pub const SECTION: &str = "autopsy";

pub const RULE_INVALID: &str = "autopsy-rule-invalid";
pub const RULE_UNTESTED: &str = "autopsy-rule-untested";

/// The section, for tools that load the configuration themselves.
pub fn section() -> SectionSpec {
    SectionSpec::of::<AutopsyConfig>(SECTION)
}

/// The gate, as registered in the umbrella's list.
#[derive(Debug, Clone, Copy)]
pub struct AutopsyGate;

impl GateConfig for AutopsyConfig {
    fn enabled(&self) -> bool {
        self.enabled
    }
    fn allow_empty(&self) -> bool {
        self.allow_empty
    }
}

/// The gate's rules.
pub fn rule_metas() -> Vec<RuleMeta> {
    vec![
        RuleMeta {
            id: RULE_INVALID,
            title: "An autopsy rule file is invalid (it would not load when a run fails)",
            default_severity: Severity::High,
            help_uri: Some(
                "https://github.com/ci-intel/ci-intel/blob/main/docs/autopsy.md#rule-format",
            ),
        },
        RuleMeta {
            id: RULE_UNTESTED,
            title: "An autopsy rule has no examples it must and must not fire on",
            default_severity: Severity::Low,
            help_uri: Some(
                "https://github.com/ci-intel/ci-intel/blob/main/docs/autopsy.md#rule-format",
            ),
        },
    ]
}

/// Check rule files (path, text) as `classify` would load them.
pub fn check_files(
    config: &AutopsyConfig,
    files: &[(String, String)],
) -> Result<Vec<Finding>, Failure> {
    let builtin = rules::builtin().map_err(|errors| {
        Failure::infra(format!(
            "the built-in rule pack does not load (a bug): {}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ))
    })?;
    let mut findings = Vec::new();
    if let Err(errors) = rules::merge(builtin, files, &config.disabled_rules) {
        findings.extend(errors.iter().map(invalid));
    }
    let untested_severity = if config.require_examples {
        Severity::High
    } else {
        Severity::Low
    };
    for (file, text) in files {
        let Ok(entries) = rules::parse_file(file, text, false) else {
            continue;
        };
        for entry in entries {
            if let Entry::Rule { rule, .. } = entry
                && (rule.examples.fires.is_empty() || rule.examples.quiet.is_empty())
            {
                let line = match &rule.origin {
                    rules::Origin::File(_, line) => *line as u32,
                    rules::Origin::Builtin(_) => 1,
                };
                findings.push(
                    Finding::new(
                        RULE_UNTESTED,
                        untested_severity,
                        format!(
                            "rule `{}` has no `examples` {}: nothing shows it fires on the failure it is for, or stays quiet on a near miss",
                            rule.id,
                            if rule.examples.fires.is_empty() { "it fires on" } else { "it stays quiet on" }
                        ),
                        Some(Location::at(file.clone(), line, None)),
                        &rule.id,
                    )
                    .with_fix("add `examples = { fires = [\"<a log line>\"], quiet = [\"<a near miss>\"] }` to the rule; the gate checks them"),
                );
            }
        }
    }
    Ok(findings)
}

fn invalid(error: &RuleError) -> Finding {
    let location = match error.line {
        Some(line) => Location::at(error.file.clone(), line as u32, None),
        None => Location::file(error.file.clone()),
    };
    let subject = format!("{}:{}", error.rule.as_deref().unwrap_or(""), error.message);
    let message = match &error.rule {
        Some(rule) => format!("rule `{rule}`: {}", error.message),
        None => error.message.clone(),
    };
    Finding::new(RULE_INVALID, Severity::High, message, Some(location), &subject)
        .with_fix("fix the rule file (docs/autopsy.md, \"Rule format\"); `ci-intel-autopsy rules --check` shows every problem")
}

impl Gate for AutopsyGate {
    type Config = AutopsyConfig;

    fn id(&self) -> &'static str {
        "autopsy"
    }

    fn section_key(&self) -> &'static str {
        SECTION
    }

    fn summary(&self) -> &'static str {
        "the repository's own CI log autopsy rules load and behave (ci-intel-autopsy)"
    }

    fn rules(&self) -> Vec<RuleMeta> {
        rule_metas()
    }

    fn run(&self, config: &AutopsyConfig, ctx: &GateContext<'_>) -> Result<GateRun, Failure> {
        let dir = format!("{}/", config.rules_dir.trim_matches('/'));
        let mut files = Vec::new();
        let mut inputs = Vec::new();
        for file in ctx.checkout.files() {
            let Some(rest) = file.relative.strip_prefix(&dir) else {
                continue;
            };
            if rest.contains('/') || !rest.ends_with(".toml") {
                continue;
            }
            let bytes = ctx.checkout.read(file)?;
            inputs.push(ctx.checkout.input(file)?);
            let text = String::from_utf8_lossy(&bytes).into_owned();
            files.push((file.relative.clone(), text));
        }
        if files.is_empty() {
            return Ok(GateRun::nothing(format!(
                "no repository autopsy rules in {}",
                config.rules_dir
            )));
        }
        let findings = check_files(config, &files)?;
        Ok(GateRun {
            checked: format!("{} rule file(s) in {}", files.len(), config.rules_dir),
            inputs,
            findings,
            ..GateRun::default()
        }
        .count("rule_files", files.len()))
    }
}
