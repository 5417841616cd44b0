//! The configuration model: `.ci-intel/config.yml`, its defaults (the hub
//! layer) and the JSON Schema generated from it (`schemas/config.schema.json`).
//!
//! Every field's doc comment is its documentation in the schema. A field that
//! an org may lock declares which direction is tighter with the
//! `x-ci-intel-tighten` schema keyword; the lock check reads it from the
//! generated schema, so the rule and its documentation are one thing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::findings::Severity;

/// The only configuration format version this release reads.
pub const CONFIG_VERSION: u32 = 1;

/// ci-intel configuration (`.ci-intel/config.yml`). Layers: hub defaults, then
/// an org overlay (`--org-policy FILE`), then the repository's file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(title = "ci-intel configuration")]
pub struct Config {
    /// Configuration format version. This release reads version 1.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// A finding at or above this severity makes a gate deny. Lower is
    /// tighter: an org that locks `high` lets a repository choose `medium`.
    #[schemars(extend("x-ci-intel-tighten" = "lower-severity"))]
    pub fail_on: Severity,
    /// The hub repository this repository consumes.
    pub hub: HubConfig,
    /// Per-gate settings.
    pub gates: Gates,
    /// The `policy` gate: rules for workflows, actions and dependabot.yml
    /// (`ci-intel-policy audit`).
    pub policy: PolicyConfig,
    /// The `secrets` gate: committed secrets (`ci-intel-secrets scan`), and
    /// the settings its `sweep` and `redact` commands share.
    pub secrets: SecretsConfig,
    /// Org overlay only: dotted keys (`gates.telemetry.allow_empty`) that a
    /// repository may only tighten. A repository file that sets `lock` is a
    /// configuration error.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lock: Vec<String>,
}

/// How this repository consumes the hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct HubConfig {
    /// `OWNER/REPO` of the ci-intel hub. `ci-intel init` writes it; when unset,
    /// any repository named `ci-intel` counts as the hub.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"))]
    pub repository: Option<String>,
    /// Every hub reference must carry Renovate's `# vX.Y.Z` comment next to
    /// its SHA, so humans and Renovate can read the version.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub require_version_comment: bool,
}

/// Per-gate settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Gates {
    /// Hub references in workflows must be pinned to a full commit SHA.
    pub hub_pins: HubPinsGate,
    /// pipeline_run records kept in the repository must validate.
    pub telemetry: TelemetryGate,
}

/// The `hub_pins` gate (`ci-intel doctor`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct HubPinsGate {
    /// Run this gate.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Pass when the repository has no workflow that references the hub. When
    /// false, finding no hub reference is a denial.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
}

/// The `telemetry` gate: validates pipeline_run NDJSON kept in the repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TelemetryGate {
    /// Run this gate.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Glob patterns (relative to the repository root) of pipeline_run NDJSON
    /// files to validate.
    pub records: Vec<String>,
    /// Pass when no file matches `records`. When false, no records is a denial.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
}

/// The `policy` gate (`ci-intel-policy audit`, and `ci-intel check`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyConfig {
    /// Run this gate in `ci-intel check`.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Pass when no workflow, action or dependabot.yml is found. When false,
    /// finding nothing to audit is a denial.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
    /// `regular` runs every rule but the pedantic ones; `pedantic` adds
    /// `missing-timeout` and `missing-concurrency`. `pedantic` is tighter.
    #[schemars(extend("x-ci-intel-tighten" = "pedantic"))]
    pub persona: Persona,
    /// Per-rule switches and severity overrides.
    pub rules: PolicyRules,
    /// Pin policy per `uses:` pattern: `owner/repo`, `owner/*` or `*`. The
    /// most specific pattern wins. Tighter means no reference gets a looser
    /// policy than under the locked list (entries may be added or made
    /// stricter, never loosened).
    #[schemars(extend("x-ci-intel-tighten" = "stricter-pins"))]
    pub pins: Vec<PinRule>,
    /// Workflows allowed to use `pull_request_target` or `workflow_run`,
    /// each with a reason, an owner and an expiry date. An expired entry
    /// denies. Tighter means keeping only some of the locked entries.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub trigger_allowlist: Vec<TriggerAllow>,
    /// Glob patterns of paths (as reported, relative to the audited root)
    /// that are not audited. Tighter means excluding only some of the locked
    /// patterns.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub exclude: Vec<String>,
}

