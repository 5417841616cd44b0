//! The official JSON Schemas, embedded (see `schemas/README.md` for their
//! origin and licences), compiled once per process on first use.
//!
//! CycloneDX schemas `$ref` `spdx.schema.json`, `jsf-0.82.schema.json` and
//! (1.7) `cryptography-defs.schema.json` by file name; a retriever serves
//! them from the binary, so validation never touches the network. Formats
//! are asserted: the JSF `algorithm` is `oneOf` [JWA name, `uri`], and a
//! validator that ignores `format` rejects valid signed BOMs.

use std::sync::OnceLock;

use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;

use super::SchemaError;

/// How many violations one document reports at most (the rest are counted).
pub const MAX_ERRORS: usize = 50;

static CDX_1_2: &str = include_str!("../../schemas/bom-1.2.schema.json");
static CDX_1_3: &str = include_str!("../../schemas/bom-1.3.schema.json");
static CDX_1_4: &str = include_str!("../../schemas/bom-1.4.schema.json");
static CDX_1_5: &str = include_str!("../../schemas/bom-1.5.schema.json");
static CDX_1_6: &str = include_str!("../../schemas/bom-1.6.schema.json");
static CDX_1_7: &str = include_str!("../../schemas/bom-1.7.schema.json");
static CDX_SPDX: &str = include_str!("../../schemas/spdx.schema.json");
static CDX_JSF: &str = include_str!("../../schemas/jsf-0.82.schema.json");
static CDX_CRYPTO: &str = include_str!("../../schemas/cryptography-defs.schema.json");
static SPDX_2_3: &str = include_str!("../../schemas/spdx-schema-v2.3.json");

/// The CycloneDX versions validated.
pub const CYCLONEDX_VERSIONS: [&str; 6] = ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"];

struct Embedded;

impl Retrieve for Embedded {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let text = uri.as_str();
        let file = text
            .split('#')
            .next()
            .unwrap_or(text)
            .rsplit('/')
            .next()
            .unwrap_or(text);
        let body = match file {
            "spdx.schema.json" => CDX_SPDX,
            "jsf-0.82.schema.json" => CDX_JSF,
            "cryptography-defs.schema.json" => CDX_CRYPTO,
            _ => return Err(format!("no embedded schema for {text}").into()),
        };
        Ok(serde_json::from_str(body)?)
    }
}

fn compile(text: &str) -> Result<Validator, String> {
    let schema: Value =
        serde_json::from_str(text).map_err(|e| format!("embedded schema is not JSON: {e}"))?;
    jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(Embedded)
        .build(&schema)
        .map_err(|e| format!("embedded schema does not compile: {e}"))
}

type Slot = OnceLock<Result<Validator, String>>;

static SLOTS: [Slot; 7] = [
    OnceLock::new(),
    OnceLock::new(),
    OnceLock::new(),
    OnceLock::new(),
    OnceLock::new(),
    OnceLock::new(),
    OnceLock::new(),
];

fn validator(index: usize) -> &'static Result<Validator, String> {
    let text = [
        CDX_1_2, CDX_1_3, CDX_1_4, CDX_1_5, CDX_1_6, CDX_1_7, SPDX_2_3,
    ][index];
    SLOTS[index].get_or_init(|| compile(text))
}

fn run(index: usize, document: &Value) -> (Vec<SchemaError>, usize) {
    match validator(index) {
        Ok(v) => {
            let mut errors: Vec<SchemaError> = Vec::new();
            let mut extra = 0usize;
            for error in v.iter_errors(document) {
                if errors.len() < MAX_ERRORS {
                    errors.push(SchemaError {
                        pointer: error.instance_path().to_string(),
                        message: truncate(&error.to_string()),
                    });
                } else {
                    extra += 1;
                }
            }
            let total = errors.len() + extra;
            if extra > 0 {
                errors.push(SchemaError {
                    pointer: String::new(),
                    message: format!("… and {extra} more violation(s)"),
                });
            }
            (errors, total)
        }
        // Cannot happen with the schemas shipped; never a silent pass.
        Err(e) => (
            vec![SchemaError {
                pointer: String::new(),
                message: e.clone(),
            }],
            1,
        ),
    }
}

fn truncate(text: &str) -> String {
    if text.chars().count() <= 300 {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(300).collect();
        cut.push('…');
        cut
    }
}

/// Validate a CycloneDX document against the schema of `spec_version`:
/// the first [`MAX_ERRORS`] violations and their total. `Err` lists the supported versions when there is no such schema.
pub fn validate_cyclonedx(
    spec_version: &str,
    document: &Value,
) -> Result<(Vec<SchemaError>, usize), String> {
    let index = CYCLONEDX_VERSIONS
        .iter()
        .position(|v| *v == spec_version)
        .ok_or_else(|| CYCLONEDX_VERSIONS.join(", "))?;
    Ok(run(index, document))
}

/// Validate an SPDX 2.x document against the SPDX 2.3 schema.
pub fn validate_spdx(document: &Value) -> (Vec<SchemaError>, usize) {
    run(6, document)
}
