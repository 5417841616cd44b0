//! `schemas/config.schema.json` is composed from core's keys and every
//! section the gates declare; this test keeps the committed file, and the
//! generated reference in docs/config.md, identical to the code.
//! Regenerate both with
//! `UPDATE_SCHEMAS=1 cargo test -p ci-intel --test config_schema`.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::path::PathBuf;

use ci_intel::{config_docs, gates};

fn repo_file(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

#[test]
fn committed_config_schema_matches_the_types() {
    let mut generated = serde_json::to_string_pretty(&gates::sections().schema()).unwrap();
    generated.push('\n');
    let path = repo_file("schemas/config.schema.json");
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schemas/config.schema.json is stale: run UPDATE_SCHEMAS=1 cargo test -p ci-intel --test config_schema"
    );
}

#[test]
fn docs_config_md_documents_every_section_as_the_schema_says() {
    let reference = config_docs::reference(&gates::sections().schema());
    let path = repo_file("docs/config.md");
    let page = std::fs::read_to_string(&path).unwrap();
    let (Some(start), Some(end)) = (page.find(config_docs::BEGIN), page.find(config_docs::END))
    else {
        panic!("docs/config.md lacks the generated reference markers");
    };
    let current = &page[start + config_docs::BEGIN.len()..end];
    let wanted = format!("\n{reference}\n");
    if std::env::var_os("UPDATE_SCHEMAS").is_some() && current != wanted {
        let updated = format!(
            "{}{}{}",
            &page[..start + config_docs::BEGIN.len()],
            wanted,
            &page[end..]
        );
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert!(
        current == wanted,
        "docs/config.md's generated reference is stale: run UPDATE_SCHEMAS=1 cargo test -p ci-intel --test config_schema"
    );
    for spec in gates::sections().specs() {
        let section = if spec.key.starts_with("gates.") {
            spec.key.to_owned()
        } else {
            spec.key.split('.').next().unwrap().to_owned()
        };
        assert!(
            reference.contains(&format!("### `{section}`")),
            "docs/config.md has no reference for `{}`",
            spec.key
        );
    }
}

#[test]
fn hub_defaults_validate_against_the_schema_and_bad_configs_do_not() {
    let sections = gates::sections();
    let schema = sections.schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&sections.defaults()));
    for bad in [
        serde_json::json!({"fail_on": "severe"}),
        serde_json::json!({"gates": {"telemetry": {"alow_empty": true}}}),
        serde_json::json!({"version": 2}),
        serde_json::json!({"hub": {"repository": "not a repo"}}),
        serde_json::json!({"policy": {"persona": "lenient"}}),
        serde_json::json!({"secrets": {"max_file_size": 0}}),
        serde_json::json!({"attest": {"artifacts": [{"paths": []}]}}),
        serde_json::json!({"nosuchtool": {}}),
    ] {
        assert!(!validator.is_valid(&bad), "{bad} must be invalid");
    }
}

#[test]
fn every_lockable_setting_documents_its_direction() {
    let schema = serde_json::to_string(&gates::sections().schema()).unwrap();
    for key in [
        "lower-severity",
        "\"true\"",
        "\"false\"",
        "subset",
        "superset",
        "pedantic",
    ] {
        assert!(
            schema.contains(key),
            "schema lacks x-ci-intel-tighten {key}"
        );
    }
}
