#![allow(clippy::unwrap_used)]
//! The store: exactly-once ingest, whole-file rejection, migration on the
//! way in, and the same numbers from SQLite, PostgreSQL and ClickHouse.

mod common;

use ci_intel_telemetry::ingest::{FileResult, ingest};
use ci_intel_telemetry::query::{self, Window};
use ci_intel_telemetry::store::tables::{SCHEMA_VERSION, Val};
use ci_intel_telemetry::store::{Backend, Dialect};
use common::*;
use serde_json::Value;

fn loaded(report: &ci_intel_telemetry::ingest::IngestReport) -> Vec<(usize, usize, usize)> {
    report
        .files
        .iter()
        .filter_map(|f| match f {
            FileResult::Loaded { outcome, .. } => Some((
                outcome.inserted,
                outcome.duplicates,
                outcome.conflicts.len(),
            )),
            FileResult::Rejected(_) => None,
        })
        .collect()
}

/// The checks every store must pass.
fn exactly_once_and_whole_file_rejection(store: &mut dyn Backend) {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.ndjson", &synth_bytes(11, 400, 3));
    let first = ingest(store, std::slice::from_ref(&good), "load-1").unwrap();
    assert_eq!(loaded(&first), vec![(400, 0, 0)]);
    let before = dump(store);
    assert_eq!(before["runs"].len(), 400);
    assert!(before["jobs"].len() >= 800);

    // Again, in another load: nothing changes in any record table.
    let again = ingest(store, std::slice::from_ref(&good), "load-2").unwrap();
    assert_eq!(loaded(&again), vec![(0, 400, 0)]);
    assert_eq!(dump(store), before, "re-ingesting changed the store");

    // A file whose 7th line is invalid: rejected whole, with file:line and
    // pointer; the valid file beside it still loads.
    let other = synth_bytes(12, 10, 2);
    let mut lines: Vec<Value> = other
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    lines[6]["jobs"][0]["status"] = Value::from("exploded");
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let bad = write(dir.path(), "bad.ndjson", text.as_bytes());
    let fresh = write(dir.path(), "fresh.ndjson", &synth_bytes(13, 5, 1));
    let report = ingest(store, &[bad, fresh], "load-3").unwrap();
    let FileResult::Rejected(rejection) = &report.files[0] else {
        panic!("bad.ndjson was not rejected: {:?}", report.files[0]);
    };
    assert_eq!(rejection.line, 7);
    assert_eq!(rejection.pointer, "/jobs/0/status");
    assert!(
        rejection
            .to_string()
            .contains("bad.ndjson:7: /jobs/0/status: ")
    );
    assert_eq!(loaded(&report), vec![(5, 0, 0)]);
    let after = dump(store);
    assert_eq!(
        after["runs"].len(),
        405,
        "nothing of the rejected file was written"
    );
    for line in &lines {
        let id = line["run_id"].as_str().unwrap();
        assert!(!after["runs"].iter().any(|r| r[0] == id));
    }

    // The same run_id with other content: a conflict; the first load is kept.
    let mut changed: Value = serde_json::from_slice(
        good.to_str()
            .map(std::fs::read)
            .unwrap()
            .unwrap()
            .split(|b| *b == b'\n')
            .next()
            .unwrap(),
    )
    .unwrap();
    changed["status"] = Value::from("canceled");
    let conflict = write(
        dir.path(),
        "conflict.ndjson",
        format!("{changed}\n").as_bytes(),
    );
    let report = ingest(store, &[conflict], "load-4").unwrap();
    assert_eq!(loaded(&report), vec![(0, 0, 1)]);
    let FileResult::Loaded { outcome, .. } = &report.files[0] else {
        unreachable!()
    };
    assert_eq!(outcome.conflicts[0].kept_load_id, "load-1");
    assert_eq!(outcome.conflicts[0].line, 1);
    let kept = store
        .query(
            "SELECT status FROM runs WHERE run_id = $1",
            &[changed["run_id"].as_str().unwrap().into()],
        )
        .unwrap();
    assert_ne!(kept[0][0].text(), "canceled");
}

