//! zizmor's configuration file (`zizmor.yml`), read strictly and translated
//! into `policy:` settings, so a repository moving from zizmor keeps its
//! configuration.
//!
//! What maps to what (docs/policy.md, "zizmor's config file"):
//!
//! | zizmor.yml | `policy:` |
//! |---|---|
//! | `rules.<audit>.disable: true` | `rules.<id>.enabled: false` |
//! | `rules.<audit>.remap.severity` | `rules.<id>.severity` |
//! | `rules.<audit>.ignore` | `rules.<id>.ignore` |
//! | `rules.unpinned-uses.config.policies` | `pins` |
//! | `rules.forbidden-uses.config.allow` / `deny` | `forbidden_uses.allow` / `deny` |
//! | `rules.dependabot-cooldown.config.days` | `dependabot_cooldown.days` |
//! | `rules.secrets-outside-env.config.allow` | `secrets_outside_env.allow` |
//! | `rules.known-vulnerable-actions.config.allow` | `known_vulnerable_actions.allow` |
//!
//! `<id>` is every rule of ours that answers to zizmor's audit name (the
//! names ignore comments accept: `hardcoded-container-credentials` is our
//! `hardcoded-credentials`; `unpinned-uses` also covers our `floating-ref`,
//! `ref-version-mismatch` our `pin-comment`).
//!
//! Anything else is refused with exit 2 and a message naming the file, the
//! key, what was expected and what was found: an unknown key or audit, a
//! value of the wrong type, an invalid pattern, a policy zizmor does not
//! have. Nothing is skipped silently.
//!
//! The settings are an overlay on the repository's `policy:` section and
//! answer to the org policy's locks like it ([`ZizmorConfig::check_locks`]).

use std::path::{Path, PathBuf};

use ci_intel_core::Failure;
use ci_intel_core::config::{Sections, did_you_mean, lock_direction};
use serde_json::{Map, Value as Json};
use yaml_serde::Value as Yaml;

use crate::audit::rules;
use crate::audit::valid_pin_pattern;
use crate::config::{ALL_RULE_IDS, IgnoreEntry, PolicyConfig};

/// zizmor 1.32's audit names (`zizmor --help`, docs/audits.md), including
/// those no conformance case exercises (the conformance table lists every
/// one).
pub const ZIZMOR_AUDITS: &[&str] = &[
    "adhoc-packages",
    "anonymous-definition",
    "archived-uses",
    "artipacked",
    "bot-conditions",
    "cache-poisoning",
    "concurrency-limits",
    "dangerous-triggers",
    "dependabot-cooldown",
    "dependabot-execution",
    "excessive-permissions",
    "forbidden-uses",
    "github-app",
    "github-env",
    "hardcoded-container-credentials",
    "impostor-commit",
    "insecure-commands",
    "insecure-url-scheme",
    "known-vulnerable-actions",
    "misfeature",
    "obfuscation",
    "overprovisioned-secrets",
    "ref-confusion",
    "ref-version-mismatch",
    "secrets-inherit",
    "secrets-outside-env",
    "self-hosted-runner",
    "self-repository",
    "stale-action-refs",
    "superfluous-actions",
    "template-injection",
    "typosquat-uses",
    "undocumented-permissions",
    "unpinned-images",
    "unpinned-tools",
    "unpinned-uses",
    "unredacted-secrets",
    "unsound-condition",
    "unsound-contains",
    "unsound-ternary",
    "use-trusted-publishing",
];

/// The file names zizmor discovers, in its order of preference.
pub const FILE_NAMES: &[&str] = &["zizmor.yml", "zizmor.yaml"];

/// One translated setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// The key under `policy.` (`["rules", "artipacked", "enabled"]`).
    pub key: Vec<String>,
    pub value: Json,
    /// The zizmor.yml key it came from (`rules.artipacked.disable`).
    pub source: String,
}

impl Setting {
    /// `policy.rules.artipacked.enabled`.
    pub fn dotted(&self) -> String {
        format!("policy.{}", self.key.join("."))
    }
}

/// A zizmor configuration file, translated.
#[derive(Debug, Clone, PartialEq)]
pub struct ZizmorConfig {
    pub path: PathBuf,
    pub settings: Vec<Setting>,
}

