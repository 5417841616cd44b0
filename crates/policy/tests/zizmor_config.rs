//! zizmor's config file (`zizmor.yml`): the translation into `policy:`
//! settings, every refusal (each names the file and the key), the per-rule
//! ignore list and the secrets-outside-env allow list (allow and deny),
//! discovery and `--zizmor-config` / `--no-zizmor-config` end to end, the
//! org policy's locks, and a reader that never panics.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use chrono::NaiveDate;
use ci_intel_core::{ExitCode, Severity};
use ci_intel_policy::audit::{Options, audit_file};
use ci_intel_policy::config::{Persona, PinPolicy, PinRule, PolicyConfig};
use ci_intel_policy::zizmor_config::ZizmorConfig;
use predicates::prelude::*;
use proptest::prelude::*;

#[path = "support/cli.rs"]
mod cli;
use cli::audit;

const FILE: &str = "repo/.github/zizmor.yml";

fn translate(text: &str) -> PolicyConfig {
    let config = ZizmorConfig::parse(Path::new(FILE), text).unwrap_or_else(|e| panic!("{e}"));
    config.apply(&PolicyConfig::default()).unwrap()
}

fn refusal(text: &str) -> String {
    let err = ZizmorConfig::parse(Path::new(FILE), text).unwrap_err();
    assert_eq!(err.code, ExitCode::Usage, "{}", err.message);
    err.message
}

#[test]
fn disable_remap_and_ignore_map_to_every_rule_answering_to_the_audit() {
    let policy = translate(
        "rules:\n  template-injection:\n    disable: true\n  artipacked:\n    remap:\n      severity: informational\n  hardcoded-container-credentials:\n    remap:\n      severity: high\n  unpinned-uses:\n    disable: true\n    ignore: [ci.yml, 'release.yml:12', 'release.yml:14:9']\n  excessive-permissions:\n    disable: false\n",
    );
    assert!(!policy.rules.template_injection.enabled);
    assert_eq!(policy.rules.artipacked.severity, Some(Severity::Info));
    assert_eq!(
        policy.rules.hardcoded_credentials.severity,
        Some(Severity::High)
    );
    // zizmor's unpinned-uses covers our floating-ref too.
    assert!(!policy.rules.unpinned_uses.enabled);
    assert!(!policy.rules.floating_ref.enabled);
    assert_eq!(
        policy.rules.floating_ref.ignore,
        ["ci.yml", "release.yml:12", "release.yml:14:9"]
    );
    assert!(policy.rules.excessive_permissions.enabled);
    // Untouched keys keep the defaults.
    assert_eq!(policy.pins, PolicyConfig::default().pins);
}

#[test]
fn audit_configs_map_to_their_policy_keys() {
    let policy = translate(
        "rules:\n  unpinned-uses:\n    config:\n      policies:\n        actions/*: ref-pin\n        github/codeql-action/*: any\n        github/codeql-action/init: hash-pin\n  forbidden-uses:\n    config:\n      deny: [evil/*, 'actions/checkout@v3']\n  dependabot-cooldown:\n    config:\n      days: 3\n  secrets-outside-env:\n    config:\n      allow: [NOT_SO_SECRET]\n  known-vulnerable-actions:\n    config:\n      allow: [GHSA-5wxr-w449-57cm]\n",
    );
    assert_eq!(
        policy.pins,
        vec![
            PinRule {
                pattern: "actions/*".into(),
                policy: PinPolicy::RefPin
            },
            PinRule {
                pattern: "github/codeql-action/*".into(),
                policy: PinPolicy::Any
            },
            PinRule {
                pattern: "github/codeql-action/init".into(),
                policy: PinPolicy::HashPin
            },
        ]
    );
    assert_eq!(
        policy.forbidden_uses.deny,
        ["evil/*", "actions/checkout@v3"]
    );
    assert_eq!(policy.forbidden_uses.allow, None);
    assert_eq!(policy.dependabot_cooldown.days, 3);
    assert_eq!(policy.secrets_outside_env.allow, ["NOT_SO_SECRET"]);
    assert_eq!(
        policy.known_vulnerable_actions.allow,
        ["GHSA-5wxr-w449-57cm"]
    );
    let policy = translate("rules:\n  forbidden-uses:\n    config:\n      allow: []\n");
    assert_eq!(policy.forbidden_uses.allow, Some(vec![]));
    // `{}`: zizmor's default, hash-pinning everywhere.
    let policy = translate("rules:\n  unpinned-uses:\n    config:\n      policies: {}\n");
    assert_eq!(
        policy.pins,
        vec![PinRule {
            pattern: "*".into(),
            policy: PinPolicy::HashPin
        }]
    );
    // `rules: {}` and a rule with nothing under it change nothing.
    assert_eq!(translate("rules: {}\n"), PolicyConfig::default());
    assert_eq!(
        translate("rules:\n  artipacked:\n"),
        PolicyConfig::default()
    );
}