#[test]
fn sqlite_ingest_is_exactly_once_and_rejects_whole_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sqlite(dir.path());
    exactly_once_and_whole_file_rejection(store.as_mut());
    let loads = store
        .query("SELECT COUNT(*), SUM(inserted) FROM loads", &[])
        .unwrap();
    assert_eq!(
        (loads[0][0].as_i64(), loads[0][1].as_i64()),
        (Some(4), Some(405))
    );
}

#[test]
fn postgres_ingest_is_exactly_once_and_rejects_whole_files() {
    let Some((mut store, _)) = postgres("once") else {
        return;
    };
    exactly_once_and_whole_file_rejection(store.as_mut());
}

#[test]
fn clickhouse_ingest_is_exactly_once_and_rejects_whole_files() {
    let Some((mut store, _)) = clickhouse("once") else {
        return;
    };
    exactly_once_and_whole_file_rejection(store.as_mut());
}

#[test]
fn v1_1_records_are_migrated_on_ingest() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sqlite(dir.path());
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1.1/runs.ndjson");
    let report = ingest(store.as_mut(), &[fixture], "l").unwrap();
    let FileResult::Loaded {
        migrated, records, ..
    } = &report.files[0]
    else {
        panic!("{:?}", report.files[0]);
    };
    assert!(*records > 0);
    assert_eq!(migrated, records);
    let rows = store
        .query("SELECT schema_version, flakiness_index FROM runs", &[])
        .unwrap();
    assert!(rows.iter().all(|r| r[0].text() == "pipeline_run.v1.2"));
    assert!(rows.iter().any(|r| r[1].as_f64().is_some()));
}

/// dora and health as JSON from one store.
fn figures(store: &mut dyn Backend, window: &Window) -> (Value, Value) {
    let dora = query::dora_report(store, window, "prod", &[], None).unwrap();
    let health = query::health_report(store, window).unwrap();
    (
        serde_json::to_value(dora).unwrap(),
        serde_json::to_value(health).unwrap(),
    )
}

/// Equal JSON, or a panic naming the first differing pointer.
fn assert_same(a: &Value, b: &Value, what: &str) {
    fn walk(a: &Value, b: &Value, at: &str) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, v) in x {
                    let next = format!("{at}/{k}");
                    match y.get(k) {
                        Some(w) => {
                            if let Some(d) = walk(v, w, &next) {
                                return Some(d);
                            }
                        }
                        None => return Some(format!("{next}: missing on the right")),
                    }
                }
                (x.len() != y.len()).then(|| format!("{at}: keys differ"))
            }
            (Value::Array(x), Value::Array(y)) => {
                if x.len() != y.len() {
                    return Some(format!("{at}: {} vs {} items", x.len(), y.len()));
                }
                x.iter()
                    .zip(y)
                    .enumerate()
                    .find_map(|(i, (v, w))| walk(v, w, &format!("{at}/{i}")))
            }
            _ => (a != b).then(|| format!("{at}: {a} vs {b}")),
        }
    }
    if let Some(difference) = walk(a, b, "") {
        panic!("{what} differ at {difference}");
    }
}

fn same_numbers(other: &mut dyn Backend, name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "synth.ndjson", &synth_bytes(5, 3000, 4));
    let mut lite = sqlite(dir.path());
    ingest(lite.as_mut(), std::slice::from_ref(&data), "l").unwrap();
    ingest(other, &[data], "l").unwrap();
    let window = synth_window();
    let one_repo = Window {
        repo: Some("acme/web".to_owned()),
        ..window.clone()
    };
    let last_30 = Window {
        since_ms: window.until_ms - 30 * 86_400_000,
        ..window.clone()
    };
    for w in [&window, &one_repo, &last_30] {
        let (dora_a, health_a) = figures(lite.as_mut(), w);
        let (dora_b, health_b) = figures(other, w);
        assert_same(&dora_a, &dora_b, &format!("dora, SQLite vs {name}"));
        assert_same(&health_a, &health_b, &format!("health, SQLite vs {name}"));
        assert!(dora_a["overall"]["deployments"].as_u64().unwrap() > 0);
        assert!(health_a["days"].as_array().unwrap().len() >= 28);
    }
}

