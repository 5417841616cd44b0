//! The `policy:` section of `.ci-intel/config.yml`, owned by this crate
//! and registered with the gate contract (see [`crate::gate`]).

use ci_intel_core::Severity;
use ci_intel_core::config::most_specific_pattern;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
    /// Which rules run, as zizmor's personas: `regular` (the default) runs
    /// the rules whose findings are nearly always worth acting on;
    /// `pedantic` adds code-quality and hardening rules; `auditor` adds the
    /// ones that need a human to judge. Each persona is tighter than the one
    /// before it.
    #[schemars(extend("x-ci-intel-tighten" = "pedantic"))]
    pub persona: Persona,
    /// Per-rule switches and severity overrides.
    pub rules: PolicyRules,
    /// Pin policy per `uses:` pattern: `owner/repo/sub/path`,
    /// `owner/repo/*`, `owner/repo`, `owner/*` or `*`. The most specific
    /// pattern wins. Tighter means no reference gets a looser
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
    /// The `forbidden-uses` rule: which `uses:` of other repositories are
    /// allowed or denied. Off until one of the lists is set.
    pub forbidden_uses: ForbiddenUses,
    /// The `dependabot-cooldown` rule's threshold.
    pub dependabot_cooldown: DependabotCooldown,
    /// The `known-vulnerable-actions` rule (`audit --online`).
    pub known_vulnerable_actions: KnownVulnerableActions,
    /// The `secrets-outside-env` rule.
    // A type name after a `secrets` field name reads as an assignment to
    // the secrets scanner's generic rule; nothing secret is here.
    pub secrets_outside_env: SecretsOutsideEnv, // ci-intel: ignore[generic-secret-assignment]
}

/// Secrets judged fine to read outside an environment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsOutsideEnv {
    /// Secret names (`secrets.NAME`, any case, as GitHub treats them) that
    /// `secrets-outside-env` does not report. Tighter means allowing only
    /// some of the locked names.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub allow: Vec<String>,
}

impl SecretsOutsideEnv {
    /// Whether the secret `name` is allowed outside an environment.
    pub fn allows(&self, name: &str) -> bool {
        self.allow.iter().any(|a| a.eq_ignore_ascii_case(name))
    }
}

/// Advisories judged not to apply.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct KnownVulnerableActions {
    /// GHSA ids (`GHSA-xxxx-xxxx-xxxx`, any case) that are not reported.
    /// Tighter means allowing only some of the locked ids.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub allow: Vec<String>,
}

/// How long Dependabot must wait before proposing a new release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DependabotCooldown {
    /// The least `cooldown.default-days` an `updates:` entry may set (at
    /// least 1; zizmor's default, 7, unless set). Higher is tighter.
    #[schemars(range(min = 1))]
    #[schemars(extend("x-ci-intel-tighten" = "higher"))]
    pub days: u32,
}

impl Default for DependabotCooldown {
    fn default() -> Self {
        DependabotCooldown { days: 7 }
    }
}

/// Allow- and deny-lists of `uses:` (zizmor's repository patterns, any
/// case): `owner/repo/path@ref` (that path at that ref), `owner/repo/path`
/// (that path, any ref), `owner/repo@ref`, `owner/repo` (the repository's
/// root action, any ref), `owner/repo/*` (anything from the repository),
/// `owner/*` (anything from the owner) and `*` (anything). Local (`./`,
/// `$/`) and `docker://` references are never forbidden.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ForbiddenUses {
    /// When set, only `uses:` matching one of these patterns are allowed;
    /// every other one is a finding (an empty list forbids them all). Unset:
    /// no allowlist. Tighter means keeping only some of the locked patterns.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub allow: Option<Vec<String>>,
    /// `uses:` matching one of these patterns are findings, allowlisted or
    /// not. Tighter means keeping every locked pattern and adding more.
    #[schemars(extend("x-ci-intel-tighten" = "superset"))]
    pub deny: Vec<String>,
}

/// Which rules run. Ordered: `Regular < Pedantic < Auditor`; a rule runs
/// when the persona is at least the rule's own.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Persona {
    /// The rules whose findings are nearly always worth acting on.
    #[default]
    Regular,
    /// Adds code-quality and hardening rules (`missing-timeout`,
    /// `concurrency-limits`, `superfluous-actions`, `undocumented-permissions`,
    /// `anonymous-definition`, computed indices in `obfuscation`).
    Pedantic,
    /// Adds the findings that need a human to judge (`secrets-outside-env`,
    /// `env:` blocks given by an expression in `insecure-commands`,
    /// undocumented shells in `misfeature`).
    Auditor,
}

