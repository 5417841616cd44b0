//! `ci-intel check`: run every gate the configuration enables, locally, with
//! the configuration CI would use; print one summary table; exit with the
//! worst result.

use std::path::{Path, PathBuf};
use std::time::Instant;

use ci_intel_core::config::{self, LoadedConfig};
use ci_intel_core::pipeline_run::PolicyDecision;
use ci_intel_core::{ExitCode, Failure, Finding, RuleMeta, Verdict};

use crate::{attest_gate, hub_pins, tree};

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

    fn exit_code(self) -> ExitCode {
        match self {
            GateStatus::Pass | GateStatus::Warn | GateStatus::Skip => ExitCode::Pass,
            GateStatus::Deny => ExitCode::Deny,
            GateStatus::Error(code) => code,
        }
    }
}

/// One row of the summary.
#[derive(Debug, Clone)]
pub struct GateResult {
    pub id: &'static str,
    pub status: GateStatus,
    pub findings: Vec<Finding>,
    /// What the gate looked at, in words.
    pub checked: String,
    pub time_ns: u64,
}

impl GateResult {
    /// The gate's `policies[]` entry. A skipped gate is recorded as `warn`,
    /// never `allow`: evidence must not read "allowed" for a gate that did
    /// not look at anything.
    pub fn decision(&self) -> PolicyDecision {
        let result = match self.status {
            GateStatus::Pass => Verdict::Allow,
            GateStatus::Warn | GateStatus::Skip => Verdict::Warn,
            GateStatus::Deny | GateStatus::Error(_) => Verdict::Deny,
        };
        PolicyDecision {
            id: format!("ci-intel/{}", self.id),
            result,
            reason: Some(format!("{}: {}", self.status.label(), self.checked)),
            docs_uri: None,
            time_ns: Some(self.time_ns),
        }
    }
}

/// The whole run.
#[derive(Debug, Clone)]
pub struct CheckOutcome {
    pub gates: Vec<GateResult>,
    pub exit: ExitCode,
    pub verdict_line: String,
}

impl CheckOutcome {
    pub fn findings(&self) -> Vec<Finding> {
        self.gates.iter().flat_map(|g| g.findings.clone()).collect()
    }
}

/// Every rule `check` can report.
pub fn rules() -> Vec<RuleMeta> {
    let mut rules = hub_pins::rules();
    rules.extend(ci_intel_telemetry::validate::rules());
    rules.extend(ci_intel_policy::audit::rule_metas());
    rules.extend(ci_intel_secrets::scan::rule_metas());
    rules.extend(attest_gate::rules());
    rules
}

