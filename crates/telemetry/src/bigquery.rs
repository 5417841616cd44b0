//! `schema --bigquery`: the BigQuery table schema for loading our NDJSON as
//! it is (`bq load --source_format=NEWLINE_DELIMITED_JSON`), derived from
//! the embedded pipeline_run v1.2 JSON Schema so the two cannot drift.
//!
//! Mapping: object -> RECORD, array -> REPEATED, `date-time` strings ->
//! TIMESTAMP, integer -> INTEGER, number -> FLOAT, boolean -> BOOLEAN, a map
//! with free keys (`jobs[].matrix`) -> JSON; required properties are
//! REQUIRED, the rest NULLABLE. Partitioning (by day of `started_at`) and
//! clustering (by `repo`) are `bq load` flags; docs/telemetry.md shows them.

use serde_json::{Value, json};

fn field(name: &str, schema: &Value, required: bool) -> Value {
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let non_null: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
    let mode = if required { "REQUIRED" } else { "NULLABLE" };
    let description = schema["description"].as_str();
    let mut out = match non_null.first().copied() {
        Some("array") => {
            let mut inner = field(name, &schema["items"], false);
            inner["mode"] = json!("REPEATED");
            inner
        }
        Some("object") => match schema.get("properties").and_then(Value::as_object) {
            Some(props) if !props.is_empty() => {
                let required: Vec<&str> = schema["required"]
                    .as_array()
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let fields: Vec<Value> = props
                    .iter()
                    .map(|(k, v)| field(k, v, required.contains(&k.as_str())))
                    .collect();
                json!({"name": name, "type": "RECORD", "mode": mode, "fields": fields})
            }
            _ => json!({"name": name, "type": "JSON", "mode": mode}),
        },
        Some("integer") => json!({"name": name, "type": "INTEGER", "mode": mode}),
        Some("number") => json!({"name": name, "type": "FLOAT", "mode": mode}),
        Some("boolean") => json!({"name": name, "type": "BOOLEAN", "mode": mode}),
        Some("string") if schema["format"] == "date-time" => {
            json!({"name": name, "type": "TIMESTAMP", "mode": mode})
        }
        // `schema` is a const string; enums and patterns are strings too.
        _ => json!({"name": name, "type": "STRING", "mode": mode}),
    };
    if let (Some(d), Some(obj)) = (description, out.as_object_mut()) {
        obj.insert("description".to_owned(), json!(d));
    }
    out
}

/// The schema as `bq` reads it (a JSON array of fields), pretty-printed.
pub fn schema() -> Value {
    let root: Value =
        serde_json::from_str(crate::schema::PIPELINE_RUN_SCHEMA).unwrap_or(Value::Null);
    let required: Vec<&str> = root["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let fields: Vec<Value> = root["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(k, v)| field(k, v, required.contains(&k.as_str())))
                .collect()
        })
        .unwrap_or_default();
    Value::Array(fields)
}

pub fn schema_json() -> String {
    serde_json::to_string_pretty(&schema()).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(fields: &'a Value, name: &str) -> &'a Value {
        fields
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no field {name}"))
    }

    #[test]
    fn every_top_level_property_has_a_column_of_the_right_kind() {
        let s = schema();
        let root: Value = serde_json::from_str(crate::schema::PIPELINE_RUN_SCHEMA).unwrap();
        assert_eq!(
            s.as_array().unwrap().len(),
            root["properties"].as_object().unwrap().len()
        );
        assert_eq!(find(&s, "started_at")["type"], "TIMESTAMP");
        assert_eq!(find(&s, "started_at")["mode"], "REQUIRED");
        assert_eq!(find(&s, "pr")["type"], "INTEGER");
        assert_eq!(find(&s, "pr")["mode"], "NULLABLE");
        let jobs = find(&s, "jobs");
        assert_eq!(
            (jobs["type"].as_str(), jobs["mode"].as_str()),
            (Some("RECORD"), Some("REPEATED"))
        );
        assert_eq!(find(&jobs["fields"], "matrix")["type"], "JSON");
        assert_eq!(find(&jobs["fields"], "duration_ms")["mode"], "REQUIRED");
        let tests = find(&s, "tests");
        assert_eq!(
            find(&find(&tests["fields"], "resilience")["fields"], "score")["type"],
            "FLOAT"
        );
        assert_eq!(find(&s, "cache_keys")["mode"], "REPEATED");
    }
}
