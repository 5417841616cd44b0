//! Configuration sections: the part of `.ci-intel/config.yml` that one tool
//! owns (`policy:`, `secrets:`, `gates.telemetry:`...).
//!
//! A tool declares its section with [`SectionSpec::of`]: a Rust type whose
//! doc comments are the documentation, whose `Default` is the hub layer, and
//! whose fields carry their lock direction (`x-ci-intel-tighten`). Core never
//! names a tool's type: it validates, merges and locks sections through the
//! spec, and composes `schemas/config.schema.json` from the specs it is
//! given.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::model::{CORE_KEYS, Config};

/// What a type must be to serve as a configuration section.
pub trait Section: Serialize + DeserializeOwned + JsonSchema + Default + 'static {}

impl<T: Serialize + DeserializeOwned + JsonSchema + Default + 'static> Section for T {}

/// A validation error inside a section: the path below the section's key and
/// the deserializer's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionError {
    pub path: Vec<String>,
    pub message: String,
}

/// One section of the configuration, declared by the crate that owns it.
#[derive(Debug, Clone, Copy)]
pub struct SectionSpec {
    /// Where the section lives: a top-level key (`policy`) or a dotted one
    /// (`gates.telemetry`).
    pub key: &'static str,
    schema: fn(&mut SchemaGenerator) -> Schema,
    defaults: fn() -> Value,
    check: fn(&Value) -> Result<(), SectionError>,
}

impl SectionSpec {
    /// The section at `key` whose settings are `T`.
    pub const fn of<T: Section>(key: &'static str) -> SectionSpec {
        SectionSpec {
            key,
            schema: schema_of::<T>,
            defaults: defaults_of::<T>,
            check: check_as::<T>,
        }
    }

    /// The hub defaults of the section.
    pub fn defaults(&self) -> Value {
        (self.defaults)()
    }

    /// Validate a layer's value for this section (types and unknown keys).
    pub fn check(&self, value: &Value) -> Result<(), SectionError> {
        (self.check)(value)
    }

    /// The key as path segments.
    pub fn path(&self) -> Vec<&'static str> {
        self.key.split('.').collect()
    }
}

fn schema_of<T: Section>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

fn defaults_of<T: Section>() -> Value {
    // A section type whose defaults cannot be serialised is a programming
    // error caught by the schema test; an empty mapping keeps loading going.
    serde_json::to_value(T::default()).unwrap_or_else(|_| Value::Object(Map::new()))
}

fn check_as<T: Section>(value: &Value) -> Result<(), SectionError> {
    serde_path_to_error::deserialize::<_, T>(value)
        .map(|_| ())
        .map_err(|error| SectionError {
            path: error
                .path()
                .iter()
                .map(ToString::to_string)
                .filter(|s| !s.is_empty() && s != "?")
                .collect(),
            message: error.into_inner().to_string(),
        })
}

/// The sections a program knows.
#[derive(Debug, Clone)]
pub struct Sections {
    specs: Vec<SectionSpec>,
    complete: bool,
}

impl Sections {
    /// Every section there is (the umbrella CLI): a top-level key that is
    /// neither core's nor a section's is a configuration error.
    pub fn complete(specs: impl IntoIterator<Item = SectionSpec>) -> Sections {
        Sections {
            specs: specs.into_iter().collect(),
            complete: true,
        }
    }

    /// Only the sections of one tool (a tool's own binary): other tools'
    /// sections are carried along unvalidated, because this binary cannot
    /// know them; `ci-intel check` and `ci-intel doctor` validate them.
    pub fn partial(specs: impl IntoIterator<Item = SectionSpec>) -> Sections {
        Sections {
            specs: specs.into_iter().collect(),
            complete: false,
        }
    }

    /// Core's keys only.
    pub fn core_only() -> Sections {
        Sections::partial([])
    }

    pub fn specs(&self) -> &[SectionSpec] {
        &self.specs
    }

    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// The section declared exactly at `dotted`.
    pub fn find(&self, dotted: &str) -> Option<&SectionSpec> {
        self.specs.iter().find(|s| s.key == dotted)
    }

    /// True when `dotted` is a container of sections (`gates`) without being
    /// one itself.
    pub fn is_container(&self, dotted: &str) -> bool {
        let prefix = format!("{dotted}.");
        self.find(dotted).is_none() && self.specs.iter().any(|s| s.key.starts_with(&prefix))
    }