/// Run the gates on `dir`.
pub fn check(dir: &Path, org_policy: Option<&Path>, allow_empty_run: bool) -> CheckOutcome {
    let started = Instant::now();
    let loaded = config::load(dir, org_policy);
    let mut gates = Vec::new();
    let loaded = match loaded {
        Ok(loaded) => {
            gates.push(GateResult {
                id: "config",
                status: GateStatus::Pass,
                findings: Vec::new(),
                checked: describe_layers(&loaded),
                time_ns: elapsed(started),
            });
            loaded
        }
        Err(failure) => {
            gates.push(GateResult {
                id: "config",
                status: GateStatus::Error(failure.code),
                findings: Vec::new(),
                checked: failure.message,
                time_ns: elapsed(started),
            });
            return finish(gates, allow_empty_run);
        }
    };
    gates.push(run_hub_pins(dir, &loaded));
    gates.push(run_policy(dir, &loaded));
    gates.push(run_telemetry(dir, &loaded));
    gates.push(run_secrets(dir, &loaded));
    gates.push(run_attest(dir, &loaded));
    finish(gates, allow_empty_run)
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

fn run_hub_pins(dir: &Path, loaded: &LoadedConfig) -> GateResult {
    let started = Instant::now();
    let gate = &loaded.config.gates.hub_pins;
    if !gate.enabled {
        return skipped("hub_pins", "disabled by gates.hub_pins.enabled", started);
    }
    match hub_pins::check(dir, &loaded.config) {
        Err(failure) => errored("hub_pins", failure, started),
        Ok(result) if result.files.is_empty() => empty(
            "hub_pins",
            "no workflow or action file found",
            gate.allow_empty,
            "gates.hub_pins.allow_empty",
            started,
        ),
        Ok(result) => {
            let checked = format!(
                "{} workflow/action file(s), {} hub reference(s)",
                result.files.len(),
                result.hub_refs.len()
            );
            decided("hub_pins", result.findings, loaded, checked, started)
        }
    }
}

fn run_policy(dir: &Path, loaded: &LoadedConfig) -> GateResult {
    use ci_intel_policy::audit;
    let started = Instant::now();
    let policy = &loaded.config.policy;
    if !policy.enabled {
        return skipped("policy", "disabled by policy.enabled", started);
    }
    let repository = std::env::var("GITHUB_REPOSITORY")
        .ok()
        .filter(|r| !r.is_empty());
    let today = chrono::Utc::now().date_naive();
    let opts = match audit::Options::new(policy, policy.persona, repository, today) {
        Ok(opts) => opts,
        Err(failure) => return errored("policy", failure, started),
    };
    match audit::audit_repository(dir, &opts) {
        Err(failure) => errored("policy", failure, started),
        Ok(outcome) if outcome.files == 0 => empty(
            "policy",
            "no workflow, action or dependabot.yml found",
            policy.allow_empty,
            "policy.allow_empty",
            started,
        ),
        Ok(outcome) => {
            let checked = format!(
                "{} workflow/action/dependabot file(s), {} persona",
                outcome.files,
                policy.persona.as_str()
            );
            decided("policy", outcome.findings, loaded, checked, started)
        }
    }
}

fn run_telemetry(dir: &Path, loaded: &LoadedConfig) -> GateResult {
    let started = Instant::now();
    let gate = &loaded.config.gates.telemetry;
    if !gate.enabled {
        return skipped("telemetry", "disabled by gates.telemetry.enabled", started);
    }
    let files = match record_files(dir, &gate.records) {
        Ok(files) => files,
        Err(failure) => return errored("telemetry", failure, started),
    };
    if files.is_empty() {
        return empty(
            "telemetry",
            &format!("no file matches {}", gate.records.join(", ")),
            gate.allow_empty,
            "gates.telemetry.allow_empty",
            started,
        );
    }
    let absolute: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
    let schema = ci_intel_telemetry::schema::RecordSchema::embedded();
    match ci_intel_telemetry::validate::validate_files(&absolute, false, schema) {
        Err(failure) => errored("telemetry", failure, started),
        Ok(validation) => {
            let mut findings = validation.findings;
            // Report paths relative to the repository, as CI annotations need.
            for finding in &mut findings {
                if let Some(location) = &mut finding.location
                    && let Ok(rel) = Path::new(&location.file).strip_prefix(dir)
                {
                    location.file = rel.to_string_lossy().replace('\\', "/");
                }
            }
            let checked = format!(
                "{} record(s) in {} file(s), {} invalid",
                validation.records, validation.files, validation.invalid_records
            );
            decided("telemetry", findings, loaded, checked, started)
        }
    }
}

fn run_secrets(dir: &Path, loaded: &LoadedConfig) -> GateResult {
    use ci_intel_secrets::scan;
    let started = Instant::now();
    let secrets = &loaded.config.secrets;
    if !secrets.enabled {
        return skipped("secrets", "disabled by secrets.enabled", started);
    }
    let report = scan::ScanOptions::for_repository(secrets, dir)
        .and_then(|opts| scan::scan_repository(dir, &opts));
    match report {
        Err(failure) => errored("secrets", failure, started),
        Ok(report) if report.is_empty() => empty(
            "secrets",
            "no file to scan",
            secrets.allow_empty,
            "secrets.allow_empty",
            started,
        ),
        Ok(report) => {
            let summary = &report.summary;
            let checked = format!(
                "{} file(s) scanned, {} skipped (binary {}, oversized {}, excluded {}), {} baselined",
                summary.files_scanned,
                summary.skipped_binary + summary.skipped_oversized + summary.excluded,
                summary.skipped_binary,
                summary.skipped_oversized,
                summary.excluded,
                summary.baselined
            );
            decided(
                "secrets",
                report.report().findings,
                loaded,
                checked,
                started,
            )
        }
    }
}

fn run_attest(dir: &Path, loaded: &LoadedConfig) -> GateResult {
    let started = Instant::now();
    let attest = &loaded.config.attest;
    if !attest.enabled {
        return skipped("attest", "disabled by attest.enabled", started);
    }
    if attest.artifacts.is_empty() {
        return empty(
            "attest",
            "no artifact configured under attest.artifacts",
            attest.allow_empty,
            "attest.allow_empty",
            started,
        );
    }
    match attest_gate::run(dir, attest) {
        Err(failure) => errored("attest", failure, started),
        // The verifier's verdict, not `fail_on`: see attest_gate.
        Ok(outcome) => GateResult {
            id: "attest",
            status: if outcome.verdict == Verdict::Allow {
                GateStatus::Pass
            } else {
                GateStatus::Deny
            },
            findings: outcome.findings,
            checked: outcome.checked,
            time_ns: elapsed(started),
        },
    }
}

fn record_files(dir: &Path, patterns: &[String]) -> Result<Vec<PathBuf>, Failure> {
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in patterns {
        let glob = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| {
                Failure::usage(format!(
                    "gates.telemetry.records: `{pattern}` is not a valid glob: {e}"
                ))
            })?;
        builder.add(glob);
    }
    let set = builder
        .build()
        .map_err(|e| Failure::usage(format!("gates.telemetry.records: {e}")))?;
    Ok(tree::files(dir, tree::Ignores::Honour)?
        .into_iter()
        .filter(|relative| set.is_match(relative))
        .collect())
}

