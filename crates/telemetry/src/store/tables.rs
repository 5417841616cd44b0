//! The one normalised schema every store holds, and how a record becomes
//! rows of it.
//!
//! Every table is keyed on `run_id` (child tables add `ord`, the position in
//! the record's array). Times are kept twice: the record's text and epoch
//! milliseconds (`*_ms`), so the same integer arithmetic works in every SQL
//! dialect. Booleans are integers 0/1 for the same reason.

use crate::read::ReadRecord;

/// A column type, mapped to each dialect's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Text,
    Int,
    Real,
}

#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub ty: Ty,
    /// Part of the primary key (never null).
    pub key: bool,
}

#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [Column],
}

impl Table {
    pub fn key(&self) -> Vec<&'static str> {
        self.columns
            .iter()
            .filter(|c| c.key)
            .map(|c| c.name)
            .collect()
    }
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A value on its way into (or out of) a store.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl Val {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Val::Int(i) => Some(*i),
            Val::Real(f) => Some(*f as i64),
            Val::Text(t) => t.parse().ok(),
            Val::Null => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Val::Int(i) => Some(*i as f64),
            Val::Real(f) => Some(*f),
            Val::Text(t) => t.parse().ok(),
            Val::Null => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Text(t) => Some(t),
            _ => None,
        }
    }
    pub fn text(&self) -> String {
        match self {
            Val::Null => String::new(),
            Val::Int(i) => i.to_string(),
            Val::Real(f) => f.to_string(),
            Val::Text(t) => t.clone(),
        }
    }
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::Text(s.to_owned())
    }
}
impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Text(s)
    }
}
impl From<i64> for Val {
    fn from(i: i64) -> Val {
        Val::Int(i)
    }
}
impl From<f64> for Val {
    fn from(f: f64) -> Val {
        Val::Real(f)
    }
}
impl From<bool> for Val {
    fn from(b: bool) -> Val {
        Val::Int(i64::from(b))
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(o: Option<T>) -> Val {
        o.map_or(Val::Null, Into::into)
    }
}
impl From<&String> for Val {
    fn from(s: &String) -> Val {
        Val::Text(s.clone())
    }
}

const fn c(name: &'static str, ty: Ty) -> Column {
    Column {
        name,
        ty,
        key: false,
    }
}
const fn k(name: &'static str, ty: Ty) -> Column {
    Column {
        name,
        ty,
        key: true,
    }
}

use Ty::{Int, Real, Text};

pub const RUNS: Table = Table {
    name: "runs",
    columns: &[
        k("run_id", Text),
        c("load_id", Text),
        c("record_sha256", Text),
        c("schema_version", Text),
        c("repo", Text),
        c("commit_sha", Text),
        c("branch", Text),
        c("pr", Int),
        c("started_at", Text),
        c("ended_at", Text),
        c("started_ms", Int),
        c("ended_ms", Int),
        c("day", Text),
        c("duration_ms", Int),
        c("status", Text),
        c("queue_ms", Int),
        c("artifact_bytes", Int),
        c("environment", Text),
        c("deployment_id", Text),
        c("rollout_step", Int),
        c("strategy", Text),
        c("image_digest", Text),
        c("sbom_uri", Text),
        c("provenance_uri", Text),
        c("signature_uri", Text),
        c("release_evidence_uri", Text),
        c("runner_os", Text),
        c("runner_type", Text),
        c("region", Text),
        c("spot", Int),
        c("flakiness_index", Real),
        c("rollback_reason", Text),
        c("cache_keys", Text),
    ],
};

pub const JOBS: Table = Table {
    name: "jobs",
    columns: &[
        k("run_id", Text),
        k("ord", Int),
        c("job_id", Text),
        c("name", Text),
        c("status", Text),
        c("attempt", Int),
        c("duration_ms", Int),
        c("queue_ms", Int),
        c("cache_hit", Int),
        c("cache_key", Text),
        c("machine_class", Text),
        c("machine_cpu", Text),
        c("machine_ram_gb", Real),
        c("matrix", Text),
        c("logs_uri", Text),
    ],
};

pub const TESTS: Table = Table {
    name: "tests",
    columns: &[
        k("run_id", Text),
        c("total", Int),
        c("failed", Int),
        c("skipped", Int),
        c("duration_ms", Int),
        c("lines_pct", Real),
        c("branches_pct", Real),
        c("statements_pct", Real),
        c("mutants_total", Int),
        c("killed", Int),
        c("equiv", Int),
        c("timeouts", Int),
        c("score", Real),
        c("delta_vs_main", Real),
        c("equivalent_mutants_dropped", Int),
    ],
};

pub const POLICIES: Table = Table {
    name: "policies",
    columns: &[
        k("run_id", Text),
        k("ord", Int),
        c("policy_id", Text),
        c("result", Text),
        c("reason", Text),
        c("docs_uri", Text),
        c("time_ns", Int),
    ],
};

pub const CANARY: Table = Table {
    name: "canary",
    columns: &[
        k("run_id", Text),
        c("decision", Text),
        c("recorded_at", Text),
        c("window_start", Text),
        c("window_end", Text),
        c("query_text", Text),
        c("metrics_uri", Text),
        c("error_rate", Real),
        c("success_rate", Real),
        c("latency_p50_ms", Real),
        c("latency_p95_ms", Real),
        c("latency_p99_ms", Real),
        c("reqs_per_s", Real),
    ],
};

pub const CHAOS: Table = Table {
    name: "chaos",
    columns: &[
        k("run_id", Text),
        k("ord", Int),
        c("fault", Text),
        c("target", Text),
        c("seed", Int),
        c("rate", Real),
        c("started_at", Text),
        c("ended_at", Text),
        c("outcome", Text),
        c("retries", Int),
    ],
};

pub const AUTOPSY: Table = Table {
    name: "autopsy",
    columns: &[
        k("run_id", Text),
        k("ord", Int),
        c("tool", Text),
        c("pattern", Text),
        c("file", Text),
        c("line", Int),
        c("message", Text),
        c("suggestion", Text),
        c("severity", Text),
        c("docs_uri", Text),
    ],
};

pub const COST: Table = Table {
    name: "cost",
    columns: &[
        k("run_id", Text),
        c("usd", Real),
        c("cpu_seconds", Real),
        c("gpu_seconds", Real),
        c("carbon_g_co2e", Real),
        c("energy_kwh", Real),
    ],
};

/// One row per file per ingest: the audit trail of loads.
pub const LOADS: Table = Table {
    name: "loads",
    columns: &[
        k("load_id", Text),
        k("file", Text),
        c("file_sha256", Text),
        c("records", Int),
        c("inserted", Int),
        c("duplicates", Int),
        c("conflicts", Int),
        c("loaded_at", Text),
    ],
};

/// The record tables, `runs` first. Loads and the schema version live apart.
pub const RECORD_TABLES: [&Table; 8] = [
    &RUNS, &JOBS, &TESTS, &POLICIES, &CANARY, &CHAOS, &AUTOPSY, &COST,
];

/// The version of this schema; `migrate` brings a store up to it. v2: the
/// indexes of `health` (the tables are those of v1).
pub const SCHEMA_VERSION: i64 = 2;

/// A record's rows, one list per entry of [`RECORD_TABLES`].
pub fn rows_of(load_id: &str, read: &ReadRecord) -> [Vec<Vec<Val>>; 8] {
    let r = &read.record;
    let run_id = || Val::from(r.run_id.as_str());
    let day = r.started_at.get(..10).unwrap_or("").to_owned();
    // Day in UTC, whatever offset the record was written with.
    let day = chrono::DateTime::from_timestamp_millis(read.started_ms)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or(day);
    let runs = vec![vec![
        run_id(),
        load_id.into(),
        read.sha256.as_str().into(),
        r.schema.as_str().into(),
        r.repo.as_str().into(),
        r.commit_sha.as_str().into(),
        r.branch.as_str().into(),
        r.pr.into(),
        r.started_at.as_str().into(),
        r.ended_at.as_str().into(),
        read.started_ms.into(),
        read.ended_ms.into(),
        day.into(),
        (read.ended_ms - read.started_ms).max(0).into(),
        r.status.as_str().into(),
        r.queue_ms.into(),
        r.artifact_bytes.into(),
        r.environment.clone().into(),
        r.deployment_id.clone().into(),
        r.rollout_step.into(),
        r.strategy.clone().into(),
        r.image_digest.clone().into(),
        r.sbom_uri.clone().into(),
        r.provenance_uri.clone().into(),
        r.signature_uri.clone().into(),
        r.release_evidence_uri.clone().into(),
        r.runner_os.clone().into(),
        r.runner_type.clone().into(),
        r.region.clone().into(),
        r.spot.into(),
        r.flakiness_index.into(),
        r.rollback_reason.clone().into(),
        r.cache_keys
            .as_ref()
            .map(|k| serde_json::to_string(k).unwrap_or_default())
            .into(),
    ]];
    let jobs = r
        .jobs
        .iter()
        .enumerate()
        .map(|(i, j)| {
            vec![
                run_id(),
                (i as i64).into(),
                j.id.as_str().into(),
                j.name.as_str().into(),
                j.status.as_str().into(),
                j.attempt.into(),
                j.duration_ms.into(),
                j.queue_ms.into(),
                j.cache.as_ref().and_then(|c| c.hit).into(),
                j.cache.as_ref().and_then(|c| c.key.clone()).into(),
                j.machine.as_ref().and_then(|m| m.class.clone()).into(),
                j.machine.as_ref().and_then(|m| m.cpu.clone()).into(),
                j.machine.as_ref().and_then(|m| m.ram_gb).into(),
                j.matrix
                    .as_ref()
                    .map(|m| serde_json::to_string(m).unwrap_or_default())
                    .into(),
                j.logs_uri.clone().into(),
            ]
        })
        .collect();
    let t = &r.tests;
    let cov = t.coverage.as_ref();
    let tests = vec![vec![
        run_id(),
        t.total.into(),
        t.failed.into(),
        t.skipped.into(),
        t.duration_ms.into(),
        cov.and_then(|c| c.lines_pct).into(),
        cov.and_then(|c| c.branches_pct).into(),
        cov.and_then(|c| c.statements_pct).into(),
        t.resilience.mutants_total.into(),
        t.resilience.killed.into(),
        t.resilience.equiv.into(),
        t.resilience.timeout.into(),
        t.resilience.score.into(),
        t.resilience.delta_vs_main.into(),
        t.resilience.equivalent_mutants_dropped.into(),
    ]];
    let policies = r
        .policies
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, p)| {
            vec![
                run_id(),
                (i as i64).into(),
                p.id.as_str().into(),
                p.result.as_str().into(),
                p.reason.clone().into(),
                p.docs_uri.clone().into(),
                p.time_ns.into(),
            ]
        })
        .collect();
    let canary = if r.canary.is_some() || r.canary_metrics.is_some() {
        let d = r.canary.as_ref();
        let m = r.canary_metrics.as_ref();
        vec![vec![
            run_id(),
            d.map(|d| d.decision.clone()).into(),
            d.map(|d| d.recorded_at.clone()).into(),
            d.map(|d| d.window.start.clone()).into(),
            d.map(|d| d.window.end.clone()).into(),
            d.and_then(|d| d.query.clone()).into(),
            d.and_then(|d| d.metrics_uri.clone()).into(),
            m.and_then(|m| m.error_rate).into(),
            m.and_then(|m| m.success_rate).into(),
            m.and_then(|m| m.latency_p50_ms).into(),
            m.and_then(|m| m.latency_p95_ms).into(),
            m.and_then(|m| m.latency_p99_ms).into(),
            m.and_then(|m| m.reqs_per_s).into(),
        ]]
    } else {
        Vec::new()
    };
    let chaos = r
        .chaos
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, c)| {
            vec![
                run_id(),
                (i as i64).into(),
                c.fault.as_str().into(),
                c.target.as_str().into(),
                c.seed.into(),
                c.rate.into(),
                c.started_at.clone().into(),
                c.ended_at.clone().into(),
                c.outcome.as_str().into(),
                c.retries.into(),
            ]
        })
        .collect();
    let autopsy = r
        .autopsy
        .as_ref()
        .and_then(|a| a.root_causes.as_ref())
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, c)| {
            vec![
                run_id(),
                (i as i64).into(),
                c.tool.clone().into(),
                c.pattern.as_str().into(),
                c.file.clone().into(),
                c.line.into(),
                c.message.clone().into(),
                c.suggestion.as_str().into(),
                c.severity.clone().into(),
                c.docs_uri.clone().into(),
            ]
        })
        .collect();
    let cost = vec![vec![
        run_id(),
        r.cost.usd.into(),
        r.cost.cpu_seconds.into(),
        r.cost.gpu_seconds.into(),
        r.carbon_g_co2e.into(),
        r.energy.as_ref().and_then(|e| e.kwh).into(),
    ]];
    [runs, jobs, tests, policies, canary, chaos, autopsy, cost]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_matches_its_table() {
        let example = include_str!("../../../../schemas/examples/pipeline_run.v1.2.example.json");
        let line = serde_json::from_str::<serde_json::Value>(example)
            .unwrap()
            .to_string();
        let read = crate::read::read_ndjson("x", line.as_bytes()).unwrap();
        let rows = rows_of("load", &read[0]);
        for (table, rows) in RECORD_TABLES.iter().zip(rows.iter()) {
            assert!(
                !rows.is_empty(),
                "{} has no row for the full example",
                table.name
            );
            for row in rows {
                assert_eq!(row.len(), table.columns.len(), "{}", table.name);
                for (column, value) in table.columns.iter().zip(row) {
                    if column.key {
                        assert_ne!(value, &Val::Null, "{}.{}", table.name, column.name);
                    }
                    match (column.ty, value) {
                        (_, Val::Null) | (Text, Val::Text(_)) | (Int, Val::Int(_)) => {}
                        (Real, Val::Real(_)) => {}
                        other => panic!("{}.{}: {other:?}", table.name, column.name),
                    }
                }
            }
        }
        assert_eq!(rows[1].len(), 2, "two jobs");
    }
}