/// Our rule ids that answer to zizmor's audit `name`.
pub fn our_rules(name: &str) -> Vec<&'static str> {
    ALL_RULE_IDS
        .iter()
        .copied()
        .filter(|id| *id == name || rules::ignore_names(id).contains(&name))
        .collect()
}

/// The error every refusal shares: file, key, expected, found, what to do.
fn refuse(path: &Path, key: &str, expected: &str, found: &str) -> Failure {
    Failure::usage(format!(
        "{}: zizmor config key `{key}`: expected {expected}, found {found}; fix or remove it (docs/policy.md, \"zizmor's config file\"), or pass --no-zizmor-config to audit without it",
        path.display()
    ))
}

fn describe(value: &Yaml) -> String {
    match value {
        Yaml::Null => "nothing (null)".to_owned(),
        Yaml::Bool(b) => format!("the boolean `{b}`"),
        Yaml::Number(n) => format!("the number `{n}`"),
        Yaml::String(s) => format!("the string `{}`", short(s)),
        Yaml::Sequence(items) => format!("a list of {} item(s)", items.len()),
        Yaml::Mapping(map) => format!("a mapping of {} key(s)", map.len()),
        Yaml::Tagged(tagged) => format!("a value tagged `{}`", tagged.tag),
    }
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if out.len() < s.len() {
        out.push_str("...");
    }
    out.replace('\n', "\\n")
}

/// A mapping's entries with string keys, refusing any other key.
fn entries<'a>(
    path: &Path,
    key: &str,
    value: &'a Yaml,
    expected: &str,
) -> Result<Vec<(&'a str, &'a Yaml)>, Failure> {
    let Yaml::Mapping(map) = value else {
        return Err(refuse(path, key, expected, &describe(value)));
    };
    map.iter()
        .map(|(k, v)| match k {
            Yaml::String(name) => Ok((name.as_str(), v)),
            other => Err(refuse(
                path,
                key,
                "string keys",
                &format!("a key that is {}", describe(other)),
            )),
        })
        .collect()
}

fn unknown(path: &Path, key: &str, name: &str, known: &[&str]) -> Failure {
    let hint = did_you_mean(name, known.iter().copied())
        .map(|best| format!(" (did you mean `{best}`?)"))
        .unwrap_or_default();
    refuse(
        path,
        key,
        &format!("one of {}", list(known)),
        &format!("the unknown key `{}`{hint}", short(name)),
    )
}

fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn strings(path: &Path, key: &str, value: &Yaml, what: &str) -> Result<Vec<String>, Failure> {
    let Yaml::Sequence(items) = value else {
        return Err(refuse(
            path,
            key,
            &format!("a list of {what}"),
            &describe(value),
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Yaml::String(s) => Ok(s.clone()),
            other => Err(refuse(path, &format!("{key}[{i}]"), what, &describe(other))),
        })
        .collect()
}

impl ZizmorConfig {
    /// Read and translate the file at `path`.
    pub fn read(path: &Path) -> Result<ZizmorConfig, Failure> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::usage(format!(
                "cannot read zizmor config {}: {e}; check the path (and that it is UTF-8 text), or pass --no-zizmor-config",
                path.display()
            ))
        })?;
        ZizmorConfig::parse(path, &text)
    }

    /// Translate `text`, read from `path` (named in every error).
    pub fn parse(path: &Path, text: &str) -> Result<ZizmorConfig, Failure> {
        let doc: Yaml = yaml_serde::from_str(text).map_err(|e| {
            Failure::usage(format!(
                "{}: not a valid zizmor config: invalid YAML: {e}; fix the YAML, or pass --no-zizmor-config",
                path.display()
            ))
        })?;
        let mut settings = Vec::new();
        // zizmor requires `rules:`, even in an empty file.
        if matches!(doc, Yaml::Null) {
            return Err(refuse(
                path,
                "rules",
                "a mapping with `rules:` (zizmor requires it)",
                "an empty document",
            ));
        }
        let top = entries(path, "(the document)", &doc, "a mapping with `rules:`")?;
        for (name, _) in &top {
            if *name != "rules" {
                return Err(unknown(path, name, name, &["rules"]));
            }
        }
        let Some((_, rules_value)) = top.first() else {
            return Err(refuse(
                path,
                "rules",
                "a mapping with `rules:` (zizmor requires it)",
                "a mapping without it",
            ));
        };
        for (audit, body) in entries(path, "rules", rules_value, "a mapping of audit names")? {
            let key = format!("rules.{audit}");
            if !ZIZMOR_AUDITS.contains(&audit) {
                return Err(unknown(path, &key, audit, ZIZMOR_AUDITS));
            }
            translate_rule(path, audit, &key, body, &mut settings)?;
        }
        Ok(ZizmorConfig {
            path: path.to_path_buf(),
            settings,
        })
    }

    /// The settings as a `policy:` layer (only the keys they set).
    pub fn layer(&self) -> Json {
        let mut root = Json::Object(Map::new());
        for setting in &self.settings {
            set(&mut root, &setting.key, setting.value.clone());
        }
        root
    }

    /// `policy` with these settings laid over it; an invalid result is a
    /// usage error naming this file.
    pub fn apply(&self, policy: &PolicyConfig) -> Result<PolicyConfig, Failure> {
        let mut value = serde_json::to_value(policy)
            .map_err(|e| Failure::usage(format!("cannot serialise the policy section: {e}")))?;
        for setting in &self.settings {
            set(&mut value, &setting.key, setting.value.clone());
        }
        serde_json::from_value(value).map_err(|e| {
            Failure::usage(format!(
                "{}: the zizmor config gives an invalid policy section: {e}; fix the file, or pass --no-zizmor-config",
                self.path.display()
            ))
        })
    }

    /// Refuse a setting that loosens a key the org policy locked. `locked`
    /// is the org's `lock:` list, `org` the configuration the org layer
    /// gives (hub defaults and org policy, before the repository's), as
    /// the repository's own `policy:` section is checked.
    pub fn check_locks(
        &self,
        locked: &[String],
        org: &Json,
        sections: &Sections,
    ) -> Result<(), Failure> {
        for setting in &self.settings {
            let dotted = setting.dotted();
            if !locked.contains(&dotted) {
                continue;
            }
            let mut at = org;
            let mut locked_value = Some(at);
            for part in dotted.split('.') {
                locked_value = at.get(part);
                match locked_value {
                    Some(v) => at = v,
                    None => break,
                }
            }
            let locked_value = locked_value.cloned().unwrap_or(Json::Null);
            let direction = lock_direction(sections, &dotted).map_err(Failure::usage)?;
            if direction.allows(&locked_value, &setting.value) {
                continue;
            }
            return Err(Failure::usage(format!(
                "{}: zizmor config key `{}` sets `{dotted}` to {}, but the org policy locks `{dotted}` at {locked_value}, and a locked key may only be tightened: {}. Remove `{}` from {}, or ask the org policy's owners.",
                self.path.display(),
                setting.source,
                setting.value,
                direction.advice(&locked_value),
                setting.source,
                self.path.display(),
            )));
        }
        Ok(())
    }
}

fn set(root: &mut Json, key: &[String], value: Json) {
    let mut node = root;
    for part in &key[..key.len().saturating_sub(1)] {
        if !node.is_object() {
            *node = Json::Object(Map::new());
        }
        let Json::Object(map) = node else {
            return;
        };
        node = map
            .entry(part.clone())
            .or_insert_with(|| Json::Object(Map::new()));
    }
    if let (Some(last), Json::Object(map)) = (key.last(), &mut *node) {
        map.insert(last.clone(), value);
    } else if let Some(last) = key.last() {
        let mut map = Map::new();
        map.insert(last.clone(), value);
        *node = Json::Object(map);
    }
}

fn push(settings: &mut Vec<Setting>, key: &[&str], value: Json, source: &str) {
    settings.push(Setting {
        key: key.iter().map(|k| (*k).to_owned()).collect(),
        value,
        source: source.to_owned(),
    });
}

const RULE_KEYS: &[&str] = &["disable", "ignore", "remap", "config"];