#[test]
fn the_subpath_pin_patterns_resolve_most_specific_first() {
    let policy = translate(
        "rules:\n  unpinned-uses:\n    config:\n      policies:\n        actions/*: ref-pin\n        github/codeql-action/*: ref-pin\n        github/codeql-action/init: hash-pin\n        acme/tool: any\n",
    );
    let eff = |name: &str| PinRule::effective(&policy.pins, name);
    assert_eq!(eff("github/codeql-action/init"), PinPolicy::HashPin);
    assert_eq!(eff("github/codeql-action/analyze"), PinPolicy::RefPin);
    assert_eq!(eff("GitHub/CodeQL-Action/Upload-Sarif"), PinPolicy::RefPin);
    assert_eq!(eff("github/codeql-action"), PinPolicy::RefPin);
    assert_eq!(eff("github/other"), PinPolicy::HashPin);
    assert_eq!(eff("actions/checkout"), PinPolicy::RefPin);
    // `owner/repo` still covers its subpaths, as before.
    assert_eq!(eff("acme/tool/sub"), PinPolicy::Any);
}

/// Every refusal: the message names the file and the key, and says what
/// was expected and what was found.
#[test]
fn every_invalid_config_is_refused_naming_the_file_and_the_key() {
    for (text, key, found) in [
        ("", "rules", "an empty document"),
        ("{}\n", "rules", "without it"),
        ("rule:\n  artipacked: {}\n", "rule", "`rule`"),
        ("- rules\n", "(the document)", "a list"),
        ("rules: []\n", "rules", "a list"),
        (
            "rules:\n  no-such-audit: {}\n",
            "rules.no-such-audit",
            "`no-such-audit`",
        ),
        // Our name, not zizmor's.
        (
            "rules:\n  hardcoded-credentials: {}\n",
            "rules.hardcoded-credentials",
            "`hardcoded-credentials`",
        ),
        (
            "rules:\n  artipacked:\n    disabled: true\n",
            "rules.artipacked.disabled",
            "`disabled`",
        ),
        (
            "rules:\n  artipacked:\n    disable: 'yes'\n",
            "rules.artipacked.disable",
            "`yes`",
        ),
        (
            "rules:\n  artipacked:\n    remap:\n      severity: critical\n",
            "rules.artipacked.remap.severity",
            "`critical`",
        ),
        (
            "rules:\n  artipacked:\n    remap:\n      confidence: low\n",
            "rules.artipacked.remap.confidence",
            "`confidence`",
        ),
        (
            "rules:\n  artipacked:\n    ignore: ci.yml\n",
            "rules.artipacked.ignore",
            "the string `ci.yml`",
        ),
        (
            "rules:\n  artipacked:\n    ignore: ['ci.yml:x']\n",
            "rules.artipacked.ignore[0]",
            "`x`",
        ),
        (
            "rules:\n  artipacked:\n    ignore: ['ci.yml:0']\n",
            "rules.artipacked.ignore[0]",
            "`0`",
        ),
        (
            "rules:\n  artipacked:\n    ignore: ['.github/workflows/ci.yml']\n",
            "rules.artipacked.ignore[0]",
            "base name",
        ),
        (
            "rules:\n  artipacked:\n    ignore: ['ci.yml:1:2:3']\n",
            "rules.artipacked.ignore[0]",
            "more than three",
        ),
        (
            "rules:\n  artipacked:\n    config:\n      x: 1\n",
            "rules.artipacked.config",
            "a mapping of 1 key",
        ),
        (
            "rules:\n  unpinned-uses:\n    config:\n      policies: []\n",
            "rules.unpinned-uses.config.policies",
            "a list of 0",
        ),
        (
            "rules:\n  unpinned-uses:\n    config:\n      policies:\n        lol: any\n",
            "rules.unpinned-uses.config.policies.lol",
            "`lol`",
        ),
        (
            "rules:\n  unpinned-uses:\n    config:\n      policies:\n        'foo/': any\n",
            "rules.unpinned-uses.config.policies.foo/",
            "`foo/`",
        ),
        (
            "rules:\n  unpinned-uses:\n    config:\n      policies:\n        '*/foo': any\n",
            "rules.unpinned-uses.config.policies.*/foo",
            "`*/foo`",
        ),
        (
            "rules:\n  unpinned-uses:\n    config:\n      policies:\n        'foo/b*r': any\n",
            "rules.unpinned-uses.config.policies.foo/b*r",
            "`foo/b*r`",
        ),
        (
            "rules:\n  unpinned-uses:\n    config:\n      policies:\n        'foo/*': does not exist\n",
            "rules.unpinned-uses.config.policies.foo/*",
            "`does not exist`",
        ),
        (
            "rules:\n  unpinned-uses:\n    config:\n      policies:\n        'foo/bar@v1': hash-pin\n",
            "rules.unpinned-uses.config.policies.foo/bar@v1",
            "`foo/bar@v1`",
        ),
        (
            "rules:\n  unpinned-uses:\n    config:\n      pollicies: {}\n",
            "rules.unpinned-uses.config.pollicies",
            "did you mean `policies`",
        ),
        (
            "rules:\n  forbidden-uses:\n    config:\n      allow: ['*/*']\n",
            "rules.forbidden-uses.config.allow[0]",
            "`*/*`",
        ),
        (
            "rules:\n  forbidden-uses:\n    config:\n      mystery-variant: ['actions/*']\n",
            "rules.forbidden-uses.config.mystery-variant",
            "`mystery-variant`",
        ),
        (
            "rules:\n  forbidden-uses:\n    config:\n      allow: [a/b]\n      deny: [c/d]\n",
            "rules.forbidden-uses.config",
            "2 of them",
        ),
        (
            "rules:\n  forbidden-uses:\n    config: {}\n",
            "rules.forbidden-uses.config",
            "0 of them",
        ),
        (
            "rules:\n  forbidden-uses:\n    config:\n      deny: [1]\n",
            "rules.forbidden-uses.config.deny[0]",
            "the number `1`",
        ),
        (
            "rules:\n  dependabot-cooldown:\n    config:\n      days: 0\n",
            "rules.dependabot-cooldown.config.days",
            "`0`",
        ),
        (
            "rules:\n  dependabot-cooldown:\n    config:\n      days: -1\n",
            "rules.dependabot-cooldown.config.days",
            "`-1`",
        ),
        (
            "rules:\n  dependabot-cooldown:\n    config:\n      days: lol\n",
            "rules.dependabot-cooldown.config.days",
            "`lol`",
        ),
        (
            "rules:\n  dependabot-cooldown:\n    config:\n      days: 1.5\n",
            "rules.dependabot-cooldown.config.days",
            "`1.5`",
        ),
        (
            "rules:\n  secrets-outside-env:\n    config:\n      mystery-variant: 42\n",
            "rules.secrets-outside-env.config.mystery-variant",
            "`mystery-variant`",
        ),
        (
            "rules:\n  secrets-outside-env:\n    config:\n      allow: A\n",
            "rules.secrets-outside-env.config.allow",
            "the string `A`",
        ),
        (
            "rules:\n  known-vulnerable-actions:\n    config:\n      allow: {}\n",
            "rules.known-vulnerable-actions.config.allow",
            "a mapping",
        ),
        ("rules: [unclosed\n", "", "invalid YAML"),
    ] {
        let message = refusal(text);
        assert!(message.contains(FILE), "{text:?}: no file in {message}");
        assert!(
            message.contains(&format!("`{key}`")) || key.is_empty(),
            "{text:?}: no key `{key}` in {message}"
        );
        assert!(
            message.contains(found),
            "{text:?}: no `{found}` in {message}"
        );
        assert!(
            message.contains("--no-zizmor-config"),
            "{text:?}: no way out in {message}"
        );
    }
}

