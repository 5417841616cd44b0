//! Validation of workflows, actions and dependabot.yml against the
//! SchemaStore JSON schemas that `check-jsonschema` vendors (copied
//! unchanged from check-jsonschema 0.39.0 into `crates/policy/schemas/`,
//! Apache-2.0, see `LICENSE.schemastore` there).
//!
//! The YAML tree is read as GitHub reads it (YAML 1.2 core schema: plain
//! `true`, `10`, `null` are a boolean, a number, a null; `on` is a string)
//! and every schema error becomes a [`Violation`] that names the key and
//! where it is, and never the value found there: a value may be a secret.

use std::sync::LazyLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::{ValidationError, Validator};
use serde_json::{Map, Number, Value};

use super::model::DocKind;
use super::yaml::{Kind, Node, Pos};

/// At most this many violations are reported per file.
pub const MAX_PER_FILE: usize = 20;

/// One schema error: where, and what is wrong, without the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub pos: Pos,
    /// The JSON pointer of the offending value (stable across line moves).
    pub pointer: String,
    pub message: String,
}

struct Schema {
    name: &'static str,
    validator: Result<Validator, String>,
}

fn compile(name: &'static str, text: &str) -> Schema {
    let validator = serde_json::from_str::<Value>(text)
        .map_err(|e| e.to_string())
        .and_then(|schema| jsonschema::validator_for(&schema).map_err(|e| e.to_string()));
    Schema { name, validator }
}

static WORKFLOW: LazyLock<Schema> = LazyLock::new(|| {
    compile(
        "github-workflows.json",
        include_str!("../../schemas/github-workflows.json"),
    )
});
static ACTION: LazyLock<Schema> = LazyLock::new(|| {
    compile(
        "github-actions.json",
        include_str!("../../schemas/github-actions.json"),
    )
});
static DEPENDABOT: LazyLock<Schema> = LazyLock::new(|| {
    compile(
        "dependabot.json",
        include_str!("../../schemas/dependabot.json"),
    )
});

fn schema(kind: DocKind) -> &'static Schema {
    match kind {
        DocKind::Workflow => &WORKFLOW,
        DocKind::Action => &ACTION,
        // Never validated: `violations` returns early (no schema is vendored).
        DocKind::Dependabot | DocKind::PreCommit => &DEPENDABOT,
    }
}

/// The schema errors of `doc`, read as a document of `kind`. An empty list
/// means the schema accepts it. A schema that does not compile (a defect of
/// this build) is reported as a violation, never as a pass.
pub fn violations(doc: &Node, kind: DocKind) -> Vec<Violation> {
    if kind == DocKind::PreCommit {
        return Vec::new();
    }
    let schema = schema(kind);
    let validator = match &schema.validator {
        Ok(v) => v,
        Err(e) => {
            return vec![Violation {
                pos: doc.pos,
                pointer: String::new(),
                message: format!(
                    "the built-in schema {} does not compile ({e}); the file was not validated",
                    schema.name
                ),
            }];
        }
    };
    let json = to_json(doc);
    if validator.is_valid(&json) {
        return Vec::new();
    }
    let mut out: Vec<Violation> = Vec::new();
    for error in validator.iter_errors(&json) {
        let (segments, message) = describe(&error, 0);
        let pointer = pointer(&segments);
        if out
            .iter()
            .any(|v| v.pointer == pointer && v.message == message)
        {
            continue;
        }
        let pos = locate(doc, &segments, &error);
        out.push(Violation {
            pos,
            pointer,
            message,
        });
        if out.len() == MAX_PER_FILE {
            break;
        }
    }
    out
}

/// The document as JSON, scalars typed by the YAML 1.2 core schema.
pub fn to_json(node: &Node) -> Value {
    match &node.kind {
        Kind::Scalar { value, plain } => {
            if *plain {
                scalar(value)
            } else {
                Value::String(value.clone())
            }
        }
        Kind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        Kind::Map(entries) => {
            let mut map = Map::new();
            for (key, value) in entries {
                // A non-scalar key (GitHub refuses it too) gets a name the
                // schema will report as unknown.
                let name = key
                    .as_str()
                    .map_or_else(|| "<complex key>".to_owned(), str::to_owned);
                map.insert(name, to_json(value));
            }
            Value::Object(map)
        }
    }
}

