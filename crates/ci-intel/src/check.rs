//! `ci-intel check`: run every gate the configuration enables, locally, with
//! the configuration CI would use; print one summary table; exit with the
//! worst result.
//!
//! Nothing here knows a tool: the gates come from [`crate::gates::GATES`],
//! each decides under core's shared policy ([`ci_intel_core::gate`]), and
//! this module only loads the configuration, walks the checkout once, runs
//! the selected gates and adds up their results.

use std::path::Path;
use std::time::{Instant, SystemTime};

use ci_intel_core::checkout::Checkout;
use ci_intel_core::config::{self, LoadedConfig};
use ci_intel_core::gate::{DynGate, GateContext};
use ci_intel_core::{ExitCode, Failure, Finding, RuleMeta, RunnerEnv};

pub use ci_intel_core::gate::{GateResult, GateStatus};

use crate::gates;

/// The pseudo-gate that reports on the configuration itself.
pub const CONFIG_GATE: &str = "config";

/// The whole run.
#[derive(Debug, Clone)]
pub struct CheckOutcome {
    pub gates: Vec<GateResult>,
    pub exit: ExitCode,
    pub verdict_line: String,
    /// The effective configuration, when it loaded.
    pub config: Option<LoadedConfig>,
}

impl CheckOutcome {
    pub fn findings(&self) -> Vec<Finding> {
        self.gates.iter().flat_map(|g| g.findings.clone()).collect()
    }
}

/// How to run `check`.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Pass even when every gate was skipped.
    pub allow_empty_run: bool,
    /// Run only these gates (`--gate ID`); empty means all.
    pub only: Vec<String>,
}

/// Every rule `check` can report.
pub fn rules() -> Vec<RuleMeta> {
    gates::GATES.iter().flat_map(|gate| gate.rules()).collect()
}

/// Run every gate on `dir`.
pub fn check(dir: &Path, org_policy: Option<&Path>, allow_empty_run: bool) -> CheckOutcome {
    let options = CheckOptions {
        allow_empty_run,
        only: Vec::new(),
    };
    check_with(dir, org_policy, &options, &RunnerEnv::from_process())
}

/// The gates `only` names, in list order; an unknown id is a usage error
/// that lists the known ones.
pub fn select(only: &[String]) -> Result<Vec<&'static dyn DynGate>, Failure> {
    let known: Vec<&str> = gates::GATES.iter().map(|g| g.id()).collect();
    for id in only {
        if gates::find(id).is_none() {
            let hint = config::did_you_mean(id, known.iter().copied())
                .map(|best| format!("did you mean `{best}`? "))
                .unwrap_or_default();
            return Err(Failure::usage(format!(
                "--gate {id}: no such gate; {hint}known gates: {} (see `ci-intel check --list`)",
                known.join(", ")
            )));
        }
    }
    Ok(gates::GATES
        .iter()
        .copied()
        .filter(|gate| only.is_empty() || only.iter().any(|id| id == gate.id()))
        .collect())
}

/// Run the selected gates on `dir` in `env`.
pub fn check_with(
    dir: &Path,
    org_policy: Option<&Path>,
    options: &CheckOptions,
    env: &RunnerEnv,
) -> CheckOutcome {
    let started = (SystemTime::now(), Instant::now());
    let selected = match select(&options.only) {
        Ok(selected) => selected,
        Err(failure) => return config_failed(failure, started, options),
    };
    let loaded = match config::load(dir, org_policy, &gates::sections()) {
        Ok(loaded) => loaded,
        Err(failure) => return config_failed(failure, started, options),
    };
    let mut results = vec![GateResult::bare(
        CONFIG_GATE,
        "",
        GateStatus::Pass,
        describe_layers(&loaded),
        started,
    )];
    let checkout = match Checkout::open(dir) {
        Ok(checkout) => checkout,
        Err(failure) => {
            results.push(GateResult::bare(
                "checkout",
                "",
                GateStatus::Error(failure.code),
                failure.message,
                started,
            ));
            return finish(results, options.allow_empty_run, Some(loaded));
        }
    };
    let ctx = GateContext {
        checkout: &checkout,
        core: &loaded.config,
        env,
        now: chrono::Utc::now(),
    };
    for gate in selected {
        results.push(gate.evaluate(&loaded, &ctx));
    }
    finish(results, options.allow_empty_run, Some(loaded))
}

fn config_failed(
    failure: Failure,
    started: (SystemTime, Instant),
    options: &CheckOptions,
) -> CheckOutcome {
    let result = GateResult::bare(
        CONFIG_GATE,
        "",
        GateStatus::Error(failure.code),
        failure.message,
        started,
    );
    finish(vec![result], options.allow_empty_run, None)
}

