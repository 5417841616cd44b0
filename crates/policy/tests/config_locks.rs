//! The `policy:` section's lock directions: an org overlay may lock a key,
//! and the repository may then only tighten it. (Moved from core's layer
//! tests when the section moved into this crate.)

#![allow(clippy::unwrap_used)]

use std::path::Path;

use ci_intel_core::config::{LoadedConfig, Sections, load_from_texts};
use ci_intel_core::{ExitCode, Failure, Severity};
use ci_intel_policy::config::{Persona, PolicyConfig};

fn layered(org: &str, repo_text: &str) -> Result<LoadedConfig, Failure> {
    load_from_texts(
        Some((Path::new("org.yml"), org)),
        Some((Path::new(".ci-intel/config.yml"), repo_text)),
        &Sections::partial([ci_intel_policy::gate::section()]),
    )
}

fn policy(loaded: &LoadedConfig) -> PolicyConfig {
    loaded.section("policy").unwrap()
}

/// Personas widen regular < pedantic < auditor: a locked persona may be
/// widened by the repository, never narrowed.
#[test]
fn a_locked_persona_only_widens() {
    let org = "policy:\n  persona: pedantic\nlock: [policy.persona]\n";
    let loaded = layered(org, "policy:\n  persona: auditor\n").unwrap();
    assert_eq!(policy(&loaded).persona, Persona::Auditor);
    let loaded = layered(org, "policy:\n  persona: pedantic\n").unwrap();
    assert_eq!(policy(&loaded).persona, Persona::Pedantic);
    let err = layered(org, "policy:\n  persona: regular\n").unwrap_err();
    assert_eq!(err.code, ExitCode::Usage);
    let org = "policy:\n  persona: auditor\nlock: [policy.persona]\n";
    for narrower in ["regular", "pedantic"] {
        let err = layered(org, &format!("policy:\n  persona: {narrower}\n")).unwrap_err();
        assert!(err.message.contains("policy.persona"), "{}", err.message);
    }
}

#[test]
fn policy_keys_lock_in_their_tighter_direction() {
    let org = "policy:\n  persona: pedantic\n  rules:\n    unpinned-uses:\n      enabled: true\n      severity: high\n  trigger_allowlist:\n    - {path: a.yml, reason: r, owner: o, expires: 2099-01-01}\n    - {path: b.yml, reason: r, owner: o, expires: 2099-01-01}\nlock: [policy.persona, policy.rules.unpinned-uses.enabled, policy.rules.unpinned-uses.severity, policy.trigger_allowlist, policy.pins]\n";
    let loaded = layered(
        org,
        "policy:\n  rules:\n    unpinned-uses:\n      severity: critical\n  trigger_allowlist:\n    - {path: a.yml, reason: r, owner: o, expires: 2099-01-01}\n",
    )
    .unwrap();
    assert_eq!(
        policy(&loaded).rules.unpinned_uses.severity,
        Some(Severity::Critical)
    );
    assert_eq!(policy(&loaded).trigger_allowlist.len(), 1);
    for (repo_text, key) in [
        ("policy:\n  persona: regular\n", "policy.persona"),
        (
            "policy:\n  rules:\n    unpinned-uses:\n      enabled: false\n",
            "policy.rules.unpinned-uses.enabled",
        ),
        (
            "policy:\n  rules:\n    unpinned-uses:\n      severity: medium\n",
            "policy.rules.unpinned-uses.severity",
        ),
        (
            "policy:\n  trigger_allowlist:\n    - {path: c.yml, reason: r, owner: o, expires: 2099-01-01}\n",
            "policy.trigger_allowlist",
        ),
        (
            "policy:\n  pins:\n    - {pattern: '*', policy: any}\n",
            "policy.pins",
        ),
    ] {
        let err = layered(org, repo_text).unwrap_err();
        assert_eq!(err.code, ExitCode::Usage);
        assert!(err.message.contains(key), "{key}: {}", err.message);
    }
}

#[test]
fn a_locked_pin_list_may_be_tightened_but_not_loosened() {
    let org = "policy:\n  pins:\n    - {pattern: '*', policy: ref-pin}\nlock: [policy.pins]\n";
    let tighter = "policy:\n  pins:\n    - {pattern: '*', policy: ref-pin}\n    - {pattern: 'acme/*', policy: hash-pin}\n";
    assert!(layered(org, tighter).is_ok());
    let looser = "policy:\n  pins:\n    - {pattern: '*', policy: ref-pin}\n    - {pattern: 'acme/tool', policy: any}\n";
    let err = layered(org, looser).unwrap_err();
    assert_eq!(err.code, ExitCode::Usage);
    assert!(
        err.message.contains("`policy.pins` is locked"),
        "{}",
        err.message
    );
}