#[test]
fn sqlite_and_postgres_give_the_same_numbers() {
    let Some((mut store, _)) = postgres("same") else {
        return;
    };
    same_numbers(store.as_mut(), "PostgreSQL");
}

#[test]
fn sqlite_and_clickhouse_give_the_same_numbers() {
    let Some((mut store, _)) = clickhouse("same") else {
        return;
    };
    same_numbers(store.as_mut(), "ClickHouse");
}

#[test]
fn a_newer_schema_is_refused_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sqlite(dir.path());
    store
        .query(
            "UPDATE meta SET meta_value = '99' WHERE meta_key = 'schema_version'",
            &[],
        )
        .unwrap();
    drop(store);
    let err = ci_intel_telemetry::store::open_migrated(
        &ci_intel_telemetry::store::StoreUrl::Sqlite(dir.path().join("telemetry.db")),
    )
    .unwrap_err();
    assert!(err.to_string().contains("v99"), "{err}");
}

/// Per-group nearest-rank p50/p95 of `value` the way `health` took them in
/// the store before v2 (window functions), as a reference for the
/// percentiles it now takes from the streamed values.
fn window_function_percentiles(
    store: &mut dyn Backend,
    groups: &str,
    value: &str,
    from: &str,
    params: &[Val],
) -> Vec<(String, i64, i64)> {
    let mut rows: Vec<(String, i64, i64)> = store
        .query(
            &format!(
                "SELECT g, MAX(CASE WHEN rn = (n * 50 + 99) / 100 THEN v END), MAX(CASE WHEN rn = (n * 95 + 99) / 100 THEN v END)
                 FROM (SELECT {groups} AS g, {value} AS v,
                         ROW_NUMBER() OVER (PARTITION BY {groups} ORDER BY {value}) AS rn,
                         COUNT(*) OVER (PARTITION BY {groups}) AS n
                       {from} AND {value} IS NOT NULL) t
                 WHERE rn = (n * 50 + 99) / 100 OR rn = (n * 95 + 99) / 100
                 GROUP BY g"
            ),
            params,
        )
        .unwrap()
        .into_iter()
        .map(|r| (r[0].text(), r[1].as_i64().unwrap(), r[2].as_i64().unwrap()))
        .collect();
    rows.sort();
    rows
}

/// The percentiles `health` computes from the values it streams equal the
/// window-function SQL it used before, for every scope and figure.
fn percentiles_match_the_store(store: &mut dyn Backend) {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "synth.ndjson", &synth_bytes(11, 2500, 4));
    ingest(store, &[data], "l").unwrap();
    let window = synth_window();
    let last_30 = Window {
        since_ms: window.until_ms - 30 * 86_400_000,
        ..window.clone()
    };
    for w in [&window, &last_30] {
        let health = query::health_report(store, w).unwrap();
        let params = [Val::Int(w.since_ms), Val::Int(w.until_ms)];
        let runs = "FROM runs r WHERE r.started_ms >= $1 AND r.started_ms < $2";
        let jobs = "FROM runs r JOIN jobs j ON j.run_id = r.run_id WHERE r.started_ms >= $1 AND r.started_ms < $2";
        let scopes = |rows: &[query::HealthRow],
                      f: fn(&query::HealthRow) -> (Option<i64>, Option<i64>)| {
            let mut out: Vec<(String, i64, i64)> = rows
                .iter()
                .map(|r| (r.scope.clone(), f(r).0.unwrap(), f(r).1.unwrap()))
                .collect();
            out.sort();
            out
        };
        let duration = |r: &query::HealthRow| (r.duration_p50_ms, r.duration_p95_ms);
        let queue = |r: &query::HealthRow| (r.queue_p50_ms, r.queue_p95_ms);
        for (group, rows) in [("r.repo", &health.repos), ("r.day", &health.days)] {
            assert_eq!(
                scopes(rows, duration),
                window_function_percentiles(store, group, "r.duration_ms", runs, &params),
                "duration by {group}"
            );
            assert_eq!(
                scopes(rows, queue),
                window_function_percentiles(store, group, "r.queue_ms", runs, &params),
                "queue by {group}"
            );
        }
        assert_eq!(
            scopes(std::slice::from_ref(&health.overall), duration)
                .into_iter()
                .map(|(_, a, b)| (a, b))
                .collect::<Vec<_>>(),
            window_function_percentiles(
                store,
                "CAST('all' AS TEXT)",
                "r.duration_ms",
                runs,
                &params
            )
            .into_iter()
            .map(|(_, a, b)| (a, b))
            .collect::<Vec<_>>(),
        );
        let mut job_durations: Vec<(String, i64, i64)> = health
            .jobs
            .iter()
            .map(|j| {
                (
                    format!("{} {}", j.repo, j.job),
                    j.duration_p50_ms.unwrap(),
                    j.duration_p95_ms.unwrap(),
                )
            })
            .collect();
        job_durations.sort();
        let key = "r.repo || ' ' || j.name";
        assert_eq!(
            job_durations,
            window_function_percentiles(store, key, "j.duration_ms", jobs, &params),
            "job durations"
        );
    }
}

