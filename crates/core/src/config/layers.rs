//! Reading, validating, merging and lock-checking the configuration layers.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::model::{CONFIG_VERSION, Config, config_schema};
use super::tighten::Tighten;
use super::{REPO_CONFIG_PATH, did_you_mean, yaml_locate};
use crate::exit::Failure;

/// Which layer a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerSource {
    HubDefaults,
    Org(PathBuf),
    Repository(PathBuf),
}

impl std::fmt::Display for LayerSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LayerSource::HubDefaults => f.write_str("hub defaults"),
            LayerSource::Org(p) => write!(f, "org policy {}", p.display()),
            LayerSource::Repository(p) => write!(f, "repository config {}", p.display()),
        }
    }
}

/// The effective configuration and what it was built from.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    /// The layers applied, in order (always starts with the hub defaults).
    pub layers: Vec<LayerSource>,
    /// Keys the org locked.
    pub locked: Vec<String>,
}

impl LoadedConfig {
    /// True when only the hub defaults applied.
    pub fn is_default(&self) -> bool {
        self.layers.len() == 1
    }
}

/// Load the layers for a repository directory.
pub fn load(repo_dir: &Path, org_policy: Option<&Path>) -> Result<LoadedConfig, Failure> {
    let org = match org_policy {
        Some(path) => Some((path.to_path_buf(), read_config_file(path, "org policy")?)),
        None => None,
    };
    let repo_path = [REPO_CONFIG_PATH, ".ci-intel/config.yaml"]
        .iter()
        .map(|p| repo_dir.join(p))
        .find(|p| p.exists());
    let repo = match repo_path {
        Some(path) => {
            let text = read_config_file(&path, "repository config")?;
            Some((path, text))
        }
        None => None,
    };
    load_from_texts(
        org.as_ref().map(|(p, t)| (p.as_path(), t.as_str())),
        repo.as_ref().map(|(p, t)| (p.as_path(), t.as_str())),
    )
}

fn read_config_file(path: &Path, what: &str) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(format!(
            "cannot read {what} {}: {e}; check the path (and that it is UTF-8 text)",
            path.display()
        ))
    })
}

/// Layer the given texts over the hub defaults. `org` and `repo` are
/// `(path for messages, YAML text)`.
pub fn load_from_texts(
    org: Option<(&Path, &str)>,
    repo: Option<(&Path, &str)>,
) -> Result<LoadedConfig, Failure> {
    let schema = config_schema();
    let hub = serde_json::to_value(Config::default())
        .map_err(|e| Failure::infra(format!("cannot serialise hub defaults: {e}")))?;
    let mut merged = hub;
    let mut layers = vec![LayerSource::HubDefaults];
    let mut locked = Vec::new();

    if let Some((path, text)) = org {
        let layer = parse_layer(path, text)?;
        locked = string_list(layer.get("lock"));
        for key in &locked {
            lockable_direction(&schema, key).map_err(|why| {
                Failure::usage(format!("{}: `lock` entry `{key}`: {why}", path.display()))
            })?;
        }
        merge(&mut merged, layer);
        layers.push(LayerSource::Org(path.to_path_buf()));
    }

    if let Some((path, text)) = repo {
        let layer = parse_layer(path, text)?;
        if layer.get("lock").is_some() {
            let line = yaml_locate::key_line(text, &["lock"]);
            return Err(Failure::usage(format!(
                "{}: key `lock` is only allowed in the org policy overlay; a repository cannot lock keys. Remove it.",
                at(path, line)
            )));
        }
        for key in &locked {
            check_lock(&schema, key, &merged, &layer, path, text)?;
        }
        merge(&mut merged, layer);
        layers.push(LayerSource::Repository(path.to_path_buf()));
    }

    if let Some(obj) = merged.as_object_mut() {
        obj.remove("lock");
    }
    let config: Config = serde_json::from_value(merged)
        .map_err(|e| Failure::usage(format!("the merged configuration is invalid: {e}")))?;
    if config.version != CONFIG_VERSION {
        return Err(Failure::usage(format!(
            "`version: {}` is not supported: this ci-intel reads configuration version {CONFIG_VERSION}",
            config.version
        )));
    }
    Ok(LoadedConfig {
        config,
        layers,
        locked,
    })
}