fn translate_rule(
    path: &Path,
    audit: &str,
    key: &str,
    body: &Yaml,
    settings: &mut Vec<Setting>,
) -> Result<(), Failure> {
    if matches!(body, Yaml::Null) {
        return Ok(());
    }
    let ours = our_rules(audit);
    for (name, value) in entries(
        path,
        key,
        body,
        "a mapping of `disable`, `ignore`, `remap` or `config`",
    )? {
        let key = format!("{key}.{name}");
        match name {
            "disable" => match value {
                Yaml::Bool(true) => {
                    for id in &ours {
                        push(settings, &["rules", id, "enabled"], Json::Bool(false), &key);
                    }
                }
                Yaml::Bool(false) => {}
                other => return Err(refuse(path, &key, "`true` or `false`", &describe(other))),
            },
            "ignore" => {
                let entries = strings(
                    path,
                    &key,
                    value,
                    "`FILE`, `FILE:LINE` or `FILE:LINE:COLUMN`",
                )?;
                for (i, entry) in entries.iter().enumerate() {
                    IgnoreEntry::parse(entry).map_err(|why| {
                        refuse(
                            path,
                            &format!("{key}[{i}]"),
                            "`FILE`, `FILE:LINE` or `FILE:LINE:COLUMN`",
                            &why,
                        )
                    })?;
                }
                let list = Json::Array(entries.into_iter().map(Json::String).collect());
                for id in &ours {
                    push(settings, &["rules", id, "ignore"], list.clone(), &key);
                }
            }
            "remap" => {
                for (field, v) in entries(path, &key, value, "a mapping with `severity`")? {
                    let sub = format!("{key}.{field}");
                    if field != "severity" {
                        return Err(unknown(path, &sub, field, &["severity"]));
                    }
                    let severity = match v {
                        Yaml::String(s) => match s.as_str() {
                            "informational" => "info",
                            "low" => "low",
                            "medium" => "medium",
                            "high" => "high",
                            _ => "",
                        },
                        _ => "",
                    };
                    if severity.is_empty() {
                        return Err(refuse(
                            path,
                            &sub,
                            "one of `informational`, `low`, `medium`, `high`",
                            &describe(v),
                        ));
                    }
                    for id in &ours {
                        push(
                            settings,
                            &["rules", id, "severity"],
                            Json::String(severity.to_owned()),
                            &sub,
                        );
                    }
                }
            }
            "config" => translate_audit_config(path, audit, &key, value, settings)?,
            other => return Err(unknown(path, &key, other, RULE_KEYS)),
        }
    }
    Ok(())
}