#[test]
fn sqlite_percentiles_match_the_window_function_sql() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sqlite(dir.path());
    percentiles_match_the_store(store.as_mut());
}

#[test]
fn postgres_percentiles_match_the_window_function_sql() {
    let Some((mut store, _)) = postgres("pct") else {
        return;
    };
    percentiles_match_the_store(store.as_mut());
}

/// Make a v2 store look like v1: without the indexes v2 added, version 1.
fn downgrade_to_v1(store: &mut dyn Backend) {
    for index in [
        "runs_by_start",
        "cost_by_run",
        "tests_by_run",
        "policies_by_run",
        "jobs_by_run",
    ] {
        store.query(&format!("DROP INDEX {index}"), &[]).unwrap();
    }
    store
        .query(
            "UPDATE meta SET meta_value = '1' WHERE meta_key = 'schema_version'",
            &[],
        )
        .unwrap();
}

/// The names of the indexes on the record tables.
fn index_names(store: &mut dyn Backend) -> Vec<String> {
    let sql = match store.dialect() {
        Dialect::Postgres => {
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%pkey' ORDER BY indexname"
        }
        _ => {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name"
        }
    };
    store
        .query(sql, &[])
        .unwrap()
        .into_iter()
        .map(|r| r[0].text())
        .collect()
}

/// A v1 store with data is upgraded in place on open: the indexes are
/// added, the version is 2, the rows are untouched and the figures the same.
fn upgrade_in_place(store: &mut dyn Backend, reopen: &dyn Fn() -> Box<dyn Backend>) {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "synth.ndjson", &synth_bytes(12, 800, 3));
    ingest(store, &[data], "l").unwrap();
    let window = synth_window();
    let before = figures(store, &window);
    let rows = dump(store);
    let v2_indexes = index_names(store);
    assert!(
        v2_indexes.contains(&"runs_by_start".to_owned()),
        "{v2_indexes:?}"
    );
    downgrade_to_v1(store);
    assert!(!index_names(store).contains(&"runs_by_start".to_owned()));
    let mut upgraded = reopen();
    let version = upgraded
        .query(
            "SELECT meta_value FROM meta WHERE meta_key = 'schema_version'",
            &[],
        )
        .unwrap();
    assert_eq!(version[0][0].text(), SCHEMA_VERSION.to_string());
    assert_eq!(index_names(upgraded.as_mut()), v2_indexes);
    assert_eq!(dump(upgraded.as_mut()), rows);
    let after = figures(upgraded.as_mut(), &window);
    assert_same(&before.0, &after.0, "dora before and after the upgrade");
    assert_same(&before.1, &after.1, "health before and after the upgrade");
}

#[test]
fn a_v1_sqlite_store_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sqlite(dir.path());
    let path = dir.path().to_owned();
    upgrade_in_place(store.as_mut(), &|| sqlite(&path));
}

#[test]
fn a_v1_postgres_store_is_upgraded_in_place() {
    let Some((mut store, url)) = postgres("upgrade") else {
        return;
    };
    upgrade_in_place(store.as_mut(), &|| {
        ci_intel_telemetry::store::open_migrated(&ci_intel_telemetry::store::StoreUrl::Postgres(
            url.clone(),
        ))
        .unwrap()
    });
}