    /// The keys known directly below `prefix` (the top level when empty).
    pub fn known_children(&self, prefix: &[&str]) -> Vec<String> {
        let mut keys: Vec<String> = if prefix.is_empty() {
            CORE_KEYS.iter().map(|k| (*k).to_owned()).collect()
        } else {
            Vec::new()
        };
        for spec in &self.specs {
            let path = spec.path();
            if path.len() > prefix.len() && path[..prefix.len()] == *prefix {
                let child = path[prefix.len()].to_owned();
                if !keys.contains(&child) {
                    keys.push(child);
                }
            }
        }
        keys
    }

    /// Whether a dotted key falls under core or one of these sections.
    pub fn covers(&self, dotted: &str) -> bool {
        let first = dotted.split('.').next().unwrap_or_default();
        CORE_KEYS.contains(&first)
            || self.specs.iter().any(|s| {
                dotted == s.key
                    || dotted.starts_with(&format!("{}.", s.key))
                    || s.key.starts_with(&format!("{dotted}."))
            })
    }

    /// The hub defaults: core's keys and every section's defaults, placed at
    /// their keys.
    pub fn defaults(&self) -> Value {
        let mut tree = serde_json::to_value(Config::default()).unwrap_or(Value::Null);
        for spec in &self.specs {
            insert_at(&mut tree, &spec.path(), spec.defaults());
        }
        tree
    }

    /// The JSON Schema of the configuration: core's keys plus every section
    /// at its key, with the sections' type definitions under `$defs`.
    pub fn schema(&self) -> Value {
        let mut generator = SchemaGenerator::default();
        let root = generator.root_schema_for::<Config>();
        let mut root = root.to_value();
        for spec in &self.specs {
            let mut node = (spec.schema)(&mut generator).to_value();
            // The section's own defaults, as schemars writes them for fields.
            if let Some(object) = node.as_object_mut() {
                object.insert("default".to_owned(), spec.defaults());
            }
            let path = spec.path();
            let mut parent = &mut root;
            for segment in &path[..path.len() - 1] {
                let properties = properties_of(parent);
                parent = properties.entry((*segment).to_owned()).or_insert_with(|| {
                    serde_json::json!({
                        "type": "object",
                        "additionalProperties": false,
                        "properties": {}
                    })
                });
            }
            properties_of(parent).insert(path[path.len() - 1].to_owned(), node);
        }
        let definitions = generator.take_definitions(true);
        if let Some(object) = root.as_object_mut() {
            let defs = object
                .entry("$defs".to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(defs) = defs.as_object_mut() {
                for (name, definition) in definitions {
                    defs.entry(name).or_insert(definition);
                }
                defs.sort_keys();
            }
            object.insert(
                "$id".to_owned(),
                Value::String(
                    "https://github.com/ci-intel/ci-intel/schemas/config.schema.json".to_owned(),
                ),
            );
        }
        // A reader meets the identity and the description first.
        let order = [
            "$schema",
            "$id",
            "title",
            "description",
            "type",
            "additionalProperties",
        ];
        match root {
            Value::Object(mut object) => {
                let mut ordered = Map::new();
                for key in order {
                    if let Some(value) = object.remove(key) {
                        ordered.insert(key.to_owned(), value);
                    }
                }
                ordered.extend(object);
                Value::Object(ordered)
            }
            other => other,
        }
    }
}

fn properties_of(node: &mut Value) -> &mut Map<String, Value> {
    if !node.is_object() {
        *node = Value::Object(Map::new());
    }
    let Value::Object(object) = node else {
        unreachable!("made an object above")
    };
    let properties = object
        .entry("properties".to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !properties.is_object() {
        *properties = Value::Object(Map::new());
    }
    match properties {
        Value::Object(map) => map,
        _ => unreachable!("made an object above"),
    }
}

/// Put `value` at `path` in `tree`, creating mappings on the way.
pub(crate) fn insert_at(tree: &mut Value, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        *tree = value;
        return;
    };
    let mut node = tree;
    for segment in parents {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        node = match node {
            Value::Object(map) => map
                .entry((*segment).to_owned())
                .or_insert_with(|| Value::Object(Map::new())),
            _ => unreachable!("made an object above"),
        };
    }
    if !node.is_object() {
        *node = Value::Object(Map::new());
    }
    if let Value::Object(map) = node {
        map.insert((*last).to_owned(), value);
    }
}
