//! The corrected pipeline_run v1.2 schema, compiled once.

use std::sync::OnceLock;

use serde_json::Value;

/// `schemas/pipeline_run.v1.2.schema.json`, embedded at build time.
pub const PIPELINE_RUN_SCHEMA: &str =
    include_str!("../../../schemas/pipeline_run.v1.2.schema.json");

/// One way a record breaks the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defect {
    /// RFC 6901 JSON pointer to the offending value (`""` is the record).
    pub pointer: String,
    pub message: String,
}

/// A compiled pipeline_run schema: the embedded one, or one the user names
/// with `--schema` (to check records against another copy of the contract).
#[derive(Debug)]
pub struct RecordSchema {
    validator: jsonschema::Validator,
}

impl RecordSchema {
    /// Compile a JSON Schema text; formats (`uuid`, `date-time`, `uri`) are
    /// asserted, not just annotated.
    pub fn compile(text: &str) -> Result<RecordSchema, String> {
        let schema: Value =
            serde_json::from_str(text).map_err(|e| format!("the schema is not JSON: {e}"))?;
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| format!("the schema does not compile: {e}"))?;
        Ok(RecordSchema { validator })
    }

    /// The corrected v1.2 schema shipped with ci-intel.
    pub fn embedded() -> &'static RecordSchema {
        static EMBEDDED: OnceLock<RecordSchema> = OnceLock::new();
        EMBEDDED.get_or_init(|| {
            RecordSchema::compile(PIPELINE_RUN_SCHEMA)
                .unwrap_or_else(|e| panic!("embedded pipeline_run schema: {e}"))
        })
    }

    /// Every defect of a record, each with its JSON pointer, in document order.
    pub fn defects(&self, record: &Value) -> Vec<Defect> {
        collect_defects(&self.validator, record)
    }
}

/// Every defect of a record under the embedded schema.
pub fn defects(record: &Value) -> Vec<Defect> {
    RecordSchema::embedded().defects(record)
}

fn collect_defects(validator: &jsonschema::Validator, record: &Value) -> Vec<Defect> {
    let mut found = Vec::new();
    for error in validator.iter_errors(record) {
        let pointer = error.instance_path().to_string();
        if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } =
            error.kind()
        {
            // One defect per unexpected key, pointing at the key itself.
            for key in unexpected {
                found.push(Defect {
                    pointer: format!("{pointer}/{}", escape_pointer(key)),
                    message: format!(
                        "property `{key}` is not allowed here (the schema sets additionalProperties: false)"
                    ),
                });
            }
            continue;
        }
        found.push(Defect {
            pointer,
            message: error.to_string(),
        });
    }
    found
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_schema_compiles_and_requires_the_core_fields() {
        let found = defects(&serde_json::json!({}));
        for key in ["schema", "run_id", "repo", "jobs", "tests", "cost"] {
            assert!(
                found.iter().any(|d| d.message.contains(key)),
                "missing `{key}` not reported: {found:?}"
            );
        }
    }

    #[test]
    fn formats_are_enforced() {
        let record = serde_json::json!({"run_id": "not-a-uuid", "started_at": "yesterday"});
        let found = defects(&record);
        assert!(found.iter().any(|d| d.pointer == "/run_id"), "{found:?}");
        assert!(
            found.iter().any(|d| d.pointer == "/started_at"),
            "{found:?}"
        );
    }

    #[test]
    fn unexpected_keys_are_pointed_at_one_by_one() {
        let record = serde_json::json!({"bogus/key": 1, "other": 2});
        let found = defects(&record);
        assert!(
            found.iter().any(|d| d.pointer == "/bogus~1key"),
            "{found:?}"
        );
        assert!(found.iter().any(|d| d.pointer == "/other"), "{found:?}");
    }
}
