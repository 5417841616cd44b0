//! The `autopsy:` section of `.ci-intel/config.yml`, owned by this crate
//! and registered with the gate contract (see [`crate::gate`]).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// CI log autopsy (`ci-intel-autopsy`): the repository's own rules, checked
/// by `ci-intel check`, and how `classify` and `upsert-issue` report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AutopsyConfig {
    /// Check the repository's autopsy rules in `ci-intel check`.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Pass (as a skip) when the repository has no rules of its own. Most
    /// repositories use the built-in rules only, so the hub default is true.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
    /// The directory of the repository's rule files (`*.toml`), relative to
    /// the repository root.
    pub rules_dir: String,
    /// Every repository rule must list `examples` it fires on (`fires`) and
    /// does not (`quiet`); a rule without them is a high finding instead of
    /// a low one.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub require_examples: bool,
    /// Built-in rule ids that do not run. Tighter means disabling only some
    /// of the locked ones.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub disabled_rules: Vec<String>,
    /// Lines of context shown before and after a matched line (0 to 20).
    #[schemars(range(min = 0, max = 20))]
    pub context_lines: u8,
    /// How many causes `classify` shows and reports (1 to 100).
    #[schemars(range(min = 1, max = 100))]
    pub top: u8,
    /// `upsert-issue`: the issues it opens and updates.
    pub issue: IssueConfig,
}

/// How `ci-intel-autopsy upsert-issue` files failures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct IssueConfig {
    /// Labels of a new issue; the first also narrows the search for an
    /// existing one.
    pub labels: Vec<String>,
    /// Issues upserted per run: one per cause, best ranked first (1 to 10).
    #[schemars(range(min = 1, max = 10))]
    pub max_issues: u8,
    /// Runs linked in an issue's occurrence table (the newest are kept).
    #[schemars(range(min = 1, max = 100))]
    pub keep_runs: u8,
}

impl Default for AutopsyConfig {
    fn default() -> Self {
        AutopsyConfig {
            enabled: true,
            allow_empty: true,
            rules_dir: DEFAULT_RULES_DIR.to_owned(),
            require_examples: false,
            disabled_rules: Vec::new(),
            context_lines: 3,
            top: 5,
            issue: IssueConfig::default(),
        }
    }
}

impl Default for IssueConfig {
    fn default() -> Self {
        IssueConfig {
            labels: vec!["ci-failure".to_owned(), "autopsy".to_owned()],
            max_issues: 1,
            keep_runs: 20,
        }
    }
}

/// The default `autopsy.rules_dir`.
pub const DEFAULT_RULES_DIR: &str = ".ci-intel/autopsy";
