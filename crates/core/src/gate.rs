//! The gate contract: what every tool that decides something declares, and
//! the one policy that turns what it found into a decision.
//!
//! A gate is declared by its own crate ([`Gate`]): an id, a configuration
//! section it owns (a type with defaults, doc comments and lock
//! directions), and a run over the shared [`Checkout`] that returns what it
//! looked at ([`GateRun`]: inputs with their sha256, counts, findings, and
//! whether there was nothing to check). The rules that are the same for
//! every gate live here, once, in [`evaluate`]:
//!
//! - disabled is `skip`;
//! - nothing to check is a denial unless the section's `allow_empty`;
//! - findings are judged against `fail_on`, unless the gate is a verifier
//!   that gives its own verdict (a failed signature must never become a
//!   warning because an org raised `fail_on`);
//! - errors keep their exit code;
//! - a skipped gate is recorded as `warn`, never `allow`.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime};

use serde::{Deserialize, Serialize};

use crate::checkout::Checkout;
use crate::config::{Config, LoadedConfig, Section, SectionSpec};
use crate::pipeline_run::PolicyDecision;
use crate::runner::RunnerEnv;
use crate::{ExitCode, Failure, Finding, RuleMeta, Severity, Verdict};

/// What every gate's configuration section has: an on/off switch and
/// whether finding nothing to check is acceptable.
pub trait GateConfig: Section {
    /// Run this gate.
    fn enabled(&self) -> bool;
    /// Pass (as a skip) when there is nothing to check.
    fn allow_empty(&self) -> bool;
}

/// A gate, as its crate declares it.
pub trait Gate: Sync {
    /// The section type the gate owns.
    type Config: GateConfig;
    /// The gate's id (`policy`, `secrets`, `hub_pins`...).
    fn id(&self) -> &'static str;
    /// Where its section lives in `.ci-intel/config.yml` (`policy`,
    /// `gates.telemetry`).
    fn section_key(&self) -> &'static str;
    /// One line for `ci-intel check --list`.
    fn summary(&self) -> &'static str;
    /// Every rule the gate can report (SARIF `tool.driver.rules`).
    fn rules(&self) -> Vec<RuleMeta>;
    /// Look at the checkout and report. Errors carry their exit code.
    fn run(&self, config: &Self::Config, ctx: &GateContext<'_>) -> Result<GateRun, Failure>;
}

/// What a gate run may use.
#[derive(Debug)]
pub struct GateContext<'a> {
    /// The checkout, walked once for every gate.
    pub checkout: &'a Checkout,
    /// Core's settings: `fail_on`, `hub`.
    pub core: &'a Config,
    /// The environment (`GITHUB_REPOSITORY`, ...).
    pub env: &'a RunnerEnv,
    /// The time the run started; gates judge expiry dates against it.
    pub now: chrono::DateTime<chrono::Utc>,
}

/// An input a gate read or an artifact it judged, with its sha256.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Input {
    /// A path relative to the checkout root, or a name (`sha256:...` for an
    /// artifact known only by digest).
    pub path: String,
    /// Lower-case hex sha256 of the bytes.
    pub sha256: String,
}

/// What one gate run looked at and found.
#[derive(Debug, Clone, Default)]
pub struct GateRun {
    /// What was checked, in words, for the summary table.
    pub checked: String,
    /// Every file the decision rests on, with its sha256.
    pub inputs: Vec<Input>,
    /// Artifacts the gate judged (besides the commit): the subjects of its
    /// evidence statement.
    pub subjects: Vec<Input>,
    /// Counts worth keeping (`files`, `records`, `verified`...).
    pub counts: BTreeMap<String, u64>,
    pub findings: Vec<Finding>,
    /// `Some(what)` when there was nothing to check: the shared policy
    /// decides whether that is a skip or a denial.
    pub nothing_to_check: Option<String>,
    /// The gate's own verdict, for verifiers whose result must not be
    /// weighed against `fail_on`. `None`: judge the findings.
    pub verdict: Option<Verdict>,
}