impl Persona {
    pub fn as_str(self) -> &'static str {
        match self {
            Persona::Regular => "regular",
            Persona::Pedantic => "pedantic",
            Persona::Auditor => "auditor",
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
    /// Where this rule's findings are not reported, as zizmor's `ignore`
    /// entries: `FILE` (every finding in files of that name), `FILE:LINE`
    /// (any column) or `FILE:LINE:COLUMN`. `FILE` is matched on the base
    /// name of the audited file (`ci.yml` matches
    /// `.github/workflows/ci.yml`), lines and columns from 1 on the
    /// finding's start. Silenced findings are listed by `audit -v`, as those
    /// of ignore comments. Tighter means keeping only some of the locked
    /// entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub ignore: Vec<String>,
}

impl Default for RuleSetting {
    fn default() -> Self {
        RuleSetting {
            enabled: true,
            severity: None,
            ignore: Vec::new(),
        }
    }
}

/// One `ignore` entry of a rule: `FILE[:LINE[:COLUMN]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    pub file: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl IgnoreEntry {
    /// Parse `FILE`, `FILE:LINE` or `FILE:LINE:COLUMN`; the error says what
    /// is wrong with it.
    pub fn parse(text: &str) -> Result<IgnoreEntry, String> {
        let mut parts = text.split(':');
        let file = parts.next().unwrap_or_default();
        if file.is_empty() {
            return Err(format!(
                "`{text}` has no file name: write `FILE`, `FILE:LINE` or `FILE:LINE:COLUMN`"
            ));
        }
        if file.contains('/') || file.contains('\\') {
            return Err(format!(
                "`{text}`: entries name a file by its base name (`ci.yml`), not a path"
            ));
        }
        let number = |part: Option<&str>, what: &str| -> Result<Option<u32>, String> {
            match part {
                None => Ok(None),
                Some(p) => match p.parse::<u32>() {
                    Ok(n) if n >= 1 => Ok(Some(n)),
                    _ => Err(format!(
                        "`{text}`: the {what} `{p}` is not a number from 1 on: write `FILE`, `FILE:LINE` or `FILE:LINE:COLUMN`"
                    )),
                },
            }
        };
        let line = number(parts.next(), "line")?;
        let column = number(parts.next(), "column")?;
        if parts.next().is_some() {
            return Err(format!(
                "`{text}` has more than three `:`-separated parts: write `FILE`, `FILE:LINE` or `FILE:LINE:COLUMN`"
            ));
        }
        Ok(IgnoreEntry {
            file: file.to_owned(),
            line,
            column,
        })
    }

    /// Whether a finding in `path` (as reported) at `line`:`column` is covered.
    pub fn covers(&self, path: &str, line: u32, column: u32) -> bool {
        let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
        base == self.file
            && self.line.is_none_or(|l| l == line)
            && self.column.is_none_or(|c| c == column)
    }
}

/// Every key of [`PolicyRules`].
pub const ALL_RULE_IDS: &[&str] = &[
    "unpinned-uses",
    "pin-comment",
    "floating-ref",
    "dangerous-triggers",
    "excessive-permissions",
    "template-injection",
    "hardcoded-credentials",
    "secrets-inherit",
    "artipacked",
    "self-hosted-runner",
    "unpinned-images",
    "cache-poisoning",
    "parse-error",
    "missing-timeout",
    "concurrency-limits",
    "use-trusted-publishing",
    "adhoc-packages",
    "unpinned-tools",
    "archived-uses",
    "typosquat-uses",
    "superfluous-actions",
    "self-repository",
    "github-app",
    "ref-version-mismatch",
    "forbidden-uses",
    "dependabot-cooldown",
    "dependabot-execution",
    "insecure-url-scheme",
    "obfuscation",
    "bot-conditions",
    "unsound-condition",
    "unsound-contains",
    "unsound-ternary",
    "insecure-commands",
    "github-env",
    "overprovisioned-secrets",
    "unredacted-secrets",
    "secrets-outside-env",
    "misfeature",
    "anonymous-definition",
    "undocumented-permissions",
    "impostor-commit",
    "ref-confusion",
    "known-vulnerable-actions",
    "stale-action-refs",
    "unresolvable-ref",
];

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
    /// zizmor's name (this rule was `missing-concurrency` before).
    pub concurrency_limits: RuleSetting,
    pub use_trusted_publishing: RuleSetting,
    pub adhoc_packages: RuleSetting,
    pub unpinned_tools: RuleSetting,
    pub archived_uses: RuleSetting,
    pub typosquat_uses: RuleSetting,
    pub superfluous_actions: RuleSetting,
    pub self_repository: RuleSetting,
    pub github_app: RuleSetting,
    pub ref_version_mismatch: RuleSetting,
    pub forbidden_uses: RuleSetting,
    pub dependabot_cooldown: RuleSetting,
    pub dependabot_execution: RuleSetting,
    pub insecure_url_scheme: RuleSetting,
    pub obfuscation: RuleSetting,
    pub bot_conditions: RuleSetting,
    pub unsound_condition: RuleSetting,
    pub unsound_contains: RuleSetting,
    pub unsound_ternary: RuleSetting,
    pub insecure_commands: RuleSetting,
    pub github_env: RuleSetting,
    pub overprovisioned_secrets: RuleSetting,
    pub unredacted_secrets: RuleSetting,
    pub secrets_outside_env: RuleSetting,
    pub misfeature: RuleSetting,
    pub anonymous_definition: RuleSetting,
    pub undocumented_permissions: RuleSetting,
    pub impostor_commit: RuleSetting,
    pub ref_confusion: RuleSetting,
    pub known_vulnerable_actions: RuleSetting,
    pub stale_action_refs: RuleSetting,
    pub unresolvable_ref: RuleSetting,
}