/// `forbidden_uses.allow` may only shrink, `forbidden_uses.deny` only
/// grow, `dependabot_cooldown.days` only rise.
#[test]
fn forbidden_uses_and_cooldown_lock_in_their_tighter_direction() {
    let org = "policy:\n  forbidden_uses:\n    allow: [\"actions/*\", \"github/*\"]\n    deny: [\"tj-actions/*\"]\n  dependabot_cooldown:\n    days: 7\nlock: [policy.forbidden_uses.allow, policy.forbidden_uses.deny, policy.dependabot_cooldown.days]\n";
    let loaded = layered(
        org,
        "policy:\n  forbidden_uses:\n    allow: [\"actions/*\"]\n    deny: [\"tj-actions/*\", \"evil/*\"]\n  dependabot_cooldown:\n    days: 14\n",
    )
    .unwrap();
    let p = policy(&loaded);
    assert_eq!(p.forbidden_uses.allow, Some(vec!["actions/*".to_owned()]));
    assert_eq!(p.forbidden_uses.deny.len(), 2);
    assert_eq!(p.dependabot_cooldown.days, 14);
    for (repo_text, key) in [
        (
            "policy:\n  forbidden_uses:\n    allow: [\"actions/*\", \"*\"]\n",
            "policy.forbidden_uses.allow",
        ),
        (
            "policy:\n  forbidden_uses:\n    deny: []\n",
            "policy.forbidden_uses.deny",
        ),
        (
            "policy:\n  dependabot_cooldown:\n    days: 3\n",
            "policy.dependabot_cooldown.days",
        ),
    ] {
        let err = layered(org, repo_text).unwrap_err();
        assert_eq!(err.code, ExitCode::Usage, "{repo_text}");
        assert!(err.message.contains(key), "{key}: {}", err.message);
    }
}

/// A zizmor.yml's translated settings answer to the org's locks like the
/// repository's own `policy:` section: disabling a locked rule is refused,
/// naming the zizmor.yml key and the locked key.
#[test]
fn a_zizmor_config_is_checked_against_the_org_locks() {
    use ci_intel_policy::zizmor_config::ZizmorConfig;
    let sections = Sections::partial([ci_intel_policy::gate::section()]);
    let org_text = "policy:\n  rules:\n    artipacked:\n      severity: medium\nlock: [policy.rules.template-injection.enabled, policy.rules.artipacked.severity, policy.pins]\n";
    let org = load_from_texts(Some((Path::new("org.yml"), org_text)), None, &sections).unwrap();
    let check = |text: &str| {
        ZizmorConfig::parse(Path::new("zizmor.yml"), text)
            .unwrap()
            .check_locks(&org.locked, &org.effective, &sections)
    };
    for (text, zizmor_key, locked_key) in [
        (
            "rules:\n  template-injection:\n    disable: true\n",
            "rules.template-injection.disable",
            "policy.rules.template-injection.enabled",
        ),
        (
            "rules:\n  artipacked:\n    remap:\n      severity: low\n",
            "rules.artipacked.remap.severity",
            "policy.rules.artipacked.severity",
        ),
        (
            "rules:\n  unpinned-uses:\n    config:\n      policies:\n        actions/*: ref-pin\n",
            "rules.unpinned-uses.config.policies",
            "policy.pins",
        ),
    ] {
        let err = check(text).unwrap_err();
        assert_eq!(err.code, ExitCode::Usage);
        assert!(err.message.contains("zizmor.yml"), "{}", err.message);
        assert!(err.message.contains(zizmor_key), "{}", err.message);
        assert!(err.message.contains(locked_key), "{}", err.message);
    }
    // Tightening a locked key, or setting unlocked ones, is fine.
    check("rules:\n  artipacked:\n    remap:\n      severity: high\n  dangerous-triggers:\n    disable: true\n  unpinned-uses:\n    config:\n      policies:\n        '*': hash-pin\n")
        .unwrap();
}

/// Locked pins with subpath patterns: no action under the repository may
/// get a looser policy than the locked list gives it.
#[test]
fn locked_pins_hold_for_subpath_patterns() {
    let org = "policy:\n  pins:\n    - {pattern: '*', policy: ref-pin}\n    - {pattern: 'acme/tool/*', policy: hash-pin}\nlock: [policy.pins]\n";
    for (repo_text, ok) in [
        // Stricter for one subpath: fine.
        (
            "policy:\n  pins:\n    - {pattern: '*', policy: ref-pin}\n    - {pattern: 'acme/tool/*', policy: hash-pin}\n    - {pattern: 'acme/other/sub', policy: hash-pin}\n",
            true,
        ),
        // One subpath loosened.
        (
            "policy:\n  pins:\n    - {pattern: '*', policy: ref-pin}\n    - {pattern: 'acme/tool/*', policy: hash-pin}\n    - {pattern: 'acme/tool/sub', policy: any}\n",
            false,
        ),
        // The subpath entry dropped: acme/tool/x would fall to ref-pin.
        (
            "policy:\n  pins:\n    - {pattern: '*', policy: ref-pin}\n",
            false,
        ),
        // The repository-wide `owner/repo` entry does not loosen subpaths
        // that `owner/repo/*` still covers.
        (
            "policy:\n  pins:\n    - {pattern: '*', policy: ref-pin}\n    - {pattern: 'acme/tool/*', policy: hash-pin}\n    - {pattern: 'acme/tool', policy: hash-pin}\n",
            true,
        ),
    ] {
        let result = layered(org, repo_text);
        assert_eq!(result.is_ok(), ok, "{repo_text}: {:?}", result.err());
    }
}
