//! `schemas/config.schema.json` is generated from the Rust types; this test
//! keeps the committed file identical. Regenerate with
//! `UPDATE_SCHEMAS=1 cargo test -p ci-intel-core --test config_schema`.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::path::PathBuf;

use ci_intel_core::config::{Config, config_schema};

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas/config.schema.json")
}

#[test]
fn committed_config_schema_matches_the_types() {
    let mut generated = serde_json::to_string_pretty(&config_schema()).unwrap();
    generated.push('\n');
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(committed_path(), &generated).unwrap();
    }
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "schemas/config.schema.json is stale: run UPDATE_SCHEMAS=1 cargo test -p ci-intel-core --test config_schema"
    );
}

#[test]
fn hub_defaults_validate_against_the_schema_and_bad_configs_do_not() {
    let schema = config_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let defaults = serde_json::to_value(Config::default()).unwrap();
    assert!(validator.is_valid(&defaults));
    for bad in [
        serde_json::json!({"fail_on": "severe"}),
        serde_json::json!({"gates": {"telemetry": {"alow_empty": true}}}),
        serde_json::json!({"version": 2}),
        serde_json::json!({"hub": {"repository": "not a repo"}}),
    ] {
        assert!(!validator.is_valid(&bad), "{bad} must be invalid");
    }
}

#[test]
fn every_lockable_setting_documents_its_direction() {
    let schema = serde_json::to_string(&config_schema()).unwrap();
    for key in ["lower-severity", "\"true\"", "\"false\""] {
        assert!(
            schema.contains(key),
            "schema lacks x-ci-intel-tighten {key}"
        );
    }
}
