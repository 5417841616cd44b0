//! The `repro` gate of `ci-intel check`: every pair of outputs listed under
//! `repro.pairs` must be identical. Nothing configured is a skip by default
//! (`allow_empty: true`); the double build itself runs in the `repro`
//! action and workflow (`ci-intel-repro run`).

use ci_intel_core::config::SectionSpec;
use ci_intel_core::gate::{Gate, GateConfig, GateContext, GateRun, Input};
use ci_intel_core::{Failure, Finding, Location, RuleMeta, Severity, Verdict};

use crate::compare::{CompareOptions, compare};
use crate::config::ReproConfig;

pub const SECTION: &str = "repro";
/// The rule of a differing output.
pub const NOT_REPRODUCIBLE: &str = "repro-output-differs";

pub fn section() -> SectionSpec {
    SectionSpec::of::<ReproConfig>(SECTION)
}

#[derive(Debug, Clone, Copy)]
pub struct ReproGate;

impl GateConfig for ReproConfig {
    fn enabled(&self) -> bool {
        self.enabled
    }
    fn allow_empty(&self) -> bool {
        self.allow_empty
    }
}

pub fn rules() -> Vec<RuleMeta> {
    vec![RuleMeta {
        id: NOT_REPRODUCIBLE,
        title: "Two builds of the same source produced different outputs",
        default_severity: Severity::High,
        help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/repro.md#rules"),
    }]
}

impl Gate for ReproGate {
    type Config = ReproConfig;

    fn id(&self) -> &'static str {
        "repro"
    }

    fn section_key(&self) -> &'static str {
        SECTION
    }

    fn summary(&self) -> &'static str {
        "outputs of two builds are byte-identical, with a format-aware diff (ci-intel-repro)"
    }

    fn rules(&self) -> Vec<RuleMeta> {
        rules()
    }

    fn run(&self, config: &ReproConfig, ctx: &GateContext<'_>) -> Result<GateRun, Failure> {
        if config.pairs.is_empty() {
            return Ok(GateRun::nothing(
                "no output pair configured under repro.pairs",
            ));
        }
        let root = ctx.checkout.root();
        let options = CompareOptions {
            modes: config.modes,
            diffoscope: None,
            ..CompareOptions::default()
        };
        let mut findings = Vec::new();
        let mut subjects = Vec::new();
        let mut files = 0u64;
        for (index, pair) in config.pairs.iter().enumerate() {
            let key = format!("repro.pairs[{index}]");
            if pair.a.is_empty() || pair.b.is_empty() {
                return Err(Failure::usage(format!(
                    "{key}: `a` and `b` are both required"
                )));
            }
            let report =
                compare(&root.join(&pair.a), &root.join(&pair.b), &options).map_err(|f| {
                    Failure {
                        code: f.code,
                        message: format!("{key}: {}", f.message),
                    }
                })?;
            files += report.files;
            subjects.push(Input {
                path: pair.a.clone(),
                sha256: report.root_digest_a.clone(),
            });
            for difference in &report.differences {
                let what: Vec<String> = difference
                    .details
                    .iter()
                    .take(3)
                    .map(|d| {
                        if d.location.is_empty() {
                            d.what.clone()
                        } else {
                            format!("{}: {}", d.location, d.what)
                        }
                    })
                    .collect();
                findings.push(
                    Finding::new(
                        NOT_REPRODUCIBLE,
                        Severity::High,
                        format!(
                            "{key}: `{}` differs between {} and {} ({}{})",
                            difference.path,
                            pair.a,
                            pair.b,
                            difference.change.as_str(),
                            if what.is_empty() { String::new() } else { format!("; {}", what.join("; ")) }
                        ),
                        Some(Location::file(format!("{}/{}", pair.b, difference.path))),
                        &difference.path,
                    )
                    .with_fix("run `ci-intel-repro compare A B` for the full report; remove the embedded time, path or ordering from the build"),
                );
            }
        }
        let verdict = if findings.is_empty() {
            Verdict::Allow
        } else {
            Verdict::Deny
        };
        Ok(GateRun {
            checked: format!(
                "{} output pair(s), {} file(s), {} difference(s)",
                config.pairs.len(),
                files,
                findings.len()
            ),
            subjects,
            findings,
            verdict: Some(verdict),
            ..GateRun::default()
        }
        .count("files", usize::try_from(files).unwrap_or(usize::MAX)))
    }
}
