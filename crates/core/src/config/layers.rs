//! Reading, validating, merging and lock-checking the configuration layers.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::model::{CONFIG_VERSION, CORE_KEYS, Config};
use super::section::{SectionError, Sections};
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
    /// Core's keys (`version`, `fail_on`, `hub`).
    pub config: Config,
    /// The whole effective configuration: core's keys and every section,
    /// with the hub defaults filled in. Gates read their section from here
    /// with [`LoadedConfig::section`].
    pub effective: Value,
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

    /// The section at `dotted`, as its owner's type.
    pub fn section<T: serde::de::DeserializeOwned>(&self, dotted: &str) -> Result<T, Failure> {
        let path: Vec<&str> = dotted.split('.').collect();
        let value = lookup(&self.effective, &path)
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        serde_path_to_error::deserialize::<_, T>(value).map_err(|error| {
            Failure::usage(format!(
                "the effective configuration of `{dotted}` is invalid at `{}`: {}; see schemas/config.schema.json",
                error.path(),
                error.inner()
            ))
        })
    }

    /// The value at a dotted key of the effective configuration.
    pub fn value(&self, dotted: &str) -> Option<&Value> {
        let path: Vec<&str> = dotted.split('.').collect();
        lookup(&self.effective, &path)
    }

    /// `sha256:<hex>` of the effective configuration as canonical JSON
    /// (keys sorted, no insignificant whitespace): the same settings give
    /// the same digest whichever files and layout produced them.
    pub fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(crate::canonical::to_vec(&self.effective));
        format!("sha256:{}", crate::canonical::hex(&hasher.finalize()))
    }
}

/// Load the layers for a repository directory.
pub fn load(
    repo_dir: &Path,
    org_policy: Option<&Path>,
    sections: &Sections,
) -> Result<LoadedConfig, Failure> {
    let org = match org_policy {
        Some(path) => Some((path.to_path_buf(), read_config_file(path, "org policy")?)),
        None => None,
    };
    let repo_path = repository_config_path(repo_dir);
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
        sections,
    )
}

/// Load the layers for a tool's own command line: `--config FILE` (default:
/// the repository's configuration in the current directory, if any) over
/// `--org-policy FILE`.
pub fn load_cli(
    config: Option<&Path>,
    org_policy: Option<&Path>,
    sections: &Sections,
) -> Result<LoadedConfig, Failure> {
    let org = match org_policy {
        Some(path) => Some((path.to_path_buf(), read_config_file(path, "org policy")?)),
        None => None,
    };
    let repo_path = match config {
        Some(path) => Some(path.to_path_buf()),
        None => repository_config_path(Path::new("")),
    };
    let repo = match repo_path {
        Some(path) => {
            let text = read_config_file(&path, "configuration")?;
            Some((path, text))
        }
        None => None,
    };
    load_from_texts(
        org.as_ref().map(|(p, t)| (p.as_path(), t.as_str())),
        repo.as_ref().map(|(p, t)| (p.as_path(), t.as_str())),
        sections,
    )
}

/// The repository's configuration file, if it has one
/// (`.ci-intel/config.yml`, else `.ci-intel/config.yaml`).
pub fn repository_config_path(repo_dir: &Path) -> Option<PathBuf> {
    [REPO_CONFIG_PATH, ".ci-intel/config.yaml"]
        .iter()
        .map(|p| repo_dir.join(p))
        .find(|p| p.exists())
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
    sections: &Sections,
) -> Result<LoadedConfig, Failure> {
    let schema = sections.schema();
    let mut merged = sections.defaults();
    let parse = |path: &Path, text: &str| parse_layer_with(path, text, sections, &schema);
    let mut layers = vec![LayerSource::HubDefaults];
    let mut locked = Vec::new();

    if let Some((path, text)) = org {
        let layer = parse(path, text)?;
        locked = string_list(layer.get("lock"));
        for key in &locked {
            if !sections.is_complete() && !sections.covers(key) {
                // Another tool's key: that tool's binary enforces it.
                continue;
            }
            lockable_direction(&schema, sections, key).map_err(|why| {
                Failure::usage(format!("{}: `lock` entry `{key}`: {why}", path.display()))
            })?;
        }
        merge(&mut merged, layer);
        layers.push(LayerSource::Org(path.to_path_buf()));
    }

    if let Some((path, text)) = repo {
        let layer = parse(path, text)?;
        if layer.get("lock").is_some() {
            let line = yaml_locate::key_line(text, &["lock"]);
            return Err(Failure::usage(format!(
                "{}: key `lock` is only allowed in the org policy overlay; a repository cannot lock keys. Remove it.",
                at(path, line)
            )));
        }
        for key in &locked {
            if !sections.is_complete() && !sections.covers(key) {
                continue;
            }
            check_lock(&schema, sections, key, &merged, &layer, path, text)?;
        }
        merge(&mut merged, layer);
        layers.push(LayerSource::Repository(path.to_path_buf()));
    }

    if let Some(obj) = merged.as_object_mut() {
        obj.remove("lock");
    }
    let core: Map<String, Value> = merged
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| CORE_KEYS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    let config: Config = serde_json::from_value(Value::Object(core))
        .map_err(|e| Failure::usage(format!("the merged configuration is invalid: {e}")))?;
    if config.version != CONFIG_VERSION {
        return Err(Failure::usage(format!(
            "`version: {}` is not supported: this ci-intel reads configuration version {CONFIG_VERSION}",
            config.version
        )));
    }
    Ok(LoadedConfig {
        config,
        effective: merged,
        layers,
        locked,
    })
}