impl GateRun {
    /// A run that found nothing to check.
    pub fn nothing(what: impl Into<String>) -> GateRun {
        GateRun {
            nothing_to_check: Some(what.into()),
            ..GateRun::default()
        }
    }

    pub fn count(mut self, name: &str, value: usize) -> GateRun {
        self.counts.insert(name.to_owned(), value as u64);
        self
    }
}

/// What one gate decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateStatus {
    Pass,
    Warn,
    Deny,
    /// Disabled, or nothing to check and the configuration allows that.
    Skip,
    Error(ExitCode),
}

impl GateStatus {
    pub fn label(self) -> &'static str {
        match self {
            GateStatus::Pass => "pass",
            GateStatus::Warn => "warn",
            GateStatus::Deny => "deny",
            GateStatus::Skip => "skip",
            GateStatus::Error(code) => code.label(),
        }
    }

    pub fn exit_code(self) -> ExitCode {
        match self {
            GateStatus::Pass | GateStatus::Warn | GateStatus::Skip => ExitCode::Pass,
            GateStatus::Deny => ExitCode::Deny,
            GateStatus::Error(code) => code,
        }
    }

    /// The verdict recorded as evidence. A skip is `warn`, never `allow`:
    /// evidence must not read "allowed" for a gate that looked at nothing.
    pub fn verdict(self) -> Verdict {
        match self {
            GateStatus::Pass => Verdict::Allow,
            GateStatus::Warn | GateStatus::Skip => Verdict::Warn,
            GateStatus::Deny | GateStatus::Error(_) => Verdict::Deny,
        }
    }
}

/// One gate's decision with everything the evidence needs.
#[derive(Debug, Clone)]
pub struct GateResult {
    pub id: &'static str,
    pub status: GateStatus,
    pub findings: Vec<Finding>,
    /// What the gate looked at, or why it did not, in words.
    pub checked: String,
    pub time_ns: u64,
    /// The configuration section it read (`policy`); empty for `config`.
    pub section_key: &'static str,
    pub inputs: Vec<Input>,
    pub subjects: Vec<Input>,
    pub counts: BTreeMap<String, u64>,
    pub started: SystemTime,
    pub finished: SystemTime,
}

impl GateResult {
    /// A result that carries no evidence beyond its status (the `config`
    /// pseudo-gate, a skip, an error).
    pub fn bare(
        id: &'static str,
        section_key: &'static str,
        status: GateStatus,
        checked: impl Into<String>,
        started: (SystemTime, Instant),
    ) -> GateResult {
        GateResult {
            id,
            status,
            findings: Vec::new(),
            checked: checked.into(),
            time_ns: elapsed(started.1),
            section_key,
            inputs: Vec::new(),
            subjects: Vec::new(),
            counts: BTreeMap::new(),
            started: started.0,
            finished: SystemTime::now(),
        }
    }

    /// The gate's `policies[]` entry.
    pub fn decision(&self) -> PolicyDecision {
        PolicyDecision {
            id: format!("ci-intel/{}", self.id),
            result: self.status.verdict(),
            reason: Some(self.reason()),
            docs_uri: None,
            time_ns: Some(self.time_ns),
        }
    }

    /// `status: what was checked`.
    pub fn reason(&self) -> String {
        format!("{}: {}", self.status.label(), self.checked)
    }

    /// Findings per severity.
    pub fn counts_by_severity(&self) -> BTreeMap<&'static str, u64> {
        let mut counts: BTreeMap<&'static str, u64> =
            Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        for finding in &self.findings {
            *counts.entry(finding.severity.as_str()).or_default() += 1;
        }
        counts
    }
}

/// A gate with its section type erased, so one list can hold every gate.
pub trait DynGate: Sync {
    fn id(&self) -> &'static str;
    fn summary(&self) -> &'static str;
    fn section(&self) -> SectionSpec;
    fn rules(&self) -> Vec<RuleMeta>;
    /// Whether the effective configuration enables the gate (`None` when its
    /// section does not load).
    fn enabled(&self, loaded: &LoadedConfig) -> Option<bool>;
    /// Run the gate under the shared policy.
    fn evaluate(&self, loaded: &LoadedConfig, ctx: &GateContext<'_>) -> GateResult;
}

impl<G: Gate> DynGate for G {
    fn id(&self) -> &'static str {
        Gate::id(self)
    }