fn describe_layers(loaded: &LoadedConfig) -> String {
    let layers: Vec<String> = loaded.layers.iter().map(ToString::to_string).collect();
    let mut text = layers.join(" + ");
    if !loaded.locked.is_empty() {
        text.push_str(&format!("; {} locked key(s)", loaded.locked.len()));
    }
    if loaded.is_default() {
        text.push_str(" (no .ci-intel/config.yml)");
    }
    text
}

fn finish(
    gates: Vec<GateResult>,
    allow_empty_run: bool,
    config: Option<LoadedConfig>,
) -> CheckOutcome {
    let mut exit = gates
        .iter()
        .map(|g| g.status.exit_code())
        .fold(ExitCode::Pass, ExitCode::worst);
    let checked_something = gates
        .iter()
        .any(|g| g.id != CONFIG_GATE && !matches!(g.status, GateStatus::Skip));
    let config_ok = gates.first().is_some_and(|g| g.status == GateStatus::Pass);
    let verdict_line = if !config_ok {
        format!(
            "result: {} (the configuration is invalid; no gate ran)",
            exit.label()
        )
    } else if !checked_something && !allow_empty_run {
        exit = exit.worst(ExitCode::Deny);
        "result: deny (every gate was skipped: nothing was checked, and an empty run is not a pass; pass --allow-empty to accept it)".to_owned()
    } else {
        let count = |s: GateStatus| gates.iter().filter(|g| g.status == s).count();
        format!(
            "result: {} ({} passed, {} warned, {} denied, {} skipped)",
            exit.label(),
            count(GateStatus::Pass),
            count(GateStatus::Warn),
            count(GateStatus::Deny),
            count(GateStatus::Skip)
        )
    };
    CheckOutcome {
        gates,
        exit,
        verdict_line,
        config,
    }
}

/// The summary as a fixed-width text table.
pub fn table(outcome: &CheckOutcome) -> String {
    let mut out = format!(
        "{:<10} {:<12} {:>8}  {}\n",
        "gate", "result", "findings", "checked"
    );
    for gate in &outcome.gates {
        out.push_str(&format!(
            "{:<10} {:<12} {:>8}  {}\n",
            gate.id,
            gate.status.label(),
            gate.findings.len(),
            gate.checked.replace('\n', " ")
        ));
    }
    out.push_str(&outcome.verdict_line);
    out.push('\n');
    out
}