/// Parse and validate one layer file; returns only the keys it sets.
pub fn parse_layer(path: &Path, text: &str) -> Result<Value, Failure> {
    // Type and key validation with the parser's own location.
    let deserializer = yaml_serde::Deserializer::from_str(text);
    let typed: Result<Config, _> = serde_path_to_error::deserialize(deserializer);
    if let Err(error) = typed {
        return Err(typed_error(path, text, &error));
    }
    let raw: yaml_serde::Value = yaml_serde::from_str(text)
        .map_err(|e| Failure::usage(format!("{}: invalid YAML: {e}", path.display())))?;
    let value = serde_json::to_value(raw).map_err(|e| {
        Failure::usage(format!(
            "{}: cannot be read as JSON-compatible YAML: {e}",
            path.display()
        ))
    })?;
    match value {
        Value::Null => Ok(Value::Object(Map::new())),
        Value::Object(_) => Ok(value),
        other => Err(Failure::usage(format!(
            "{}: expected a mapping of keys at the top level, found {}",
            path.display(),
            kind_of(&other)
        ))),
    }
}

fn typed_error(
    path: &Path,
    text: &str,
    error: &serde_path_to_error::Error<yaml_serde::Error>,
) -> Failure {
    let inner = error.inner();
    let line = inner.location().map(|l| l.line());
    let message = inner.to_string();
    let parent: Vec<String> = error
        .path()
        .iter()
        .map(|segment| segment.to_string())
        .filter(|s| !s.is_empty() && s != "?")
        .collect();
    if let Some(unknown) = backticked_after(&message, "unknown field `") {
        // serde_path_to_error's path already ends with the unknown key itself.
        let parent_path: Vec<&str> = parent
            .iter()
            .map(String::as_str)
            .filter(|s| *s != unknown)
            .collect();
        let known = known_keys(&config_schema(), &parent_path);
        let dotted = parent_path
            .iter()
            .copied()
            .chain(std::iter::once(unknown.as_str()))
            .collect::<Vec<_>>()
            .join(".");
        let hint = match did_you_mean(&unknown, known.iter().map(String::as_str)) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "remove it".to_owned(),
        };
        let line = line.or_else(|| yaml_locate::key_line(text, &[unknown.as_str()]));
        return Failure::usage(format!(
            "{}: unknown key `{dotted}`: {hint} (known keys here: {})",
            at(path, line),
            known.join(", ")
        ));
    }
    let key = parent.join(".");
    let key = if key.is_empty() {
        "(top level)".to_owned()
    } else {
        format!("`{key}`")
    };
    Failure::usage(format!(
        "{}: invalid value for {key}: {}; see schemas/config.schema.json",
        at(path, line),
        strip_location(&message)
    ))
}

fn at(path: &Path, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{}:{line}", path.display()),
        None => path.display().to_string(),
    }
}

fn strip_location(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map(|i| &message[..i])
        .unwrap_or(message)
}