fn opts(policy: &PolicyConfig, persona: Persona) -> Options {
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    Options::new(policy, persona, None, today).unwrap()
}

const INJECTABLE: &str = "on: issues\npermissions: {}\njobs:\n  greet:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo \"${{ github.event.issue.title }}\"\n      - run: echo \"${{ github.event.issue.body }}\"\n";

fn rules_found(policy: &PolicyConfig, file: &str, text: &str) -> (Vec<u32>, usize) {
    let out = audit_file(file, text, None, &opts(policy, Persona::Regular));
    let lines = out
        .findings
        .iter()
        .filter(|f| f.rule_id == "template-injection")
        .map(|f| f.location.as_ref().unwrap().line.unwrap())
        .collect();
    let quiet = out
        .suppressed
        .iter()
        .filter(|f| f.rule_id == "template-injection")
        .count();
    (lines, quiet)
}

/// The per-rule ignore list: a matching entry silences (the finding is
/// listed as suppressed), a non-matching one does not.
#[test]
fn ignore_lists_silence_matching_findings_only() {
    let path = ".github/workflows/greet.yml";
    let (lines, quiet) = rules_found(&PolicyConfig::default(), path, INJECTABLE);
    assert_eq!((lines, quiet), (vec![7, 8], 0), "the deny baseline");
    let with = |entries: &[&str]| {
        let mut policy = PolicyConfig::default();
        policy.rules.template_injection.ignore = entries.iter().map(|e| (*e).to_owned()).collect();
        rules_found(&policy, path, INJECTABLE)
    };
    // Allowed: the whole file, one line, one line and column.
    assert_eq!(with(&["greet.yml"]), (vec![], 2));
    assert_eq!(with(&["greet.yml:7"]), (vec![8], 1));
    let col = {
        let out = audit_file(
            path,
            INJECTABLE,
            None,
            &opts(&PolicyConfig::default(), Persona::Regular),
        );
        out.findings[0].location.as_ref().unwrap().column.unwrap()
    };
    assert_eq!(with(&[&format!("greet.yml:7:{col}")]), (vec![8], 1));
    // Denied: another file, another line, another column, another rule's list.
    assert_eq!(with(&["other.yml"]), (vec![7, 8], 0));
    assert_eq!(with(&["greet.yml:9"]), (vec![7, 8], 0));
    assert_eq!(
        with(&[&format!("greet.yml:7:{}", col + 1)]),
        (vec![7, 8], 0)
    );
    let mut policy = PolicyConfig::default();
    policy.rules.artipacked.ignore = vec!["greet.yml".into()];
    assert_eq!(rules_found(&policy, path, INJECTABLE), (vec![7, 8], 0));
    // An invalid entry in `policy:` is a usage error naming its key.
    let mut policy = PolicyConfig::default();
    policy.rules.template_injection.ignore = vec!["greet.yml:seven".into()];
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let err = Options::new(&policy, Persona::Regular, None, today).unwrap_err();
    assert!(
        err.message
            .contains("policy.rules.template-injection.ignore[0]"),
        "{}",
        err.message
    );
}