fn decided(
    id: &'static str,
    findings: Vec<Finding>,
    loaded: &LoadedConfig,
    checked: String,
    started: Instant,
) -> GateResult {
    let status = match Verdict::from_findings(&findings, loaded.config.fail_on) {
        Verdict::Allow => GateStatus::Pass,
        Verdict::Warn => GateStatus::Warn,
        Verdict::Deny => GateStatus::Deny,
    };
    GateResult {
        id,
        status,
        findings,
        checked,
        time_ns: elapsed(started),
    }
}

fn skipped(id: &'static str, why: &str, started: Instant) -> GateResult {
    GateResult {
        id,
        status: GateStatus::Skip,
        findings: Vec::new(),
        checked: why.to_owned(),
        time_ns: elapsed(started),
    }
}

/// Nothing to check: a skip only when the configuration allows it.
fn empty(id: &'static str, what: &str, allowed: bool, key: &str, started: Instant) -> GateResult {
    if allowed {
        skipped(id, &format!("{what} ({key}: true)"), started)
    } else {
        GateResult {
            id,
            status: GateStatus::Deny,
            findings: Vec::new(),
            checked: format!("{what}; an empty input is not a pass ({key}: false)"),
            time_ns: elapsed(started),
        }
    }
}

fn errored(id: &'static str, failure: Failure, started: Instant) -> GateResult {
    GateResult {
        id,
        status: GateStatus::Error(failure.code),
        findings: Vec::new(),
        checked: failure.message,
        time_ns: elapsed(started),
    }
}

fn finish(gates: Vec<GateResult>, allow_empty_run: bool) -> CheckOutcome {
    let mut exit = gates
        .iter()
        .map(|g| g.status.exit_code())
        .fold(ExitCode::Pass, ExitCode::worst);
    let checked_something = gates
        .iter()
        .any(|g| g.id != "config" && !matches!(g.status, GateStatus::Skip));
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
    }
}

fn elapsed(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX)
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