fn backticked_after(message: &str, marker: &str) -> Option<String> {
    let start = message.find(marker)? + marker.len();
    let rest = &message[start..];
    let end = rest.find('`')?;
    Some(rest[..end].to_owned())
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn string_list(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Deep merge: mappings merge key by key; anything else is replaced.
fn merge(base: &mut Value, layer: Value) {
    match (base, layer) {
        (Value::Object(base), Value::Object(layer)) => {
            for (key, value) in layer {
                match base.get_mut(&key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        merge(existing, value);
                    }
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, layer) => *base = layer,
    }
}

/// The schema node of a dotted key as written at its use site (keywords such
/// as `x-ci-intel-tighten` live there, beside the `$ref` to its type).
fn schema_node<'a>(schema: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut node = schema;
    for segment in path {
        node = resolve(schema, node);
        node = node.get("properties")?.get(*segment)?;
    }
    Some(node)
}

fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    // schemars wraps referenced types as {"$ref": ...} or {"allOf":[{"$ref":..}]}.
    let reference = node
        .get("$ref")
        .or_else(|| {
            node.get("allOf")
                .and_then(|a| a.get(0))
                .and_then(|a| a.get("$ref"))
        })
        .and_then(Value::as_str);
    match reference.and_then(|r| r.strip_prefix("#/$defs/")) {
        Some(name) => root
            .get("$defs")
            .and_then(|d| d.get(name))
            .map(|target| resolve(root, target))
            .unwrap_or(node),
        None => node,
    }
}

fn known_keys(schema: &Value, path: &[&str]) -> Vec<String> {
    let node = if path.is_empty() {
        Some(schema)
    } else {
        schema_node(schema, path)
    };
    node.map(|n| resolve(schema, n))
        .and_then(|n| n.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

fn lockable_direction(schema: &Value, dotted: &str) -> Result<Tighten, String> {
    let path: Vec<&str> = dotted.split('.').collect();
    let Some(node) = schema_node(schema, &path) else {
        let parent = &path[..path.len() - 1];
        let last = path[path.len() - 1];
        let known = known_keys(schema, parent);
        let hint = did_you_mean(last, known.iter().map(String::as_str))
            .map(|best| {
                let mut suggestion: Vec<&str> = parent.to_vec();
                suggestion.push(best);
                format!("; did you mean `{}`?", suggestion.join("."))
            })
            .unwrap_or_default();
        return Err(format!("no such configuration key{hint}"));
    };
    if dotted == "lock" {
        return Err("`lock` itself cannot be locked".to_owned());
    }
    if resolve(schema, node).get("properties").is_some() {
        return Err("lock a single setting, not a whole section".to_owned());
    }
    Tighten::from_keyword(node.get("x-ci-intel-tighten").and_then(Value::as_str))
}

fn check_lock(
    schema: &Value,
    dotted: &str,
    effective: &Value,
    repo_layer: &Value,
    repo_path: &Path,
    repo_text: &str,
) -> Result<(), Failure> {
    let path: Vec<&str> = dotted.split('.').collect();
    let Some(candidate) = lookup(repo_layer, &path) else {
        return Ok(());
    };
    let locked = lookup(effective, &path).cloned().unwrap_or(Value::Null);
    let direction = lockable_direction(schema, dotted).map_err(Failure::usage)?;
    if direction.allows(&locked, candidate) {
        return Ok(());
    }
    let line = yaml_locate::key_line(repo_text, &path);
    Err(Failure::usage(format!(
        "{}: key `{dotted}` is locked by the org policy at {locked}; the repository sets {candidate}, which loosens it. A locked key may only be tightened: {}.",
        at(repo_path, line),
        direction.advice(&locked)
    )))
}

fn lookup<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |node, key| node.get(*key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Severity;

    fn repo(text: &str) -> Result<LoadedConfig, Failure> {
        load_from_texts(None, Some((Path::new(".ci-intel/config.yml"), text)))
    }

    fn layered(org: &str, repo_text: &str) -> Result<LoadedConfig, Failure> {
        load_from_texts(
            Some((Path::new("org.yml"), org)),
            Some((Path::new(".ci-intel/config.yml"), repo_text)),
        )
    }

    #[test]
    fn no_files_means_hub_defaults() {
        let loaded = load_from_texts(None, None).unwrap();
        assert!(loaded.is_default());
        assert_eq!(loaded.config, Config::default());
    }

    #[test]
    fn an_empty_repo_file_keeps_the_defaults() {
        assert_eq!(repo("").unwrap().config, Config::default());
        assert_eq!(repo("# nothing\n").unwrap().config, Config::default());
    }

    #[test]
    fn repository_values_override_defaults_key_by_key() {
        let loaded =
            repo("fail_on: medium\ngates:\n  telemetry:\n    allow_empty: false\n").unwrap();
        assert_eq!(loaded.config.fail_on, Severity::Medium);
        assert!(!loaded.config.gates.telemetry.allow_empty);
        // Siblings of the overridden key keep their defaults.
        assert!(loaded.config.gates.telemetry.enabled);
        assert_eq!(
            loaded.config.gates.telemetry.records,
            Config::default().gates.telemetry.records
        );
    }

    #[test]
    fn unknown_keys_name_the_file_line_and_suggest() {
        let err = repo("fail_on: high\ngates:\n  telemetry:\n    alow_empty: false\n").unwrap_err();
        assert_eq!(err.code, crate::ExitCode::Usage);
        assert!(
            err.message.contains(".ci-intel/config.yml:4"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("`gates.telemetry.alow_empty`"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("did you mean `allow_empty`?"),
            "{}",
            err.message
        );
    }

    #[test]
    fn unknown_top_level_key_suggests_too() {
        let err = repo("fial_on: high\n").unwrap_err();
        assert!(
            err.message.contains("unknown key `fial_on`"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("did you mean `fail_on`?"),
            "{}",
            err.message
        );
    }

    #[test]
    fn wrong_types_name_the_key_and_value() {
        let err = repo("fail_on: severe\n").unwrap_err();
        assert!(
            err.message.contains(".ci-intel/config.yml:1"),
            "{}",
            err.message
        );
        assert!(err.message.contains("`fail_on`"), "{}", err.message);
        assert!(err.message.contains("severe"), "{}", err.message);
    }

    #[test]
    fn a_non_mapping_document_is_refused() {
        let err = repo("- just\n- a list\n").unwrap_err();
        assert_eq!(err.code, crate::ExitCode::Usage);
    }

    #[test]
    fn unsupported_versions_are_refused() {
        let err = repo("version: 2\n").unwrap_err();
        assert!(err.message.contains("version: 2"), "{}", err.message);
    }

    #[test]
    fn locked_keys_may_be_tightened() {
        let loaded = layered(
            "fail_on: high\ngates:\n  telemetry:\n    allow_empty: true\nlock: [fail_on, gates.telemetry.allow_empty]\n",
            "fail_on: low\ngates:\n  telemetry:\n    allow_empty: false\n",
        )
        .unwrap();
        assert_eq!(loaded.config.fail_on, Severity::Low);
        assert!(!loaded.config.gates.telemetry.allow_empty);
        assert_eq!(loaded.locked.len(), 2);
        assert_eq!(loaded.layers.len(), 3);
    }

    #[test]
    fn loosening_a_locked_key_names_the_key_and_both_values() {
        let err = layered(
            "fail_on: medium\nlock: [fail_on]\n",
            "# repo\nfail_on: critical\n",
        )
        .unwrap_err();
        assert_eq!(err.code, crate::ExitCode::Usage);
        assert!(
            err.message.contains(".ci-intel/config.yml:2"),
            "{}",
            err.message
        );
        assert!(err.message.contains("`fail_on`"), "{}", err.message);
        assert!(err.message.contains("\"medium\""), "{}", err.message);
        assert!(err.message.contains("\"critical\""), "{}", err.message);
        assert!(err.message.contains("info, low, medium"), "{}", err.message);
    }

    #[test]
    fn loosening_a_locked_boolean_is_refused() {
        let err = layered(
            "gates:\n  telemetry:\n    allow_empty: false\nlock: [gates.telemetry.allow_empty]\n",
            "gates:\n  telemetry:\n    allow_empty: true\n",
        )
        .unwrap_err();
        assert!(
            err.message.contains("gates.telemetry.allow_empty"),
            "{}",
            err.message
        );
        assert!(err.message.contains(":3"), "{}", err.message);
    }

    #[test]
    fn a_lock_without_an_order_keeps_the_exact_value() {
        let err = layered(
            "gates:\n  telemetry:\n    records: ['a/*.ndjson']\nlock: [gates.telemetry.records]\n",
            "gates:\n  telemetry:\n    records: ['b/*.ndjson']\n",
        )
        .unwrap_err();
        assert!(err.message.contains("must stay"), "{}", err.message);
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
            loaded.config.policy.rules.unpinned_uses.severity,
            Some(Severity::Critical)
        );
        assert_eq!(loaded.config.policy.trigger_allowlist.len(), 1);
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
            assert_eq!(err.code, crate::ExitCode::Usage);
            assert!(err.message.contains(key), "{key}: {}", err.message);
        }
    }

    #[test]
    fn secrets_keys_lock_in_their_tighter_direction() {
        let org = "secrets:\n  allow_empty: false\n  max_file_size: 1000000\n  disabled_rules: [jwt, gcp-api-key]\n  allowlist:\n    paths: ['test/**', 'docs/**']\n    regexes: ['^FAKE']\n    stopwords: [dummy]\n  sweep:\n    allowed_names: [CODECOV_TOKEN, NPM_CONFIG_TOKEN]\nlock: [secrets.allow_empty, secrets.max_file_size, secrets.disabled_rules, secrets.allowlist.paths, secrets.allowlist.regexes, secrets.allowlist.stopwords, secrets.sweep.allowed_names, secrets.baseline]\n";
        let loaded = layered(
            org,
            "secrets:\n  max_file_size: 2000000\n  disabled_rules: [jwt]\n  allowlist:\n    paths: ['test/**']\n    stopwords: []\n  sweep:\n    allowed_names: [CODECOV_TOKEN]\n",
        )
        .unwrap();
        let secrets = &loaded.config.secrets;
        assert_eq!(secrets.max_file_size, 2_000_000);
        assert_eq!(secrets.allowlist.paths, vec!["test/**"]);
        assert_eq!(secrets.allowlist.regexes, vec!["^FAKE"]);
        assert_eq!(secrets.sweep.allowed_names, vec!["CODECOV_TOKEN"]);
        for (repo_text, key) in [
            ("secrets:\n  allow_empty: true\n", "secrets.allow_empty"),
            ("secrets:\n  max_file_size: 10\n", "secrets.max_file_size"),
            (
                "secrets:\n  disabled_rules: [jwt, private-key]\n",
                "secrets.disabled_rules",
            ),
            (
                "secrets:\n  allowlist:\n    paths: ['**']\n",
                "secrets.allowlist.paths",
            ),
            (
                "secrets:\n  allowlist:\n    regexes: ['.*']\n",
                "secrets.allowlist.regexes",
            ),
            (
                "secrets:\n  allowlist:\n    stopwords: [a]\n",
                "secrets.allowlist.stopwords",
            ),
            (
                "secrets:\n  sweep:\n    allowed_names: [AWS_SECRET_ACCESS_KEY]\n",
                "secrets.sweep.allowed_names",
            ),
            ("secrets:\n  baseline: elsewhere.json\n", "secrets.baseline"),
        ] {
            let err = layered(org, repo_text).unwrap_err();
            assert_eq!(err.code, crate::ExitCode::Usage);
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
        assert_eq!(err.code, crate::ExitCode::Usage);
        assert!(
            err.message.contains("`policy.pins` is locked"),
            "{}",
            err.message
        );
    }

    #[test]
    fn unlocked_keys_may_be_loosened() {
        let loaded = layered("fail_on: medium\n", "fail_on: critical\n").unwrap();
        assert_eq!(loaded.config.fail_on, Severity::Critical);
    }

    #[test]
    fn lock_entries_must_name_real_settings() {
        let err = layered("lock: [gates.telemetry.alow_empty]\n", "").unwrap_err();
        assert!(
            err.message
                .contains("did you mean `gates.telemetry.allow_empty`?"),
            "{}",
            err.message
        );
        let err = layered("lock: [gates]\n", "").unwrap_err();
        assert!(
            err.message.contains("not a whole section"),
            "{}",
            err.message
        );
    }

    #[test]
    fn repositories_cannot_lock() {
        let err = repo("lock: [fail_on]\n").unwrap_err();
        assert!(
            err.message.contains("only allowed in the org policy"),
            "{}",
            err.message
        );
    }

    proptest::proptest! {
        /// Untrusted YAML never panics: it loads or it is a usage error.
        #[test]
        fn arbitrary_yaml_never_panics(text in "(?s).{0,300}") {
            if let Err(err) = repo(&text) {
                proptest::prop_assert_eq!(err.code, crate::ExitCode::Usage);
            }
        }

        #[test]
        fn yaml_shaped_input_never_panics(
            text in "((fail_on|gates|hub|lock|version|telemetry|records|enabled|allow_empty|[a-z_]{1,8}): ?(high|true|1|\\[a\\]|\\{\\}|null|-)?\n( {2,4}[a-z_]{1,10}: [a-z0-9]{0,5}\n){0,3}){0,6}"
        ) {
            let _ = repo(&text);
            let _ = layered(&text, &text);
        }
    }

    #[test]
    fn the_org_overlay_is_validated_like_any_layer() {
        let err = layered("fail_onn: low\n", "").unwrap_err();
        assert!(err.message.starts_with("org.yml:1"), "{}", err.message);
    }
}
