//! `migrate`: pipeline_run v1.1 records to v1.2.
//!
//! v1.2 moves `flakiness_index` from `tests.resilience` to the top level (the
//! contract's canonical rule: never embed it under `tests.resilience`) and
//! always carries `policies[]`. Migration is idempotent: a v1.2 record comes
//! out unchanged, except that a stray nested `flakiness_index` is moved up too.

use serde_json::{Map, Value};

use ci_intel_core::pipeline_run::{SCHEMA_V1_1, SCHEMA_V1_2};

/// Why a record cannot be migrated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationError {
    pub pointer: String,
    pub message: String,
}

/// Migrate one record in place. Returns whether anything changed.
pub fn migrate_record(record: &mut Value) -> Result<bool, MigrationError> {
    let Some(object) = record.as_object_mut() else {
        return Err(MigrationError {
            pointer: String::new(),
            message: "a record must be a JSON object".to_owned(),
        });
    };
    let schema = object.get("schema").and_then(Value::as_str).unwrap_or("");
    let mut changed = false;
    match schema {
        SCHEMA_V1_2 => {}
        SCHEMA_V1_1 => {
            object.insert("schema".to_owned(), Value::String(SCHEMA_V1_2.to_owned()));
            changed = true;
        }
        other => {
            return Err(MigrationError {
                pointer: "/schema".to_owned(),
                message: format!(
                    "cannot migrate a record whose schema is {other:?}; expected {SCHEMA_V1_1:?} or {SCHEMA_V1_2:?}"
                ),
            });
        }
    }
    changed |= hoist_flakiness(object)?;
    if !object.contains_key("policies") {
        object.insert("policies".to_owned(), Value::Array(Vec::new()));
        changed = true;
    }
    Ok(changed)
}

fn hoist_flakiness(object: &mut Map<String, Value>) -> Result<bool, MigrationError> {
    let nested = object
        .get_mut("tests")
        .and_then(|t| t.get_mut("resilience"))
        .and_then(Value::as_object_mut)
        .and_then(|r| r.remove("flakiness_index"));
    let Some(nested) = nested else {
        return Ok(false);
    };
    match object.get("flakiness_index") {
        Some(top) if top != &nested => Err(MigrationError {
            pointer: "/tests/resilience/flakiness_index".to_owned(),
            message: format!(
                "conflicting flakiness_index: top-level {top} and tests.resilience {nested}; keep one value and migrate again"
            ),
        }),
        _ => {
            object.insert("flakiness_index".to_owned(), nested);
            Ok(true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v11() -> Value {
        json!({
            "schema": "pipeline_run.v1.1",
            "tests": {"total": 1, "failed": 0, "duration_ms": 5,
                      "resilience": {"mutants_total": 0, "killed": 0, "equiv": 0, "timeout": 0, "score": 0.0,
                                     "flakiness_index": 0.25}}
        })
    }

    #[test]
    fn moves_flakiness_up_and_adds_policies() {
        let mut record = v11();
        assert!(migrate_record(&mut record).unwrap());
        assert_eq!(record["schema"], "pipeline_run.v1.2");
        assert_eq!(record["flakiness_index"], 0.25);
        assert!(
            record["tests"]["resilience"]
                .get("flakiness_index")
                .is_none()
        );
        assert_eq!(record["policies"], json!([]));
    }

    #[test]
    fn is_idempotent() {
        let mut once = v11();
        migrate_record(&mut once).unwrap();
        let mut twice = once.clone();
        assert!(!migrate_record(&mut twice).unwrap());
        assert_eq!(once, twice);
    }

    #[test]
    fn keeps_existing_policies() {
        let mut record = v11();
        record["policies"] = json!([{"id": "p", "result": "allow"}]);
        migrate_record(&mut record).unwrap();
        assert_eq!(record["policies"], json!([{"id": "p", "result": "allow"}]));
    }

    #[test]
    fn conflicting_values_are_an_error_not_a_guess() {
        let mut record = v11();
        record["flakiness_index"] = json!(0.5);
        let err = migrate_record(&mut record).unwrap_err();
        assert_eq!(err.pointer, "/tests/resilience/flakiness_index");
        assert!(err.message.contains("0.5") && err.message.contains("0.25"));
    }

    #[test]
    fn unknown_schemas_are_refused() {
        let mut record = json!({"schema": "pipeline_run.v2.0"});
        assert_eq!(migrate_record(&mut record).unwrap_err().pointer, "/schema");
        assert!(migrate_record(&mut json!([1])).is_err());
    }
}