/// Parse and validate one layer file; returns only the keys it sets.
pub fn parse_layer(path: &Path, text: &str, sections: &Sections) -> Result<Value, Failure> {
    parse_layer_with(path, text, sections, &sections.schema())
}

fn parse_layer_with(
    path: &Path,
    text: &str,
    sections: &Sections,
    schema: &Value,
) -> Result<Value, Failure> {
    let raw: yaml_serde::Value = yaml_serde::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line());
        Failure::usage(format!(
            "{}: invalid YAML: {}",
            at(path, line),
            strip_location(&e.to_string())
        ))
    })?;
    let value = serde_json::to_value(raw).map_err(|e| {
        Failure::usage(format!(
            "{}: cannot be read as JSON-compatible YAML: {e}",
            path.display()
        ))
    })?;
    let value = match value {
        Value::Null => Value::Object(Map::new()),
        Value::Object(_) => value,
        other => {
            return Err(Failure::usage(format!(
                "{}: expected a mapping of keys at the top level, found {}",
                path.display(),
                kind_of(&other)
            )));
        }
    };
    validate_layer(path, text, &value, sections, schema)?;
    Ok(value)
}

/// Check every key a layer sets: core's keys by core's type, each section
/// by its owner's type, and anything else is unknown (with a suggestion).
fn validate_layer(
    path: &Path,
    text: &str,
    value: &Value,
    sections: &Sections,
    schema: &Value,
) -> Result<(), Failure> {
    let Some(object) = value.as_object() else {
        return Ok(());
    };
    let mut core = Map::new();
    for (key, child) in object {
        if CORE_KEYS.contains(&key.as_str()) {
            core.insert(key.clone(), child.clone());
        } else {
            validate_node(path, text, &[key.as_str()], child, sections, schema)?;
        }
    }
    serde_path_to_error::deserialize::<_, Config>(Value::Object(core))
        .map(|_| ())
        .map_err(|error| {
            let segments: Vec<String> = error
                .path()
                .iter()
                .map(ToString::to_string)
                .filter(|s| !s.is_empty() && s != "?")
                .collect();
            typed_error(
                path,
                text,
                schema,
                &SectionError {
                    path: segments,
                    message: error.into_inner().to_string(),
                },
                &[],
            )
        })
}

fn validate_node(
    path: &Path,
    text: &str,
    at_key: &[&str],
    value: &Value,
    sections: &Sections,
    schema: &Value,
) -> Result<(), Failure> {
    let dotted = at_key.join(".");
    if let Some(spec) = sections.find(&dotted) {
        return spec
            .check(value)
            .map_err(|error| typed_error(path, text, schema, &error, at_key));
    }
    if sections.is_container(&dotted) {
        let Some(children) = value.as_object() else {
            if value.is_null() {
                return Ok(());
            }
            let line = yaml_locate::key_line(text, at_key);
            return Err(Failure::usage(format!(
                "{}: invalid value for `{dotted}`: expected a mapping, found {}; see schemas/config.schema.json",
                at(path, line),
                kind_of(value)
            )));
        };
        for (key, child) in children {
            let mut child_key = at_key.to_vec();
            child_key.push(key.as_str());
            validate_node(path, text, &child_key, child, sections, schema)?;
        }
        return Ok(());
    }
    if !sections.is_complete() {
        // Another tool's section: its own binary, `ci-intel check` and
        // `ci-intel doctor` validate it.
        return Ok(());
    }
    let parent = &at_key[..at_key.len() - 1];
    let unknown = at_key[at_key.len() - 1];
    let known = sections.known_children(parent);
    Err(unknown_key_error(
        path,
        text,
        at_key,
        unknown,
        &known,
        yaml_locate::key_line(text, at_key),
    ))
}