/// The `secrets` gate (`ci-intel-secrets scan`, and `ci-intel check`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsConfig {
    /// Run this gate in `ci-intel check`.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Pass when no file was scanned at all (an empty tree, a diff that only
    /// deletes). When false, scanning nothing is a denial.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
    /// Files larger than this many bytes are not scanned; they are counted
    /// in the summary as skipped. Higher is tighter (fewer files skipped).
    #[schemars(range(min = 1))]
    #[schemars(extend("x-ci-intel-tighten" = "higher"))]
    pub max_file_size: u64,
    /// The baseline file, relative to the repository root: fingerprints of
    /// known secrets, each with an owner, a reason and an expiry date. A
    /// baselined secret does not fail the gate until its entry expires.
    pub baseline: String,
    /// Rule ids that do not run (`jwt`, `generic-secret-assignment`...).
    /// Tighter means disabling only some of the locked rules.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub disabled_rules: Vec<String>,
    /// What is not a finding.
    pub allowlist: SecretsAllowlist,
    /// `ci-intel-secrets sweep`: the job environment check.
    pub sweep: SweepConfig,
}

/// Values and paths that are not findings. Each list, when locked, may only
/// be narrowed by a repository (a subset of the locked entries).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsAllowlist {
    /// Glob patterns of paths (relative to the scanned root, `/`-separated,
    /// `**` for any depth) that are not scanned at all.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub paths: Vec<String>,
    /// Regular expressions (Rust `regex` syntax); a secret value that one of
    /// them matches (anywhere in the value) is not a finding.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub regexes: Vec<String>,
    /// Words; a secret value that contains one of them (case-insensitively)
    /// is not a finding.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub stopwords: Vec<String>,
}

/// Settings of `ci-intel-secrets sweep`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SweepConfig {
    /// Environment variable names the sweep accepts even when their value
    /// looks like a long-lived credential. Tighter means accepting only some
    /// of the locked names.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub allowed_names: Vec<String>,
}

/// The default `secrets.max_file_size`: 4 MiB. Source files are far
/// smaller; larger files are data, bundles or build output, and reading
/// them whole would dominate the scan's memory.
pub const DEFAULT_SECRETS_MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// The default `secrets.baseline`.
pub const DEFAULT_SECRETS_BASELINE: &str = ".ci-intel/secrets-baseline.json";

impl Default for SecretsConfig {
    fn default() -> Self {
        SecretsConfig {
            enabled: true,
            allow_empty: false,
            max_file_size: DEFAULT_SECRETS_MAX_FILE_SIZE,
            baseline: DEFAULT_SECRETS_BASELINE.to_owned(),
            disabled_rules: Vec::new(),
            allowlist: SecretsAllowlist::default(),
            sweep: SweepConfig::default(),
        }
    }
}

/// Which rules run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Persona {
    /// Every rule except the pedantic ones.
    #[default]
    Regular,
    /// Every rule, including `missing-timeout` and `missing-concurrency`.
    Pedantic,
}

impl Persona {
    pub fn as_str(self) -> &'static str {
        match self {
            Persona::Regular => "regular",
            Persona::Pedantic => "pedantic",
        }
    }
}

/// One rule's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RuleSetting {
    /// Run the rule.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Report every finding of this rule at this severity instead of the
    /// rule's own. Higher is tighter.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-ci-intel-tighten" = "higher-severity"))]
    pub severity: Option<Severity>,
}

impl Default for RuleSetting {
    fn default() -> Self {
        RuleSetting {
            enabled: true,
            severity: None,
        }
    }
}

/// Per-rule settings; every rule of `ci-intel-policy audit` has a key.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyRules {
    pub unpinned_uses: RuleSetting,
    pub pin_comment: RuleSetting,
    pub floating_ref: RuleSetting,
    pub dangerous_triggers: RuleSetting,
    pub excessive_permissions: RuleSetting,
    pub template_injection: RuleSetting,
    pub hardcoded_credentials: RuleSetting,
    pub secrets_inherit: RuleSetting,
    pub artipacked: RuleSetting,
    pub self_hosted_runner: RuleSetting,
    pub unpinned_images: RuleSetting,
    pub cache_poisoning: RuleSetting,
    pub parse_error: RuleSetting,
    pub missing_timeout: RuleSetting,
    pub missing_concurrency: RuleSetting,
}