const SECRETS: &str = "on: push\npermissions: {}\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: ./deploy.sh\n        env:\n          A: ${{ secrets.NOT_SO_SECRET }}\n          B: ${{ secrets.DEPLOY_KEY }}\n";

fn secrets_reported(policy: &PolicyConfig) -> Vec<String> {
    audit_file("deploy.yml", SECRETS, None, &opts(policy, Persona::Auditor))
        .findings
        .into_iter()
        .filter(|f| f.rule_id == "secrets-outside-env")
        .map(|f| f.message)
        .collect()
}

#[test]
fn secrets_outside_env_allow_list_allows_named_secrets_and_denies_the_rest() {
    assert_eq!(secrets_reported(&PolicyConfig::default()).len(), 2);
    let policy =
        translate("rules:\n  secrets-outside-env:\n    config:\n      allow: [not_so_secret]\n");
    let left = secrets_reported(&policy);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(
        left[0].contains("deploy_key") || left[0].contains("DEPLOY_KEY"),
        "{left:?}"
    );
    let policy = translate("rules:\n  secrets-outside-env:\n    config:\n      allow: []\n");
    assert_eq!(secrets_reported(&policy).len(), 2);
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A scratch repository: `.git` stops discovery from walking further up.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    write(dir.path(), ".github/workflows/greet.yml", INJECTABLE);
    dir
}

#[test]
fn discovery_finds_zizmor_yml_in_the_root_or_dot_github_and_can_be_turned_off() {
    for place in [
        "zizmor.yml",
        "zizmor.yaml",
        ".github/zizmor.yml",
        ".github/zizmor.yaml",
    ] {
        let dir = repo();
        write(
            dir.path(),
            place,
            "rules:\n  template-injection:\n    ignore: [greet.yml]\n",
        );
        // From the root, from .github/workflows and from the file itself.
        for input in [".", ".github/workflows", ".github/workflows/greet.yml"] {
            audit(dir.path())
                .arg(input)
                .assert()
                .code(0)
                .stderr(predicate::str::contains("using zizmor config"))
                .stderr(predicate::str::contains(place));
        }
        audit(dir.path())
            .args([".", "--no-zizmor-config"])
            .assert()
            .code(1)
            .stdout(predicate::str::contains("template-injection"))
            .stderr(predicate::str::contains("zizmor config").not());
    }
}