fn unknown_key_error(
    path: &Path,
    text: &str,
    full: &[&str],
    unknown: &str,
    known: &[String],
    line: Option<usize>,
) -> Failure {
    let hint = match did_you_mean(unknown, known.iter().map(String::as_str)) {
        Some(best) => format!("did you mean `{best}`?"),
        None => "remove it".to_owned(),
    };
    let line = line.or_else(|| nearest_line(text, full));
    Failure::usage(format!(
        "{}: unknown key `{}`: {hint} (known keys here: {})",
        at(path, line),
        full.join("."),
        known.join(", ")
    ))
}

/// The line of `full`, else of its closest ancestor the document writes in
/// block style.
fn nearest_line(text: &str, full: &[&str]) -> Option<usize> {
    (1..=full.len())
        .rev()
        .find_map(|len| yaml_locate::key_line(text, &full[..len]))
}

/// A section's (or core's) type error, placed at its key and line.
fn typed_error(
    path: &Path,
    text: &str,
    schema: &Value,
    error: &SectionError,
    section: &[&str],
) -> Failure {
    let message = error.message.as_str();
    if let Some(unknown) = backticked_after(message, "unknown field `") {
        // The error path may already end with the unknown key itself.
        let mut parent: Vec<&str> = section.to_vec();
        parent.extend(
            error
                .path
                .iter()
                .map(String::as_str)
                .filter(|s| *s != unknown),
        );
        let known = known_keys(schema, &parent);
        let mut full = parent.clone();
        full.push(unknown.as_str());
        return unknown_key_error(
            path,
            text,
            &full,
            &unknown,
            &known,
            yaml_locate::key_line(text, &full),
        );
    }
    let mut full: Vec<&str> = section.to_vec();
    full.extend(error.path.iter().map(String::as_str));
    let key = if full.is_empty() {
        "(top level)".to_owned()
    } else {
        format!("`{}`", full.join("."))
    };
    Failure::usage(format!(
        "{}: invalid value for {key}: {}; see schemas/config.schema.json",
        at(path, nearest_line(text, &full)),
        strip_location(message)
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

/// The keys the schema knows at `path` (the top level when empty).
pub fn known_keys(schema: &Value, path: &[&str]) -> Vec<String> {
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

/// The direction in which the key `dotted` may be tightened when an org
/// policy locks it (its schema's `x-ci-intel-tighten`), for tools that layer
/// settings of their own (a translated zizmor.yml) under the same locks.
pub fn lock_direction(sections: &Sections, dotted: &str) -> Result<Tighten, String> {
    lockable_direction(&sections.schema(), sections, dotted)
}

fn lockable_direction(
    schema: &Value,
    sections: &Sections,
    dotted: &str,
) -> Result<Tighten, String> {
    let path: Vec<&str> = dotted.split('.').collect();
    let Some(node) = schema_node(schema, &path) else {
        let parent = &path[..path.len() - 1];
        let last = path[path.len() - 1];
        let known = if parent.is_empty() {
            sections.known_children(&[])
        } else {
            known_keys(schema, parent)
        };
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
    sections: &Sections,
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
    let direction = lockable_direction(schema, sections, dotted).map_err(Failure::usage)?;
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
    use crate::config::SectionSpec;
    use crate::findings::Severity;
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    /// A section shaped like a gate's, declared here the way a tool crate
    /// declares its own.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(default, deny_unknown_fields)]
    struct DemoGate {
        /// Run this gate.
        #[schemars(extend("x-ci-intel-tighten" = "true"))]
        enabled: bool,
        /// Patterns.
        records: Vec<String>,
        /// Pass on nothing to check.
        #[schemars(extend("x-ci-intel-tighten" = "false"))]
        allow_empty: bool,
        /// A budget.
        #[schemars(extend("x-ci-intel-tighten" = "lower"))]
        budget: u32,
        /// An allowlist.
        #[schemars(extend("x-ci-intel-tighten" = "subset"))]
        allow: Vec<String>,
        /// Required things.
        #[schemars(extend("x-ci-intel-tighten" = "superset"))]
        required: Vec<String>,
    }

    impl Default for DemoGate {
        fn default() -> Self {
            DemoGate {
                enabled: true,
                records: vec![".ci-intel/telemetry/**/*.ndjson".to_owned()],
                allow_empty: true,
                budget: 10,
                allow: Vec::new(),
                required: Vec::new(),
            }
        }
    }

    fn sections() -> Sections {
        Sections::complete([
            SectionSpec::of::<DemoGate>("gates.telemetry"),
            SectionSpec::of::<DemoGate>("gates.hub_pins"),
            SectionSpec::of::<DemoGate>("demo"),
        ])
    }

    fn telemetry(loaded: &LoadedConfig) -> DemoGate {
        loaded.section("gates.telemetry").unwrap()
    }

    fn repo(text: &str) -> Result<LoadedConfig, Failure> {
        load_from_texts(
            None,
            Some((Path::new(".ci-intel/config.yml"), text)),
            &sections(),
        )
    }

    fn layered(org: &str, repo_text: &str) -> Result<LoadedConfig, Failure> {
        load_from_texts(
            Some((Path::new("org.yml"), org)),
            Some((Path::new(".ci-intel/config.yml"), repo_text)),
            &sections(),
        )
    }

    #[test]
    fn no_files_means_hub_defaults() {
        let loaded = load_from_texts(None, None, &sections()).unwrap();
        assert!(loaded.is_default());
        assert_eq!(loaded.config, Config::default());
        assert_eq!(telemetry(&loaded), DemoGate::default());
        assert_eq!(loaded.effective, sections().defaults());
    }

    #[test]
    fn an_empty_repo_file_keeps_the_defaults() {
        assert_eq!(repo("").unwrap().config, Config::default());
        assert_eq!(repo("# nothing\n").unwrap().config, Config::default());
        assert_eq!(telemetry(&repo("").unwrap()), DemoGate::default());
    }

    #[test]
    fn repository_values_override_defaults_key_by_key() {
        let loaded =
            repo("fail_on: medium\ngates:\n  telemetry:\n    allow_empty: false\n").unwrap();
        assert_eq!(loaded.config.fail_on, Severity::Medium);
        assert!(!telemetry(&loaded).allow_empty);
        // Siblings of the overridden key keep their defaults.
        assert!(telemetry(&loaded).enabled);
        assert_eq!(telemetry(&loaded).records, DemoGate::default().records);
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
        assert!(!telemetry(&loaded).allow_empty);
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
    fn section_keys_lock_in_their_tighter_direction() {
        let org = "demo:\n  budget: 5\n  allow: [a, b]\n  required: [x]\nlock: [demo.budget, demo.allow, demo.required]\n";
        let loaded = layered(
            org,
            "demo:\n  budget: 3\n  allow: [a]\n  required: [x, y]\n",
        )
        .unwrap();
        let demo: DemoGate = loaded.section("demo").unwrap();
        assert_eq!(
            (demo.budget, demo.allow.len(), demo.required.len()),
            (3, 1, 2)
        );
        for (repo_text, key) in [
            ("demo:\n  budget: 6\n", "demo.budget"),
            ("demo:\n  allow: [a, c]\n", "demo.allow"),
            ("demo:\n  required: [y]\n", "demo.required"),
        ] {
            let err = layered(org, repo_text).unwrap_err();
            assert_eq!(err.code, crate::ExitCode::Usage);
            assert!(err.message.contains(key), "{key}: {}", err.message);
        }
    }

    #[test]
    fn unknown_sections_and_section_keys_are_refused_with_a_suggestion() {
        let err = repo("dmeo:\n  budget: 1\n").unwrap_err();
        assert!(
            err.message.contains("did you mean `demo`?"),
            "{}",
            err.message
        );
        let err = repo("gates:\n  telemtry:\n    enabled: true\n").unwrap_err();
        assert!(
            err.message.contains(".ci-intel/config.yml:2"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("did you mean `telemetry`?"),
            "{}",
            err.message
        );
        let err = repo("demo:\n  budget: lots\n").unwrap_err();
        assert!(
            err.message.contains(".ci-intel/config.yml:2"),
            "{}",
            err.message
        );
        assert!(err.message.contains("`demo.budget`"), "{}", err.message);
    }

    #[test]
    fn a_tool_binary_carries_other_sections_along_unvalidated() {
        let partial = Sections::partial([SectionSpec::of::<DemoGate>("demo")]);
        let text =
            "demo:\n  budget: 2\nother_tool:\n  anything: [1]\nlock: [other_tool.anything]\n";
        let loaded = load_from_texts(Some((Path::new("org.yml"), text)), None, &partial).unwrap();
        assert_eq!(loaded.section::<DemoGate>("demo").unwrap().budget, 2);
        // Its own section stays strict.
        let err = load_from_texts(
            None,
            Some((Path::new("c.yml"), "demo:\n  bugdet: 2\n")),
            &partial,
        )
        .unwrap_err();
        assert!(
            err.message.contains("did you mean `budget`?"),
            "{}",
            err.message
        );
        // The complete set refuses the stranger.
        assert!(load_from_texts(Some((Path::new("org.yml"), text)), None, &sections()).is_err());
    }

    #[test]
    fn the_digest_follows_the_settings_not_the_layout() {
        let a = repo("fail_on: medium\ndemo:\n  budget: 2\n").unwrap();
        let b = repo("demo: {budget: 2}\nfail_on: medium\n").unwrap();
        let c = repo("fail_on: medium\ndemo:\n  budget: 3\n").unwrap();
        assert_eq!(a.digest(), b.digest());
        assert_ne!(a.digest(), c.digest());
        assert!(a.digest().starts_with("sha256:") && a.digest().len() == 71);
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