    fn summary(&self) -> &'static str {
        Gate::summary(self)
    }

    fn section(&self) -> SectionSpec {
        SectionSpec::of::<G::Config>(self.section_key())
    }

    fn rules(&self) -> Vec<RuleMeta> {
        Gate::rules(self)
    }

    fn enabled(&self, loaded: &LoadedConfig) -> Option<bool> {
        loaded
            .section::<G::Config>(self.section_key())
            .ok()
            .map(|c| c.enabled())
    }

    fn evaluate(&self, loaded: &LoadedConfig, ctx: &GateContext<'_>) -> GateResult {
        evaluate(self, loaded, ctx)
    }
}

/// Run `gate` and decide, under the rules every gate shares.
pub fn evaluate<G: Gate + ?Sized>(
    gate: &G,
    loaded: &LoadedConfig,
    ctx: &GateContext<'_>,
) -> GateResult {
    let started = (SystemTime::now(), Instant::now());
    let id = gate.id();
    let key = gate.section_key();
    let config: G::Config = match loaded.section(key) {
        Ok(config) => config,
        Err(failure) => {
            return GateResult::bare(
                id,
                key,
                GateStatus::Error(failure.code),
                failure.message,
                started,
            );
        }
    };
    if !config.enabled() {
        return GateResult::bare(
            id,
            key,
            GateStatus::Skip,
            format!("disabled by {key}.enabled"),
            started,
        );
    }
    let run = match gate.run(&config, ctx) {
        Ok(run) => run,
        Err(failure) => {
            return GateResult::bare(
                id,
                key,
                GateStatus::Error(failure.code),
                failure.message,
                started,
            );
        }
    };
    let (status, checked) = match &run.nothing_to_check {
        Some(what) if config.allow_empty() => (
            GateStatus::Skip,
            format!("{what} ({key}.allow_empty: true)"),
        ),
        Some(what) => (
            GateStatus::Deny,
            format!("{what}; an empty input is not a pass ({key}.allow_empty: false)"),
        ),
        None => {
            let verdict = run
                .verdict
                .unwrap_or_else(|| Verdict::from_findings(&run.findings, ctx.core.fail_on));
            let status = match verdict {
                Verdict::Allow => GateStatus::Pass,
                Verdict::Warn => GateStatus::Warn,
                Verdict::Deny => GateStatus::Deny,
            };
            (status, run.checked.clone())
        }
    };
    GateResult {
        id,
        status,
        findings: run.findings,
        checked,
        time_ns: elapsed(started.1),
        section_key: key,
        inputs: run.inputs,
        subjects: run.subjects,
        counts: run.counts,
        started: started.0,
        finished: SystemTime::now(),
    }
}