/// The summary as Markdown, for `$GITHUB_STEP_SUMMARY`.
pub fn markdown(outcome: &CheckOutcome) -> String {
    let mut out = String::from(
        "### ci-intel check\n\n| gate | result | findings | checked |\n|---|---|---|---|\n",
    );
    for gate in &outcome.gates {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            gate.id,
            gate.status.label(),
            gate.findings.len(),
            gate.checked.replace('|', "\\|").replace('\n', " ")
        ));
    }
    out.push_str(&format!("\n**{}**\n", outcome.verdict_line));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ci_intel_core::Verdict;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn status(outcome: &CheckOutcome, id: &str) -> GateStatus {
        outcome.gates.iter().find(|g| g.id == id).unwrap().status
    }

    #[test]
    fn an_empty_repository_is_not_a_pass() {
        let dir = tempfile::tempdir().unwrap();
        let outcome = check(dir.path(), None, false);
        assert_eq!(outcome.exit, ExitCode::Deny, "{}", table(&outcome));
        // The secrets gate found no file to scan, and its hub default
        // (`secrets.allow_empty: false`) makes that a denial of its own.
        assert_eq!(status(&outcome, "secrets"), GateStatus::Deny);
        assert!(
            outcome
                .gates
                .iter()
                .any(|g| g.id == "secrets" && g.checked.contains("an empty input is not a pass"))
        );
        assert_eq!(check(dir.path(), None, true).exit, ExitCode::Deny);
        // With every gate allowed to find nothing, the run itself is empty.
        write(
            dir.path(),
            ".ci-intel/config.yml",
            "secrets:\n  enabled: false\n",
        );
        let outcome = check(dir.path(), None, false);
        assert_eq!(outcome.exit, ExitCode::Deny, "{}", table(&outcome));
        assert!(outcome.verdict_line.contains("nothing was checked"));
        assert_eq!(check(dir.path(), None, true).exit, ExitCode::Pass);
    }

    #[test]
    fn pinned_hub_references_pass_with_hub_defaults() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            ".github/workflows/ci.yml",
            &format!(
                "on: push\npermissions: {{}}\njobs:\n  a:\n    uses: acme/ci-intel/.github/workflows/hub.yml@{SHA} # v1.4.0\n"
            ),
        );
        let outcome = check(dir.path(), None, false);
        assert_eq!(outcome.exit, ExitCode::Pass, "{}", table(&outcome));
        assert_eq!(status(&outcome, "hub_pins"), GateStatus::Pass);
        assert_eq!(status(&outcome, "telemetry"), GateStatus::Skip);
        assert_eq!(status(&outcome, "policy"), GateStatus::Pass);
    }

    #[test]
    fn a_branch_pinned_hub_is_denied() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            ".github/workflows/ci.yml",
            "jobs:\n  a:\n    uses: acme/ci-intel/.github/workflows/hub.yml@main\n",
        );
        let outcome = check(dir.path(), None, false);
        assert_eq!(outcome.exit, ExitCode::Deny);
        assert_eq!(status(&outcome, "hub_pins"), GateStatus::Deny);
        assert_eq!(outcome.gates[1].decision().result, Verdict::Deny);
    }

    #[test]
    fn invalid_telemetry_records_are_denied_and_required_records_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), ".github/workflows/ci.yml", "on: push\n");
        write(
            dir.path(),
            ".ci-intel/telemetry/runs.ndjson",
            "{\"schema\":\"pipeline_run.v1.2\"}\n",
        );
        let outcome = check(dir.path(), None, false);
        assert_eq!(
            status(&outcome, "telemetry"),
            GateStatus::Deny,
            "{}",
            table(&outcome)
        );
        assert!(
            outcome
                .findings()
                .iter()
                .any(|f| f.location.as_ref().unwrap().file == ".ci-intel/telemetry/runs.ndjson")
        );

        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), ".github/workflows/ci.yml", "on: push\n");
        write(
            dir.path(),
            ".ci-intel/config.yml",
            "gates:\n  telemetry:\n    allow_empty: false\n",
        );
        let outcome = check(dir.path(), None, false);
        assert_eq!(
            status(&outcome, "telemetry"),
            GateStatus::Deny,
            "{}",
            table(&outcome)
        );
        assert!(
            outcome
                .gates
                .iter()
                .find(|g| g.id == "telemetry")
                .unwrap()
                .checked
                .contains("an empty input is not a pass")
        );
    }

    #[test]
    fn fail_on_decides_whether_a_medium_finding_denies() {
        let other = "fedcba9876543210fedcba9876543210fedcba98";
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            ".github/workflows/ci.yml",
            &format!(
                "a:\n  uses: acme/ci-intel/.github/workflows/hub.yml@{SHA} # v1.4.0\nb:\n  uses: acme/ci-intel/.github/workflows/x.yml@{other} # v1.3.0\n"
            ),
        );
        assert_eq!(
            status(&check(dir.path(), None, false), "hub_pins"),
            GateStatus::Warn
        );
        write(dir.path(), ".ci-intel/config.yml", "fail_on: medium\n");
        assert_eq!(
            status(&check(dir.path(), None, false), "hub_pins"),
            GateStatus::Deny
        );
    }

    #[test]
    fn the_policy_gate_denies_unsafe_workflows_and_can_be_disabled() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            ".github/workflows/ci.yml",
            "on: pull_request_target\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo \"${{ github.event.pull_request.title }}\"\n",
        );
        let outcome = check(dir.path(), None, false);
        assert_eq!(
            status(&outcome, "policy"),
            GateStatus::Deny,
            "{}",
            table(&outcome)
        );
        let rules: Vec<&str> = outcome
            .gates
            .iter()
            .find(|g| g.id == "policy")
            .unwrap()
            .findings
            .iter()
            .map(|f| f.rule_id.as_str())
            .collect();
        assert!(rules.contains(&"dangerous-triggers") && rules.contains(&"template-injection"));
        assert!(
            outcome
                .findings()
                .iter()
                .all(|f| f.location.as_ref().unwrap().file == ".github/workflows/ci.yml")
        );
        write(
            dir.path(),
            ".ci-intel/config.yml",
            "policy:\n  enabled: false\n",
        );
        let outcome = check(dir.path(), None, false);
        assert_eq!(status(&outcome, "policy"), GateStatus::Skip);
    }

    #[test]
    fn an_invalid_config_is_exit_2_and_no_gate_runs() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), ".ci-intel/config.yml", "fial_on: high\n");
        let outcome = check(dir.path(), None, false);
        assert_eq!(outcome.exit, ExitCode::Usage);
        assert_eq!(outcome.gates.len(), 1);
        assert!(outcome.gates[0].checked.contains("did you mean `fail_on`?"));
    }

    #[test]
    fn disabled_gates_are_skipped_and_say_why() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), ".github/workflows/ci.yml", "on: push\n");
        write(
            dir.path(),
            ".ci-intel/config.yml",
            "gates:\n  hub_pins:\n    enabled: false\npolicy:\n  enabled: false\nsecrets:\n  enabled: false\n",
        );
        let outcome = check(dir.path(), None, false);
        assert_eq!(status(&outcome, "hub_pins"), GateStatus::Skip);
        assert_eq!(status(&outcome, "policy"), GateStatus::Skip);
        assert!(outcome.gates[1].checked.contains("disabled"));
        assert_eq!(
            outcome.gates[1].decision().result,
            Verdict::Warn,
            "a skip is never recorded as allow"
        );
        assert_eq!(
            outcome.exit,
            ExitCode::Deny,
            "everything skipped: {}",
            table(&outcome)
        );
    }
}