impl PolicyRules {
    /// The setting of a rule by its id (`unpinned-uses`).
    pub fn get(&self, rule_id: &str) -> Option<&RuleSetting> {
        Some(match rule_id {
            "unpinned-uses" => &self.unpinned_uses,
            "pin-comment" => &self.pin_comment,
            "floating-ref" => &self.floating_ref,
            "dangerous-triggers" => &self.dangerous_triggers,
            "excessive-permissions" => &self.excessive_permissions,
            "template-injection" => &self.template_injection,
            "hardcoded-credentials" => &self.hardcoded_credentials,
            "secrets-inherit" => &self.secrets_inherit,
            "artipacked" => &self.artipacked,
            "self-hosted-runner" => &self.self_hosted_runner,
            "unpinned-images" => &self.unpinned_images,
            "cache-poisoning" => &self.cache_poisoning,
            "parse-error" => &self.parse_error,
            "missing-timeout" => &self.missing_timeout,
            "missing-concurrency" => &self.missing_concurrency,
            _ => return None,
        })
    }
}

/// How strictly references matching a pattern must be pinned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PinPolicy {
    /// A full 40-hex commit SHA.
    HashPin,
    /// Any explicit ref (a tag or a SHA); branches and major-only tags are
    /// still reported by `floating-ref`.
    RefPin,
    /// Anything goes (neither `unpinned-uses` nor `floating-ref` report it).
    Any,
}

/// The pin policy for one pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PinRule {
    /// `owner/repo`, `owner/*` or `*`.
    #[schemars(regex(pattern = r"^(\*|[A-Za-z0-9_.-]+/(\*|[A-Za-z0-9_.-]+))$"))]
    pub pattern: String,
    pub policy: PinPolicy,
}

impl PinPolicy {
    /// How strict: `hash-pin` > `ref-pin` > `any`.
    pub fn strictness(self) -> u8 {
        match self {
            PinPolicy::HashPin => 2,
            PinPolicy::RefPin => 1,
            PinPolicy::Any => 0,
        }
    }
}

impl PinRule {
    /// The policy `pins` gives `owner/repo`: an exact pattern, else
    /// `owner/*`, else `*`, else `hash-pin`. Patterns match case-insensitively,
    /// as GitHub treats owner and repository names.
    pub fn effective(pins: &[PinRule], repository: &str) -> PinPolicy {
        let repository = repository.to_ascii_lowercase();
        let owner_glob = repository
            .split_once('/')
            .map(|(owner, _)| format!("{owner}/*"))
            .unwrap_or_default();
        let find = |wanted: &str| {
            pins.iter()
                .find(|rule| rule.pattern.eq_ignore_ascii_case(wanted))
                .map(|rule| rule.policy)
        };
        find(&repository)
            .or_else(|| find(&owner_glob))
            .or_else(|| find("*"))
            .unwrap_or(PinPolicy::HashPin)
    }
}

/// A workflow allowed to use a dangerous trigger, for a while.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggerAllow {
    /// The workflow file, relative to the repository root
    /// (`.github/workflows/label.yml`); a glob is accepted.
    pub path: String,
    /// Why this workflow needs the trigger.
    #[schemars(length(min = 1))]
    pub reason: String,
    /// Who answers for it (a team or a person).
    #[schemars(length(min = 1))]
    pub owner: String,
    /// Last day (UTC, `YYYY-MM-DD`) the entry is valid; after it the trigger denies again.
    #[schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub expires: String,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            enabled: true,
            allow_empty: true,
            persona: Persona::Regular,
            rules: PolicyRules::default(),
            pins: vec![PinRule {
                pattern: "*".to_owned(),
                policy: PinPolicy::HashPin,
            }],
            trigger_allowlist: Vec::new(),
            exclude: Vec::new(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            version: CONFIG_VERSION,
            fail_on: Severity::High,
            hub: HubConfig::default(),
            gates: Gates::default(),
            policy: PolicyConfig::default(),
            secrets: SecretsConfig::default(),
            lock: Vec::new(),
        }
    }
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            repository: None,
            require_version_comment: true,
        }
    }
}

impl Default for HubPinsGate {
    fn default() -> Self {
        HubPinsGate {
            enabled: true,
            allow_empty: true,
        }
    }
}

impl Default for TelemetryGate {
    fn default() -> Self {
        TelemetryGate {
            enabled: true,
            records: vec![
                ".ci-intel/telemetry/**/*.ndjson".to_owned(),
                "**/*.pipeline_run.ndjson".to_owned(),
            ],
            allow_empty: true,
        }
    }
}

/// The JSON Schema of the configuration, as committed in
/// `schemas/config.schema.json` (a test keeps the two identical).
pub fn config_schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Config)).unwrap_or_default();
    if let Some(object) = schema.as_object_mut() {
        object.insert(
            "$id".to_owned(),
            serde_json::Value::String(
                "https://github.com/ci-intel/ci-intel/schemas/config.schema.json".to_owned(),
            ),
        );
    }
    schema
}