impl PolicyRules {
    /// The setting of a rule by its id (`unpinned-uses`).
    pub fn get(&self, rule_id: &str) -> Option<&RuleSetting> {
        self.lookup(rule_id)
    }

    /// Every rule's setting with its id, for validation.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &RuleSetting)> {
        ALL_RULE_IDS
            .iter()
            .filter_map(|id| self.lookup(id).map(|s| (*id, s)))
    }

    fn lookup(&self, rule_id: &str) -> Option<&RuleSetting> {
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
            "concurrency-limits" => &self.concurrency_limits,
            "use-trusted-publishing" => &self.use_trusted_publishing,
            "adhoc-packages" => &self.adhoc_packages,
            "unpinned-tools" => &self.unpinned_tools,
            "archived-uses" => &self.archived_uses,
            "typosquat-uses" => &self.typosquat_uses,
            "superfluous-actions" => &self.superfluous_actions,
            "self-repository" => &self.self_repository,
            "github-app" => &self.github_app,
            "ref-version-mismatch" => &self.ref_version_mismatch,
            "forbidden-uses" => &self.forbidden_uses,
            "dependabot-cooldown" => &self.dependabot_cooldown,
            "dependabot-execution" => &self.dependabot_execution,
            "insecure-url-scheme" => &self.insecure_url_scheme,
            "obfuscation" => &self.obfuscation,
            "bot-conditions" => &self.bot_conditions,
            "unsound-condition" => &self.unsound_condition,
            "unsound-contains" => &self.unsound_contains,
            "unsound-ternary" => &self.unsound_ternary,
            "insecure-commands" => &self.insecure_commands,
            "github-env" => &self.github_env,
            "overprovisioned-secrets" => &self.overprovisioned_secrets,
            "unredacted-secrets" => &self.unredacted_secrets,
            "secrets-outside-env" => &self.secrets_outside_env,
            "misfeature" => &self.misfeature,
            "anonymous-definition" => &self.anonymous_definition,
            "undocumented-permissions" => &self.undocumented_permissions,
            "impostor-commit" => &self.impostor_commit,
            "ref-confusion" => &self.ref_confusion,
            "known-vulnerable-actions" => &self.known_vulnerable_actions,
            "stale-action-refs" => &self.stale_action_refs,
            "unresolvable-ref" => &self.unresolvable_ref,
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
    /// `*`, `owner/*`, `owner/repo` (its root action and, unless a more
    /// specific pattern names them, its subpaths), `owner/repo/*` (every
    /// subpath of the repository) or `owner/repo/sub/path` (that action).
    #[schemars(regex(
        pattern = r"^(\*|[A-Za-z0-9_.-]+/\*|[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/\*|(/[A-Za-z0-9_.-]+)+)?)$"
    ))]
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
    /// The policy `pins` gives `owner/repo[/path]`: an exact pattern, else
    /// `owner/repo/*` (subpaths) or `owner/repo`, else `owner/*`, else `*`,
    /// else `hash-pin`. Patterns match case-insensitively,
    /// as GitHub treats owner and repository names.
    pub fn effective(pins: &[PinRule], repository: &str) -> PinPolicy {
        let patterns: Vec<&str> = pins.iter().map(|rule| rule.pattern.as_str()).collect();
        most_specific_pattern(&patterns, repository)
            .map(|index| pins[index].policy)
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
            forbidden_uses: ForbiddenUses::default(),
            dependabot_cooldown: DependabotCooldown::default(),
            known_vulnerable_actions: KnownVulnerableActions::default(),
            secrets_outside_env: SecretsOutsideEnv::default(),
        }
    }
}