fn elapsed(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Sections, load_from_texts};
    use schemars::JsonSchema;
    use std::path::Path;

    #[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
    #[serde(default, deny_unknown_fields)]
    struct DemoConfig {
        #[schemars(extend("x-ci-intel-tighten" = "true"))]
        enabled: bool,
        #[schemars(extend("x-ci-intel-tighten" = "false"))]
        allow_empty: bool,
        /// What the fake run returns.
        mode: String,
    }

    impl Default for DemoConfig {
        fn default() -> Self {
            DemoConfig {
                enabled: true,
                allow_empty: false,
                mode: "clean".to_owned(),
            }
        }
    }

    impl GateConfig for DemoConfig {
        fn enabled(&self) -> bool {
            self.enabled
        }
        fn allow_empty(&self) -> bool {
            self.allow_empty
        }
    }

    struct Demo;

    impl Gate for Demo {
        type Config = DemoConfig;
        fn id(&self) -> &'static str {
            "demo"
        }
        fn section_key(&self) -> &'static str {
            "demo"
        }
        fn summary(&self) -> &'static str {
            "a gate for tests"
        }
        fn rules(&self) -> Vec<RuleMeta> {
            Vec::new()
        }
        fn run(&self, config: &DemoConfig, _: &GateContext<'_>) -> Result<GateRun, Failure> {
            let finding = |severity| Finding::new("demo-rule", severity, "m", None, "s");
            Ok(match config.mode.as_str() {
                "clean" => GateRun {
                    checked: "1 file".into(),
                    ..GateRun::default()
                },
                "empty" => GateRun::nothing("no file"),
                "medium" => GateRun {
                    findings: vec![finding(Severity::Medium)],
                    ..GateRun::default()
                },
                "high" => GateRun {
                    findings: vec![finding(Severity::High)],
                    ..GateRun::default()
                },
                "verifier-deny" => GateRun {
                    findings: vec![finding(Severity::Low)],
                    verdict: Some(Verdict::Deny),
                    ..GateRun::default()
                },
                "infra" => return Err(Failure::infra("registry down")),
                _ => return Err(Failure::usage("bad mode")),
            })
        }
    }

    fn decide(config: &str) -> GateResult {
        let sections = Sections::complete([DynGate::section(&Demo)]);
        let loaded = load_from_texts(None, Some((Path::new("c.yml"), config)), &sections).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let checkout = Checkout::open(dir.path()).unwrap();
        let env = RunnerEnv::default();
        let ctx = GateContext {
            checkout: &checkout,
            core: &loaded.config,
            env: &env,
            now: chrono::Utc::now(),
        };
        DynGate::evaluate(&Demo, &loaded, &ctx)
    }

    #[test]
    fn the_shared_policy_decides_the_same_way_for_every_gate() {
        assert_eq!(decide("").status, GateStatus::Pass);
        assert_eq!(decide("").decision().result, Verdict::Allow);
        // Disabled: a skip, recorded as warn.
        let skipped = decide("demo: {enabled: false}\n");
        assert_eq!(skipped.status, GateStatus::Skip);
        assert!(skipped.checked.contains("disabled by demo.enabled"));
        assert_eq!(skipped.decision().result, Verdict::Warn);
        // Nothing to check denies unless allowed.
        let empty = decide("demo: {mode: empty}\n");
        assert_eq!(empty.status, GateStatus::Deny);
        assert!(
            empty
                .checked
                .contains("an empty input is not a pass (demo.allow_empty: false)")
        );
        let allowed = decide("demo: {mode: empty, allow_empty: true}\n");
        assert_eq!(allowed.status, GateStatus::Skip);
        assert_eq!(allowed.decision().result, Verdict::Warn);
        // Findings against fail_on.
        assert_eq!(decide("demo: {mode: medium}\n").status, GateStatus::Warn);
        assert_eq!(
            decide("fail_on: medium\ndemo: {mode: medium}\n").status,
            GateStatus::Deny
        );
        assert_eq!(decide("demo: {mode: high}\n").status, GateStatus::Deny);
        // A verifier's own verdict is not softened by fail_on.
        assert_eq!(
            decide("fail_on: critical\ndemo: {mode: verifier-deny}\n").status,
            GateStatus::Deny
        );
        // Errors keep their code and are never allowed.
        let infra = decide("demo: {mode: infra}\n");
        assert_eq!(infra.status, GateStatus::Error(ExitCode::Infra));
        assert_eq!(infra.decision().result, Verdict::Deny);
        assert_eq!(infra.status.exit_code(), ExitCode::Infra);
        assert_eq!(
            decide("demo: {mode: other}\n").status.exit_code(),
            ExitCode::Usage
        );
    }

    #[test]
    fn counts_by_severity_lists_every_severity() {
        let result = decide("demo: {mode: high}\n");
        let counts = result.counts_by_severity();
        assert_eq!(counts.len(), 5);
        assert_eq!(counts["high"], 1);
        assert_eq!(counts["info"], 0);
    }
}