fn translate_audit_config(
    path: &Path,
    audit: &str,
    key: &str,
    value: &Yaml,
    settings: &mut Vec<Setting>,
) -> Result<(), Failure> {
    let fields: &[&str] = match audit {
        "unpinned-uses" => &["policies"],
        "forbidden-uses" => &["allow", "deny"],
        "dependabot-cooldown" => &["days"],
        "secrets-outside-env" | "known-vulnerable-actions" => &["allow"],
        _ => {
            return Err(refuse(
                path,
                key,
                &format!(
                    "no `config` (zizmor's `{audit}` has no settings; `config` is for unpinned-uses, forbidden-uses, dependabot-cooldown, secrets-outside-env and known-vulnerable-actions)"
                ),
                &describe(value),
            ));
        }
    };
    let given = entries(path, key, value, &format!("a mapping of {}", list(fields)))?;
    for (name, _) in &given {
        if !fields.contains(name) {
            return Err(unknown(path, &format!("{key}.{name}"), name, fields));
        }
    }
    if audit == "forbidden-uses" && given.len() != 1 {
        return Err(refuse(
            path,
            key,
            "exactly one of `allow` or `deny`",
            &format!("{} of them", given.len()),
        ));
    }
    for (name, v) in given {
        let sub = format!("{key}.{name}");
        match (audit, name) {
            ("unpinned-uses", "policies") => {
                let mut pins = Vec::new();
                for (pattern, policy) in entries(
                    path,
                    &sub,
                    v,
                    "a mapping of `uses:` patterns to `hash-pin`, `ref-pin` or `any`",
                )? {
                    let at = format!("{sub}.{pattern}");
                    if !valid_pin_pattern(pattern) {
                        return Err(refuse(
                            path,
                            &at,
                            "a pattern `*`, `owner/*`, `owner/repo`, `owner/repo/*` or `owner/repo/sub/path` (no `@ref`, `*` only as a whole segment at the end)",
                            &format!("`{}`", short(pattern)),
                        ));
                    }
                    let policy = match policy {
                        Yaml::String(s) if matches!(s.as_str(), "hash-pin" | "ref-pin" | "any") => {
                            s.clone()
                        }
                        other => {
                            return Err(refuse(
                                path,
                                &at,
                                "one of `hash-pin`, `ref-pin`, `any`",
                                &describe(other),
                            ));
                        }
                    };
                    pins.push(serde_json::json!({"pattern": pattern, "policy": policy}));
                }
                if pins.is_empty() {
                    // `{}`: zizmor's default, hash-pinning everywhere.
                    pins.push(serde_json::json!({"pattern": "*", "policy": "hash-pin"}));
                }
                push(settings, &["pins"], Json::Array(pins), &sub);
            }
            ("forbidden-uses", list_name) => {
                let patterns = strings(path, &sub, v, "repository patterns")?;
                for (i, pattern) in patterns.iter().enumerate() {
                    rules::forbidden_uses::check_pattern(pattern).map_err(|why| {
                        refuse(
                            path,
                            &format!("{sub}[{i}]"),
                            "a repository pattern (`owner/repo[/path][@ref]`, `owner/repo/*`, `owner/*` or `*`)",
                            &format!("`{}` ({why})", short(pattern)),
                        )
                    })?;
                }
                let value = Json::Array(patterns.into_iter().map(Json::String).collect());
                push(settings, &["forbidden_uses", list_name], value, &sub);
            }
            ("dependabot-cooldown", "days") => {
                let days = match v {
                    Yaml::Number(n) => n.as_u64().filter(|d| (1..=u64::from(u32::MAX)).contains(d)),
                    _ => None,
                };
                let Some(days) = days else {
                    return Err(refuse(
                        path,
                        &sub,
                        "a whole number of days, 1 or more",
                        &describe(v),
                    ));
                };
                push(
                    settings,
                    &["dependabot_cooldown", "days"],
                    Json::from(days),
                    &sub,
                );
            }
            ("secrets-outside-env", "allow") => {
                let names = strings(path, &sub, v, "secret names")?;
                let value = Json::Array(names.into_iter().map(Json::String).collect());
                push(settings, &["secrets_outside_env", "allow"], value, &sub);
            }
            ("known-vulnerable-actions", "allow") => {
                let ids = strings(path, &sub, v, "advisory ids (`GHSA-xxxx-xxxx-xxxx`)")?;
                let value = Json::Array(ids.into_iter().map(Json::String).collect());
                push(
                    settings,
                    &["known_vulnerable_actions", "allow"],
                    value,
                    &sub,
                );
            }
            _ => return Err(unknown(path, &sub, name, fields)),
        }
    }
    Ok(())
}

/// The zizmor config zizmor would discover for one input: for a directory,
/// `zizmor.yml` or `zizmor.yaml` in it or its `.github/`, then in each
/// parent up to the first holding `.git` (or the filesystem root); for a
/// file, the same from the directory holding it.
pub fn discover_for(input: &Path) -> Option<PathBuf> {
    let input = std::path::absolute(input).unwrap_or_else(|_| input.to_path_buf());
    let mut dir = if input.is_dir() {
        Some(input.as_path())
    } else {
        input.parent()
    };
    while let Some(d) = dir {
        for base in [d.to_path_buf(), d.join(".github")] {
            for name in FILE_NAMES {
                let candidate = base.join(name);
                if candidate.is_file() {
                    return Some(candidate);
                }
            }
        }
        if d.join(".git").exists() {
            break;
        }
        dir = d.parent();
    }
    None
}

/// The one zizmor config for a run over `inputs`, by discovery. Inputs
/// that discover different files are refused: one run applies one
/// configuration (audit them separately, or name one with --zizmor-config).
pub fn discover(inputs: &[PathBuf]) -> Result<Option<PathBuf>, Failure> {
    let mut found: Option<(PathBuf, &Path)> = None;
    for input in inputs {
        let Some(path) = discover_for(input) else {
            continue;
        };
        match &found {
            Some((first, from)) if *first != path => {
                return Err(Failure::usage(format!(
                    "the inputs discover different zizmor configs: {} (for {}) and {} (for {}); one run applies one configuration: audit them separately, pass --zizmor-config PATH, or --no-zizmor-config",
                    first.display(),
                    from.display(),
                    path.display(),
                    input.display()
                )));
            }
            Some(_) => {}
            None => found = Some((path, input)),
        }
    }
    Ok(found.map(|(path, _)| path))
}
