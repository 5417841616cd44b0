#![allow(clippy::unwrap_used)]
//! DuckDB as a second opinion: the DuckDB CLI (PyPI `duckdb-cli`) reads the
//! same `synth` NDJSON on its own (`read_ndjson_auto`, nested fields, its own
//! timestamp parsing) and computes the health aggregates per repository;
//! they must equal what `health` reports from the store.

mod common;

use std::process::Command;

use ci_intel_telemetry::ingest::ingest;
use ci_intel_telemetry::query;
use common::*;
use serde_json::Value;

const SQL: &str = "
WITH r AS (
  SELECT repo, status,
         date_diff('millisecond', CAST(started_at AS TIMESTAMPTZ), CAST(ended_at AS TIMESTAMPTZ)) AS duration_ms,
         queue_ms, cost.usd AS usd, carbon_g_co2e AS co2, flakiness_index AS flaky,
         tests.resilience.mutants_total AS mutants, tests.resilience.score AS score,
         len(list_filter(policies, lambda p: p.result = 'deny')) AS denials
  FROM read_ndjson_auto('FILE', maximum_object_size = 1048576)
)
SELECT repo,
       count(*) AS runs,
       count(*) FILTER (WHERE status = 'success') AS success,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(*) FILTER (WHERE status = 'canceled') AS canceled,
       list_sort(list(duration_ms))[CAST(ceil(count(*) * 0.50) AS BIGINT)] AS p50,
       list_sort(list(duration_ms))[CAST(ceil(count(*) * 0.95) AS BIGINT)] AS p95,
       list_sort(list(queue_ms))[CAST(ceil(count(*) * 0.50) AS BIGINT)] AS queue_p50,
       sum(usd) AS usd, sum(co2) AS co2, avg(flaky) AS flaky,
       count(*) FILTER (WHERE mutants > 0) AS mutation_runs,
       avg(score) FILTER (WHERE mutants > 0) AS mutation_score,
       CAST(sum(denials) AS BIGINT) AS denials
FROM r GROUP BY repo ORDER BY repo";

fn close(a: f64, b: f64, places: i32) -> bool {
    (a - b).abs() <= 0.5 * 10f64.powi(-places) + 1e-9
}

#[test]
fn duckdb_reads_our_ndjson_and_agrees_with_health() {
    let Some(duckdb) = ci_intel_testkit::tool("CI_INTEL_DUCKDB", "duckdb") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "synth.ndjson", &synth_bytes(8, 4000, 5));
    let mut store = sqlite(dir.path());
    ingest(store.as_mut(), std::slice::from_ref(&data), "l").unwrap();
    let health = query::health_report(store.as_mut(), &synth_window()).unwrap();

    let sql = SQL.replace("FILE", &data.display().to_string());
    let output = Command::new(&duckdb)
        .args(["-json", "-c", &sql])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "duckdb failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(theirs.len(), health.repos.len());
    assert_eq!(theirs.len(), 5);
    for (d, ours) in theirs.iter().zip(&health.repos) {
        let repo = d["repo"].as_str().unwrap();
        assert_eq!(repo, ours.scope);
        let int = |k: &str| {
            d[k].as_i64()
                .unwrap_or_else(|| panic!("{repo}: {k} = {}", d[k]))
        };
        let float = |k: &str| {
            d[k].as_f64()
                .unwrap_or_else(|| panic!("{repo}: {k} = {}", d[k]))
        };
        assert_eq!(int("runs"), ours.runs, "{repo} runs");
        assert_eq!(int("success"), ours.success, "{repo} success");
        assert_eq!(int("failed"), ours.failed, "{repo} failed");
        assert_eq!(int("canceled"), ours.canceled, "{repo} canceled");
        assert_eq!(Some(int("p50")), ours.duration_p50_ms, "{repo} p50");
        assert_eq!(Some(int("p95")), ours.duration_p95_ms, "{repo} p95");
        assert_eq!(
            Some(int("queue_p50")),
            ours.queue_p50_ms,
            "{repo} queue p50"
        );
        assert_eq!(int("denials"), ours.denials, "{repo} denials");
        assert_eq!(
            int("mutation_runs"),
            ours.mutation_runs,
            "{repo} mutation runs"
        );
        assert!(
            close(float("usd"), ours.cost_usd, 2),
            "{repo} cost {} vs {}",
            float("usd"),
            ours.cost_usd
        );
        assert!(
            close(float("co2"), ours.co2e_g, 1),
            "{repo} co2 {} vs {}",
            float("co2"),
            ours.co2e_g
        );
        assert!(
            close(float("flaky"), ours.flakiness_index.unwrap(), 4),
            "{repo} flakiness"
        );
        assert!(
            close(float("mutation_score"), ours.mutation_score.unwrap(), 4),
            "{repo} mutation score"
        );
    }
}
