//! The rules, one file each. A rule file's `//!` comment is its
//! documentation (docs/policy.md is generated from it; a test keeps the two
//! identical) and its fixtures live in `tests/fixtures/<rule-id>/`.

use ci_intel_core::Severity;

use crate::config::Persona;

use super::model::{Ctx, Hit};

mod adhoc_packages;
mod anonymous_definition;
mod archived_uses;
mod artipacked;
mod bot_conditions;
mod cache_poisoning;
mod concurrency_limits;
mod dangerous_triggers;
mod dependabot_cooldown;
mod dependabot_execution;
mod excessive_permissions;
mod floating_ref;
pub(crate) mod forbidden_uses;
mod github_app;
mod github_env;
mod hardcoded_credentials;
mod impostor_commit;
mod insecure_commands;
mod insecure_url_scheme;
mod known_vulnerable_actions;
mod misfeature;
mod missing_timeout;
mod obfuscation;
mod overprovisioned_secrets;
mod parse_error;
mod pin_comment;
mod ref_confusion;
mod ref_version_mismatch;
mod schema_violation;
mod secrets_inherit;
mod secrets_outside_env;
mod self_hosted_runner;
mod self_repository;
mod stale_action_refs;
mod superfluous_actions;
mod template_injection;
mod typosquat_uses;
mod undocumented_permissions;
mod unpinned_images;
mod unpinned_tools;
pub(crate) mod unpinned_uses;
mod unredacted_secrets;
mod unresolvable_ref;
mod unsound_condition;
mod unsound_contains;
mod unsound_ternary;
mod use_trusted_publishing;

/// A rule: its identity and its check.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The rule id; zizmor's name where zizmor has the same audit.
    pub id: &'static str,
    /// One line, for listings and SARIF.
    pub title: &'static str,
    /// The severity of its usual finding (some findings are higher or lower).
    pub default_severity: Severity,
    /// The least persona the rule runs in (some of its findings may need a
    /// higher one).
    pub persona: Persona,
    pub check: fn(&Ctx<'_>, &mut Vec<Hit>),
}

/// Every rule, in documentation order.
pub const RULES: &[Rule] = &[
    unpinned_uses::RULE,
    pin_comment::RULE,
    floating_ref::RULE,
    dangerous_triggers::RULE,
    excessive_permissions::RULE,
    template_injection::RULE,
    hardcoded_credentials::RULE,
    secrets_inherit::RULE,
    artipacked::RULE,
    self_hosted_runner::RULE,
    unpinned_images::RULE,
    cache_poisoning::RULE,
    parse_error::RULE,
    schema_violation::RULE,
    missing_timeout::RULE,
    concurrency_limits::RULE,
    use_trusted_publishing::RULE,
    adhoc_packages::RULE,
    unpinned_tools::RULE,
    archived_uses::RULE,
    typosquat_uses::RULE,
    superfluous_actions::RULE,
    self_repository::RULE,
    github_app::RULE,
    ref_version_mismatch::RULE,
    forbidden_uses::RULE,
    dependabot_cooldown::RULE,
    dependabot_execution::RULE,
    insecure_url_scheme::RULE,
    obfuscation::RULE,
    bot_conditions::RULE,
    unsound_condition::RULE,
    insecure_commands::RULE,
    undocumented_permissions::RULE,
    github_env::RULE,
    unsound_contains::RULE,
    misfeature::RULE,
    secrets_outside_env::RULE,
    anonymous_definition::RULE,
    overprovisioned_secrets::RULE,
    unredacted_secrets::RULE,
    unsound_ternary::RULE,
];

/// A rule that asks the forge: it runs only with `audit --online` (and in
/// builds with the `pin` feature), after the offline rules.
#[derive(Debug, Clone, Copy)]
pub struct OnlineRule {
    /// The rule id; zizmor's name where zizmor has the same audit.
    pub id: &'static str,
    /// One line, for listings and SARIF.
    pub title: &'static str,
    /// The severity of its usual finding.
    pub default_severity: Severity,
    /// The least persona the rule runs in.
    pub persona: Persona,
    #[cfg(feature = "pin")]
    pub check: OnlineCheck,
}

/// An online rule's check: a failed call is an error (exit 3), never a skip.
#[cfg(feature = "pin")]
pub type OnlineCheck =
    fn(&Ctx<'_>, &super::online::Forge, &mut Vec<Hit>) -> Result<(), ci_intel_core::Failure>;

/// Every online rule, in documentation order.
pub const ONLINE_RULES: &[OnlineRule] = &[
    impostor_commit::RULE,
    ref_confusion::RULE,
    known_vulnerable_actions::RULE,
    stale_action_refs::RULE,
    unresolvable_ref::RULE,
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// The other names an ignore comment may give a rule: zizmor's name for
/// the same audit, and for `floating-ref` the audit that covers it there.
pub fn ignore_names(rule: &str) -> &'static [&'static str] {
    match rule {
        "hardcoded-credentials" => &["hardcoded-container-credentials"],
        "floating-ref" => &["unpinned-uses"],
        "pin-comment" => &["ref-version-mismatch"],
        "concurrency-limits" => &["missing-concurrency"],
        _ => &[],
    }
}
