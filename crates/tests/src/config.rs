//! The `tests:` section of `.ci-intel/config.yml`, owned by this crate and
//! registered with the gate contract (see [`crate::gate`]).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `tests` gate (`ci-intel-tests`, and `ci-intel check`): mutation
/// score, flake index and the quarantine list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TestsConfig {
    /// Run this gate in `ci-intel check`.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Pass (as a skip) when there is nothing to check: no mutation report
    /// or JUnit history configured and no quarantine file. When false,
    /// nothing to check is a denial.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
    /// The quarantine list, relative to the repository root: flaky tests
    /// (`test`, `owner`, `reason`, `expires`) that do not fail the gate.
    /// Validated whenever the file exists: an expired or ownerless entry
    /// denies.
    pub quarantine: String,
    /// Mutation testing: score thresholds and the drop against main.
    pub mutation: MutationConfig,
    /// Flaky tests: the suite flake index and new flaky tests.
    pub flake: FlakeConfig,
}

/// `tests.mutation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MutationConfig {
    /// Mutation reports `ci-intel check` judges, relative to the repository
    /// root: report files or tool output folders (`mutants.out`, mutmut's
    /// project folder), or globs of report files. Build outputs are found
    /// even when `.gitignore` excludes them. Empty: no mutation check.
    pub reports: Vec<String>,
    /// The baseline report (main's), for `max_drop`; same forms as
    /// `reports`. Empty: no drop check.
    pub baseline: String,
    /// Deny when the score (percent; with `--diff`, of the changed lines)
    /// is below this. Higher is tighter.
    #[schemars(range(min = 0.0, max = 100.0))]
    #[schemars(extend("x-ci-intel-tighten" = "higher"))]
    pub fail_below: f64,
    /// Warn when the score is below this. Higher is tighter.
    #[schemars(range(min = 0.0, max = 100.0))]
    #[schemars(extend("x-ci-intel-tighten" = "higher"))]
    pub warn_below: f64,
    /// Deny when the score dropped by more than this many percentage points
    /// against the baseline. Lower is tighter.
    #[schemars(range(min = 0.0, max = 100.0))]
    #[schemars(extend("x-ci-intel-tighten" = "lower"))]
    pub max_drop: f64,
}

/// `tests.flake`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FlakeConfig {
    /// JUnit XML history `ci-intel check` reads: globs relative to the
    /// repository root. The folder a pattern starts in holds one run per
    /// sub-folder (`.ci-intel/junit/**/*.xml`: `.ci-intel/junit/run-1/`...);
    /// a `run.json` in a run folder may give `commit`, `attempt` and `time`.
    /// Empty: no flake check.
    pub history: Vec<String>,
    /// JUnit XML of the current change (a pull request's runs), judged
    /// for new flaky tests against `history`. Empty: the newest commit of
    /// the history is the current change.
    pub current: Vec<String>,
    /// Deny when the suite flake index (flaky runs / runs in the window,
    /// quarantined tests excluded) is above this. Lower is tighter.
    #[schemars(range(min = 0.0, max = 1.0))]
    #[schemars(extend("x-ci-intel-tighten" = "lower"))]
    pub max_index: f64,
    /// Deny a test that became flaky in the current change. Turning it on
    /// is tighter.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub deny_new: bool,
    /// The window of the flake index, in days before the newest run.
    #[schemars(range(min = 1))]
    pub window_days: u32,
    /// A quarantined test that passed without a retry in this many of its
    /// latest runs is reported for release from quarantine.
    #[schemars(range(min = 1))]
    pub release_after: u32,
}

/// The default `tests.quarantine`.
pub const DEFAULT_QUARANTINE: &str = ".ci-intel/quarantine.yml";

impl Default for TestsConfig {
    fn default() -> Self {
        TestsConfig {
            enabled: true,
            allow_empty: true,
            quarantine: DEFAULT_QUARANTINE.to_owned(),
            mutation: MutationConfig::default(),
            flake: FlakeConfig::default(),
        }
    }
}

impl Default for MutationConfig {
    fn default() -> Self {
        MutationConfig {
            reports: Vec::new(),
            baseline: String::new(),
            fail_below: 0.0,
            warn_below: 0.0,
            max_drop: 100.0,
        }
    }
}

impl Default for FlakeConfig {
    fn default() -> Self {
        FlakeConfig {
            history: Vec::new(),
            current: Vec::new(),
            max_index: 1.0,
            deny_new: true,
            window_days: 30,
            release_after: 20,
        }
    }
}