/// A plain scalar under the YAML 1.2 core schema.
fn scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => {
            // JSON has no infinity or NaN; any number stands for it.
            return Value::Number(Number::from(0));
        }
        _ => {}
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if let Some(oct) = text.strip_prefix("0o")
        && digits(oct, 8)
    {
        return u64::from_str_radix(oct, 8).map_or(Value::Number(Number::from(0)), Value::from);
    }
    if let Some(hex) = text.strip_prefix("0x")
        && digits(hex, 16)
    {
        return u64::from_str_radix(hex, 16).map_or(Value::Number(Number::from(0)), Value::from);
    }
    if digits(unsigned, 10) {
        if let Ok(i) = text.parse::<i64>() {
            return Value::from(i);
        }
        if let Ok(u) = text.parse::<u64>() {
            return Value::from(u);
        }
    }
    if is_float(unsigned)
        && let Ok(f) = text.parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(text.to_owned())
}

/// `( \.[0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = all_digits(int)
        && frac.is_none_or(all_digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

enum Seg {
    Key(String),
    Index(usize),
}

fn segments(error: &ValidationError<'_>) -> Vec<Seg> {
    error
        .instance_path()
        .segments()
        .map(|s| match s {
            LocationSegment::Property(p) => Seg::Key(p.into_owned()),
            LocationSegment::Index(i) => Seg::Index(i),
        })
        .collect()
}

fn pointer(segments: &[Seg]) -> String {
    segments
        .iter()
        .map(|s| match s {
            Seg::Key(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
            Seg::Index(i) => format!("/{i}"),
        })
        .collect()
}

/// `jobs.build.steps[2]`, or `the top level`.
fn dotted(segments: &[Seg]) -> String {
    let mut out = String::new();
    for s in segments {
        match s {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    if out.is_empty() {
        "the top level".to_owned()
    } else {
        format!("`{out}`")
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn json_type_name(ty: jsonschema::JsonType) -> &'static str {
    match ty.as_str() {
        "null" => "null",
        "boolean" => "a boolean",
        "integer" => "an integer",
        "number" => "a number",
        "string" => "a string",
        "array" => "a list",
        _ => "a mapping",
    }
}

/// Schema text shown in a message (allowed values, a pattern): from the
/// schema, never from the file, and short.
fn short(text: &str) -> String {
    const MAX: usize = 120;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

/// The path of the error that best explains `error`, and a message naming
/// the key and what the schema wants. A `oneOf`/`anyOf` failure is
/// explained by its closest alternative (the one with the fewest errors).
fn describe(error: &ValidationError<'_>, depth: usize) -> (Vec<Seg>, String) {
    let path = segments(error);
    let at = dotted(&path);
    let message = match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            let keys: Vec<String> = unexpected.iter().map(|k| format!("`{k}`")).collect();
            let noun = if keys.len() == 1 { "key" } else { "keys" };
            format!(
                "unknown {noun} {} in {at}: the schema does not allow it",
                keys.join(", ")
            )
        }
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned);
            format!("{at} lacks the required key `{name}`")
        }
        ValidationErrorKind::Type { kind } => {
            let wanted: Vec<&str> = match kind {
                TypeKind::Single(t) => vec![json_type_name(*t)],
                TypeKind::Multiple(set) => set.into_iter().map(json_type_name).collect(),
            };
            format!(
                "{at} must be {}, not {}",
                wanted.join(" or "),
                type_name(error.instance())
            )
        }
        ValidationErrorKind::Enum { options } => format!(
            "{at} ({}) is not one of the allowed values: {}",
            type_name(error.instance()),
            short(&options.to_string())
        ),
        ValidationErrorKind::Constant { expected_value } => {
            format!("{at} must be {}", short(&expected_value.to_string()))
        }
        ValidationErrorKind::Pattern { pattern } => {
            format!("{at} does not match the pattern `{}`", short(pattern))
        }
        ValidationErrorKind::Format { format } => format!("{at} is not a valid {format}"),
        ValidationErrorKind::MinItems { limit } => {
            format!("{at} must have at least {limit} item(s)")
        }
        ValidationErrorKind::MaxItems { limit } => {
            format!("{at} must have at most {limit} item(s)")
        }
        ValidationErrorKind::MinProperties { limit } => {
            format!("{at} must have at least {limit} key(s)")
        }
        ValidationErrorKind::MinLength { limit } => {
            format!("{at} must be at least {limit} character(s) long")
        }
        ValidationErrorKind::MaxLength { limit } => {
            format!("{at} must be at most {limit} character(s) long")
        }
        ValidationErrorKind::UniqueItems => format!("{at} has duplicate items"),
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            let closest = context
                .iter()
                .filter(|branch| !branch.is_empty())
                .min_by_key(|branch| branch.len());
            match closest.and_then(|b| b.first()) {
                Some(inner) if depth < 8 => {
                    let (inner_path, inner_message) = describe(inner, depth + 1);
                    if depth > 0 {
                        // Only the outermost alternative is named.
                        return (inner_path, inner_message);
                    }
                    return (
                        inner_path,
                        format!(
                            "{at} matches none of the allowed forms; the closest: {}",
                            strip_prefix(&inner_message)
                        ),
                    );
                }
                _ => format!("{at} matches none of the allowed forms"),
            }
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            let step = error.instance().as_object();
            if step.is_some_and(|s| s.contains_key("run") && !s.contains_key("shell")) {
                // The actions schema's way of saying "`run` needs `shell`".
                format!("{at} has `run:` without `shell:`, which a composite action step needs")
            } else {
                format!("{at} matches more than one of the allowed forms, which the schema forbids")
            }
        }
        other => format!("{at} fails the schema's `{}` check", other.keyword()),
    };
    (path, message)
}

/// A nested explanation without its own "matches none" preamble.
fn strip_prefix(message: &str) -> &str {
    message
        .split_once("; the closest: ")
        .map_or(message, |(_, rest)| rest)
}

/// Where to point for an error at `segments`: the node there; for unknown
/// keys, the first unknown key; for a missing key, the mapping's first key.
fn locate(doc: &Node, segments: &[Seg], error: &ValidationError<'_>) -> Pos {
    let mut node = doc;
    let mut key_pos = None;
    for s in segments {
        let next = match s {
            Seg::Key(k) => node
                .entries()
                .iter()
                .find(|(key, _)| key.as_str() == Some(k.as_str()))
                .map(|(key, value)| {
                    key_pos = Some(key.pos);
                    value
                }),
            Seg::Index(i) => {
                key_pos = None;
                node.items().get(*i)
            }
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    if let ValidationErrorKind::AdditionalProperties { unexpected }
    | ValidationErrorKind::UnevaluatedProperties { unexpected } = error.kind()
        && let Some((key, _)) = node.entries().iter().find(|(key, _)| {
            key.as_str()
                .is_some_and(|k| unexpected.iter().any(|u| u == k))
        })
    {
        return key.pos;
    }
    // The key's line, where the reader looks; a list item or the top
    // level where there is no key.
    key_pos.unwrap_or(node.pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_schemas_compile() {
        for kind in [DocKind::Workflow, DocKind::Action, DocKind::Dependabot] {
            let s = schema(kind);
            assert!(
                s.validator.is_ok(),
                "{}: {:?}",
                s.name,
                s.validator.as_ref().err()
            );
        }
    }

    #[test]
    fn plain_scalars_are_typed_as_yaml_1_2_reads_them() {
        for (text, want) in [
            ("10", Value::from(10)),
            ("-3", Value::from(-3)),
            ("0x1f", Value::from(31)),
            ("0o17", Value::from(15)),
            ("1.5", Value::from(1.5)),
            ("1e3", Value::from(1000.0)),
            ("true", Value::Bool(true)),
            ("False", Value::Bool(false)),
            ("~", Value::Null),
            ("", Value::Null),
            ("on", Value::from("on")),
            ("yes", Value::from("yes")),
            ("1.2.3", Value::from("1.2.3")),
            ("0x", Value::from("0x")),
            (".", Value::from(".")),
            ("1e", Value::from("1e")),
            ("3.10", Value::from(3.1)),
        ] {
            assert_eq!(scalar(text), want, "{text}");
        }
    }
}
