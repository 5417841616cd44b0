#![allow(dead_code, clippy::unwrap_used)]
//! Shared helpers: synth data, stores (SQLite always; PostgreSQL and
//! ClickHouse when `.ci/run` started them), dumps and the standard window.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ci_intel_telemetry::query::Window;
use ci_intel_telemetry::store::tables::{RECORD_TABLES, Val};
use ci_intel_telemetry::store::{self, Backend, StoreUrl};
use ci_intel_telemetry::synth::{SynthOptions, default_end, synth};

pub const POSTGRES_VAR: &str = "CI_INTEL_TELEMETRY_POSTGRES";
pub const CLICKHOUSE_VAR: &str = "CI_INTEL_TELEMETRY_CLICKHOUSE";

pub fn synth_bytes(seed: u64, runs: u64, repos: u32) -> Vec<u8> {
    let mut out = Vec::new();
    synth(
        &SynthOptions {
            seed,
            runs,
            repos,
            ..SynthOptions::default()
        },
        &mut out,
    )
    .unwrap();
    out
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The synth span: 90 days up to 2026-01-01.
pub fn synth_window() -> Window {
    let until = default_end().timestamp_millis();
    Window {
        since_ms: until - 90 * 86_400_000,
        until_ms: until,
        repo: None,
    }
}

pub fn sqlite(dir: &Path) -> Box<dyn Backend> {
    store::open_migrated(&StoreUrl::Sqlite(dir.join("telemetry.db"))).unwrap()
}

/// A fresh PostgreSQL schema on the server `.ci/run` started, or `None`
/// (skipped with a reason; a failure when CI_INTEL_REQUIRE_TOOLS is set).
pub fn postgres(tag: &str) -> Option<(Box<dyn Backend>, String)> {
    let Some(base) = std::env::var(POSTGRES_VAR).ok().filter(|v| !v.is_empty()) else {
        ci_intel_testkit::skip_or_fail(&format!(
            "PostgreSQL is not running ({POSTGRES_VAR} is unset; .ci/run starts one)"
        ));
        return None;
    };
    let schema = format!("t_{tag}_{}", std::process::id());
    let mut admin = store::open(&StoreUrl::Postgres(base.clone())).unwrap();
    admin
        .query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"), &[])
        .unwrap();
    admin
        .query(&format!("CREATE SCHEMA {schema}"), &[])
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
    let backend = store::open_migrated(&StoreUrl::Postgres(url.clone())).unwrap();
    Some((backend, url))
}

/// A fresh ClickHouse database on the server `.ci/run` started, or `None`.
pub fn clickhouse(tag: &str) -> Option<(Box<dyn Backend>, String)> {
    let Some(base) = std::env::var(CLICKHOUSE_VAR).ok().filter(|v| !v.is_empty()) else {
        ci_intel_testkit::skip_or_fail(&format!(
            "ClickHouse is not running ({CLICKHOUSE_VAR} is unset; .ci/run starts Debian's clickhouse-server)"
        ));
        return None;
    };
    let database = format!("t_{tag}_{}", std::process::id());
    let url = format!("{}/{database}", base.trim_end_matches('/'));
    let parsed = StoreUrl::parse(&url).unwrap();
    let mut backend = store::open(&parsed).unwrap();
    // Start from nothing: the database may be left from an earlier run.
    let _ = backend.query(&format!("DROP DATABASE IF EXISTS {database}"), &[]);
    backend.migrate().unwrap();
    Some((backend, url))
}

/// Every record table, rows as text, sorted: equal dumps mean equal stores.
pub fn dump(store: &mut dyn Backend) -> BTreeMap<String, Vec<Vec<String>>> {
    let mut out = BTreeMap::new();
    for table in RECORD_TABLES {
        let mut rows: Vec<Vec<String>> = store
            .query(
                &format!("SELECT {} FROM {}", table.column_list(), table.name),
                &[],
            )
            .unwrap()
            .into_iter()
            .map(|r| {
                r.iter()
                    .map(|v| match v {
                        Val::Null => "NULL".to_owned(),
                        Val::Real(f) => format!("{f:?}"),
                        other => other.text(),
                    })
                    .collect()
            })
            .collect();
        rows.sort();
        out.insert(table.name.to_owned(), rows);
    }
    out
}
