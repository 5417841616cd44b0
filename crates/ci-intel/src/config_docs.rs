//! The configuration reference in docs/config.md, generated from the
//! composed schema, so every section a gate declares is documented with its
//! default and its lock direction (a test keeps the page and the code equal).

use serde_json::Value;

/// Start and end markers of the generated part of docs/config.md.
pub const BEGIN: &str =
    "<!-- BEGIN GENERATED: config reference (cargo test -p ci-intel --test config_schema) -->";
pub const END: &str = "<!-- END GENERATED: config reference -->";

/// One Markdown table per section: key, default, what tightens it, and its
/// documentation.
pub fn reference(schema: &Value) -> String {
    let mut rows = Vec::new();
    walk(schema, schema, "", None, &mut rows);
    // Grouped by section, in the order sections first appear.
    let mut groups: Vec<(String, Vec<Row>)> = Vec::new();
    for row in rows {
        let section = section_of(&row.key);
        match groups.iter_mut().find(|(name, _)| *name == section) {
            Some((_, members)) => members.push(row),
            None => groups.push((section, vec![row])),
        }
    }
    let mut out = String::new();
    for (section, members) in groups {
        out.push_str(&format!(
            "\n### `{section}`\n\n| key | default | lock: tighter is | description |\n|---|---|---|---|\n"
        ));
        for row in members {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                row.key, row.default, row.tighten, row.description
            ));
        }
    }
    out
}

struct Row {
    key: String,
    default: String,
    tighten: String,
    description: String,
}

fn section_of(key: &str) -> String {
    let mut parts = key.split('.');
    let first = parts.next().unwrap_or_default();
    match (first, parts.next()) {
        ("gates", Some(second)) => format!("gates.{second}"),
        ("version" | "fail_on" | "lock", _) => "(top level)".to_owned(),
        _ => first.to_owned(),
    }
}

fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
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

fn walk(root: &Value, node: &Value, prefix: &str, default: Option<&Value>, rows: &mut Vec<Row>) {
    let resolved = resolve(root, node);
    let Some(properties) = resolved.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, child) in properties {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let child_default = child
            .get("default")
            .or_else(|| default.and_then(|d| d.get(name)));
        let target = resolve(root, child);
        let is_section = target.get("properties").is_some();
        if is_section {
            walk(root, child, &key, child_default, rows);
            continue;
        }
        let description = child
            .get("description")
            .or_else(|| target.get("description"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .split("\n\n")
            .next()
            .unwrap_or("")
            .replace('\n', " ")
            .replace('|', "\\|");
        rows.push(Row {
            key,
            default: child_default
                .map(|d| {
                    format!(
                        "`{}`",
                        ci_intel_core::canonical::to_string(d).replace('|', "\\|")
                    )
                })
                .unwrap_or_else(|| "(unset)".to_owned()),
            tighten: tighten_words(child.get("x-ci-intel-tighten").and_then(Value::as_str)),
            description,
        });
    }
}

fn tighten_words(keyword: Option<&str>) -> String {
    match keyword {
        None => "the locked value only".to_owned(),
        Some("true") => "`true`".to_owned(),
        Some("false") => "`false`".to_owned(),
        Some("lower-severity") => "a lower severity".to_owned(),
        Some("higher-severity") => "a higher severity".to_owned(),
        Some("pedantic") => "`pedantic`".to_owned(),
        Some("lower") => "a lower number".to_owned(),
        Some("higher") => "a higher number".to_owned(),
        Some("subset") => "a subset of the locked items".to_owned(),
        Some("superset") => "a superset of the locked items".to_owned(),
        Some("stricter-pins") => "no reference gets a looser pin policy".to_owned(),
        Some(other) => format!("`{other}`"),
    }
}