#[test]
fn an_explicit_zizmor_config_wins_and_an_invalid_one_is_exit_2() {
    let dir = repo();
    write(
        dir.path(),
        ".github/zizmor.yml",
        "rules:\n  template-injection:\n    disable: true\n",
    );
    write(
        dir.path(),
        "strict.yml",
        "rules:\n  artipacked:\n    disable: true\n",
    );
    audit(dir.path())
        .args([".", "--zizmor-config", "strict.yml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("strict.yml"));
    write(
        dir.path(),
        "bad.yml",
        "rules:\n  template-injection:\n    disable: maybe\n",
    );
    audit(dir.path())
        .args([".", "--zizmor-config", "bad.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.yml"))
        .stderr(predicate::str::contains("rules.template-injection.disable"));
    audit(dir.path())
        .args([".", "--zizmor-config", "missing.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.yml"));
    // A discovered invalid file is refused too, never skipped.
    write(dir.path(), ".github/zizmor.yml", "rule: {}\n");
    audit(dir.path())
        .arg(".")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(".github/zizmor.yml"));
}

/// A zizmor.yml that loosens a key the org policy locked is refused,
/// naming the zizmor.yml key; one that keeps or tightens it is not.
#[test]
fn a_zizmor_config_cannot_loosen_a_locked_org_policy() {
    let dir = repo();
    write(
        dir.path(),
        "org.yml",
        "version: 1\npolicy:\n  rules:\n    template-injection:\n      enabled: true\n  secrets_outside_env:\n    allow: [A]\nlock: [policy.rules.template-injection.enabled, policy.secrets_outside_env.allow]\n",
    );
    write(
        dir.path(),
        ".github/zizmor.yml",
        "rules:\n  template-injection:\n    disable: true\n",
    );
    audit(dir.path())
        .args([".", "--org-policy", "org.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rules.template-injection.disable"))
        .stderr(predicate::str::contains(
            "policy.rules.template-injection.enabled",
        ))
        .stderr(predicate::str::contains("locks"));
    write(
        dir.path(),
        ".github/zizmor.yml",
        "rules:\n  secrets-outside-env:\n    config:\n      allow: [A, B]\n",
    );
    audit(dir.path())
        .args([".", "--org-policy", "org.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "rules.secrets-outside-env.config.allow",
        ));
    // Tightening (a subset of the allow list) and unlocked keys pass.
    write(
        dir.path(),
        ".github/zizmor.yml",
        "rules:\n  secrets-outside-env:\n    config:\n      allow: []\n  artipacked:\n    disable: true\n",
    );
    audit(dir.path())
        .args([".", "--org-policy", "org.yml"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("template-injection"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary text: the reader answers (a translation or a refusal
    /// naming the file), never panics.
    #[test]
    fn the_reader_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        match ZizmorConfig::parse(Path::new(FILE), &text) {
            Ok(config) => { let _ = config.apply(&PolicyConfig::default()); }
            Err(e) => prop_assert!(e.message.contains(FILE)),
        }
    }

    /// YAML-shaped input built from zizmor's own keys and values, nested
    /// arbitrarily: a translation that applies, or a refusal naming the file.
    #[test]
    fn the_reader_never_panics_on_yaml_built_from_its_own_keys(
        audit in prop::sample::select(vec!["unpinned-uses", "forbidden-uses", "dependabot-cooldown", "secrets-outside-env", "known-vulnerable-actions", "artipacked", "rules", "x"]),
        key in prop::sample::select(vec!["disable", "ignore", "remap", "config", "policies", "allow", "deny", "days", "severity", "zz"]),
        inner in prop::sample::select(vec!["policies", "allow", "deny", "days", "severity", "*", "a/b", "a/*", "a/b/*", "a/b/c"]),
        value in prop::sample::select(vec!["true", "0", "-3", "7", "[]", "{}", "~", "[a/b, '*']", "{'*': any}", "{a/b: ref-pin}", "high", "'x:1:2'", "[ci.yml, 'ci.yml:3']", "&a [*a]"]),
    ) {
        let text = format!("rules:\n  {audit}:\n    {key}:\n      {inner}: {value}\n");
        match ZizmorConfig::parse(Path::new(FILE), &text) {
            Ok(config) => {
                let policy = config.apply(&PolicyConfig::default()).unwrap();
                let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
                prop_assert!(Options::new(&policy, Persona::Regular, None, today).is_ok(), "{text}");
            }
            Err(e) => prop_assert!(e.message.contains(FILE), "{}", e.message),
        }
    }
}
