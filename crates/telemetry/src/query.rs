//! The queries behind `dora`, `health` and `report`: the same SQL on every
//! store where the dialects allow (only the percentile differs: window
//! functions on SQLite and PostgreSQL, `groupArray` on ClickHouse, both the
//! nearest-rank definition), the figures rounded so every store prints the
//! same numbers.

use std::collections::{BTreeMap, HashMap};

use ci_intel_core::Failure;
use serde::Serialize;

use crate::dora::{self, DeploymentRun, DoraReport, Incident, RecordCommits, round};
use crate::store::tables::Val;
use crate::store::{Backend, Dialect};

/// The window and filters every query command takes.
#[derive(Debug, Clone)]
pub struct Window {
    pub since_ms: i64,
    pub until_ms: i64,
    pub repo: Option<String>,
}

impl Window {
    pub fn days(&self) -> f64 {
        (self.until_ms - self.since_ms) as f64 / 86_400_000.0
    }
    pub fn since(&self) -> String {
        ms_to_rfc3339(self.since_ms)
    }
    pub fn until(&self) -> String {
        ms_to_rfc3339(self.until_ms)
    }
}

pub fn ms_to_rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// `AND r.repo = $N` when a repo filter is set, and the parameter list.
fn repo_filter(window: &Window, mut params: Vec<Val>) -> (String, Vec<Val>) {
    match &window.repo {
        Some(repo) => {
            params.push(Val::from(repo.as_str()));
            (format!(" AND r.repo = ${}", params.len()), params)
        }
        None => (String::new(), params),
    }
}

/// The deployments of `environment` that finished before the window's end.
pub fn deployment_runs(
    store: &mut dyn Backend,
    window: &Window,
    environment: &str,
) -> Result<Vec<DeploymentRun>, Failure> {
    let (filter, params) = repo_filter(
        window,
        vec![Val::from(environment), Val::Int(window.until_ms)],
    );
    let rows = store.query(
        &format!(
            "SELECT r.run_id, r.repo, r.environment, r.deployment_id, r.commit_sha, r.branch, r.status, r.started_ms, r.ended_ms, r.rollback_reason
             FROM runs r
             WHERE r.environment = $1 AND r.status IN ('success', 'failed') AND r.ended_ms < $2{filter}
             ORDER BY r.started_ms, r.run_id"
        ),
        &params,
    )?;
    let rollbacks: std::collections::HashSet<String> = store
        .query("SELECT run_id FROM canary WHERE decision = 'rollback'", &[])?
        .into_iter()
        .map(|r| r[0].text())
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| DeploymentRun {
            rolled_back: !matches!(r[9], Val::Null) || rollbacks.contains(&r[0].text()),
            run_id: r[0].text(),
            repo: r[1].text(),
            environment: r[2].text(),
            deployment_id: r[3].as_str().map(str::to_owned),
            commit_sha: r[4].text(),
            branch: r[5].text(),
            success: r[6].as_str() == Some("success"),
            started_ms: r[7].as_i64().unwrap_or(0),
            ended_ms: r[8].as_i64().unwrap_or(0),
        })
        .collect())
}

/// How far before the window commits are looked up for lead time.
pub const COMMIT_LOOKBACK_MS: i64 = 180 * 86_400_000;

/// When each commit was first seen on the given branches.
pub fn first_seen(
    store: &mut dyn Backend,
    window: &Window,
    branches: &[String],
) -> Result<RecordCommits, Failure> {
    if branches.is_empty() {
        return Ok(RecordCommits::default());
    }
    let mut params = vec![
        Val::Int(window.since_ms - COMMIT_LOOKBACK_MS),
        Val::Int(window.until_ms),
    ];
    let mut marks = Vec::new();
    for b in branches {
        params.push(Val::from(b.as_str()));
        marks.push(format!("${}", params.len()));
    }
    let (filter, params) = repo_filter(window, params);
    let rows = store.query(
        &format!(
            "SELECT r.repo, r.branch, r.commit_sha, MIN(r.started_ms)
             FROM runs r
             WHERE r.started_ms >= $1 AND r.started_ms < $2 AND r.branch IN ({}){filter}
             GROUP BY r.repo, r.branch, r.commit_sha",
            marks.join(", ")
        ),
        &params,
    )?;
    Ok(RecordCommits::new(rows.into_iter().map(|r| {
        (
            r[0].text(),
            r[1].text(),
            r[2].text(),
            r[3].as_i64().unwrap_or(0),
        )
    })))
}

/// Read `--incidents`: NDJSON, one `{id, repo, created_at, resolved_at?, environment?}` a line.
pub fn read_incidents(
    path: &std::path::Path,
) -> Result<Vec<(Incident, i64, Option<i64>)>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read --incidents {}: {e}", path.display())))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{}:{}", path.display(), i + 1);
        let incident: Incident = serde_json::from_str(line).map_err(|e| {
            Failure::usage(format!(
                "{at}: {e}; expected {{\"id\", \"repo\", \"created_at\", \"resolved_at\"?, \"environment\"?}}"
            ))
        })?;
        let created = crate::read::epoch_ms(&incident.created_at).ok_or_else(|| {
            Failure::usage(format!(
                "{at}: /created_at: `{}` is not an RFC 3339 time",
                incident.created_at
            ))
        })?;
        let resolved = match &incident.resolved_at {
            Some(t) => Some(crate::read::epoch_ms(t).ok_or_else(|| {
                Failure::usage(format!("{at}: /resolved_at: `{t}` is not an RFC 3339 time"))
            })?),
            None => None,
        };
        out.push((incident, created, resolved));
    }
    Ok(out)
}

/// `dora`: the four metrics over the window.
pub fn dora_report(
    store: &mut dyn Backend,
    window: &Window,
    environment: &str,
    incidents: &[(Incident, i64, Option<i64>)],
    git: Option<&std::path::Path>,
) -> Result<DoraReport, Failure> {
    let runs = deployment_runs(store, window, environment)?;
    let deployments = dora::group_deployments(&runs);
    let mut branches: Vec<String> = deployments.iter().map(|d| d.branch.clone()).collect();
    branches.sort();
    branches.dedup();
    let records = first_seen(store, window, &branches)?;
    let incidents: Vec<_> = incidents
        .iter()
        .filter(|(i, _, _)| window.repo.as_ref().is_none_or(|r| *r == i.repo))
        .cloned()
        .collect();
    let (overall, repos, commit_times) = match git {
        Some(dir) => {
            let mut source = dora::GitCommits {
                dir: dir.to_owned(),
                fallback: records,
                fell_back: 0,
            };
            let (o, r) = dora::compute(
                &deployments,
                &incidents,
                &mut source,
                window.since_ms,
                window.until_ms,
                environment,
            );
            let note = if source.fell_back > 0 {
                format!(
                    "git ({} deployment(s) not in the checkout: from the records)",
                    source.fell_back
                )
            } else {
                "git".to_owned()
            };
            (o, r, note)
        }
        None => {
            let mut source = records;
            let (o, r) = dora::compute(
                &deployments,
                &incidents,
                &mut source,
                window.since_ms,
                window.until_ms,
                environment,
            );
            (o, r, "records".to_owned())
        }
    };
    Ok(DoraReport {
        since: window.since(),
        until: window.until(),
        days: round(window.days(), 2),
        environment: environment.to_owned(),
        commit_times,
        incidents: incidents.len(),
        overall,
        repos,
    })
}

/// Nearest-rank percentiles 50 and 95 of `value` per group, over `from`
/// (a FROM ... WHERE clause using `params`). Groups are the `groups` columns.
fn percentiles(
    store: &mut dyn Backend,
    groups: &[&str],
    value: &str,
    from: &str,
    params: &[Val],
) -> Result<HashMap<Vec<String>, (i64, i64)>, Failure> {
    let g = groups.join(", ");
    let sql = match store.dialect() {
        Dialect::ClickHouse => format!(
            "SELECT {g}, arrayElement(arraySort(groupArray({value})), toUInt64(intDiv(count() * 50 + 99, 100))), arrayElement(arraySort(groupArray({value})), toUInt64(intDiv(count() * 95 + 99, 100)))
             {from} AND {value} IS NOT NULL GROUP BY {g}"
        ),
        Dialect::Sqlite | Dialect::Postgres => {
            let aliases: Vec<String> = (0..groups.len()).map(|i| format!("g{i}")).collect();
            let select: Vec<String> = groups
                .iter()
                .zip(&aliases)
                .map(|(c, a)| format!("{c} AS {a}"))
                .collect();
            let a = aliases.join(", ");
            format!(
                "SELECT {a}, MAX(CASE WHEN rn = (n * 50 + 99) / 100 THEN v END), MAX(CASE WHEN rn = (n * 95 + 99) / 100 THEN v END)
                 FROM (SELECT {sel}, {value} AS v,
                         ROW_NUMBER() OVER (PARTITION BY {g} ORDER BY {value}) AS rn,
                         COUNT(*) OVER (PARTITION BY {g}) AS n
                       {from} AND {value} IS NOT NULL) t
                 WHERE rn = (n * 50 + 99) / 100 OR rn = (n * 95 + 99) / 100
                 GROUP BY {a}",
                sel = select.join(", ")
            )
        }
    };
    let rows = store.query(&sql, params)?;
    let k = groups.len();
    Ok(rows
        .into_iter()
        .map(|r| {
            let key: Vec<String> = r[..k].iter().map(Val::text).collect();
            (
                key,
                (r[k].as_i64().unwrap_or(0), r[k + 1].as_i64().unwrap_or(0)),
            )
        })
        .collect())
}

/// Run health for one scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthRow {
    pub scope: String,
    pub runs: i64,
    pub success: i64,
    pub failed: i64,
    pub canceled: i64,
    pub skipped: i64,
    /// success / (success + failed); canceled and skipped runs are not judged.
    pub success_rate: Option<f64>,
    pub duration_p50_ms: Option<i64>,
    pub duration_p95_ms: Option<i64>,
    pub queue_p50_ms: Option<i64>,
    pub queue_p95_ms: Option<i64>,
    pub cost_usd: f64,
    pub cost_usd_per_run: Option<f64>,
    pub co2e_g: f64,
    pub co2e_g_per_run: Option<f64>,
    pub flakiness_index: Option<f64>,
    pub mutation_runs: i64,
    pub mutation_score: Option<f64>,
    pub denials: i64,
}

/// Health per workflow job (pipeline_run v1.2 names jobs, not workflows).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobRow {
    pub repo: String,
    pub job: String,
    pub runs: i64,
    pub success_rate: Option<f64>,
    pub duration_p50_ms: Option<i64>,
    pub duration_p95_ms: Option<i64>,
    pub queue_p50_ms: Option<i64>,
}

/// Policy denials per gate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DenialRow {
    pub gate: String,
    pub decisions: i64,
    pub denials: i64,
    pub warnings: i64,
    pub repos_denied: i64,
}

/// Everything `health` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthReport {
    pub since: String,
    pub until: String,
    pub overall: HealthRow,
    pub repos: Vec<HealthRow>,
    pub days: Vec<HealthRow>,
    pub jobs: Vec<JobRow>,
    pub denials: Vec<DenialRow>,
}

/// A sum every store computes exactly: the values in millionths, as
/// integers (a sum of floating-point numbers depends on the order it is
/// taken in, and SQLite, PostgreSQL and ClickHouse take different orders).
fn exact_sum(expr: &str) -> String {
    // PostgreSQL sums BIGINT into NUMERIC: cast the sum back.
    format!("CAST(SUM(CAST(ROUND({expr} * 1000000) AS BIGINT)) AS BIGINT)")
}

/// An [`exact_sum`] back in units.
fn micro(v: &Val) -> f64 {
    v.as_i64().map_or(0.0, |m| m as f64 / 1_000_000.0)
}

fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| round(part as f64 / whole as f64, 4))
}

/// Health grouped by `group` (`'*'`, `r.repo` or `r.day`).
fn health_rows(
    store: &mut dyn Backend,
    window: &Window,
    group: &str,
) -> Result<Vec<HealthRow>, Failure> {
    let (filter, params) = repo_filter(
        window,
        vec![Val::Int(window.since_ms), Val::Int(window.until_ms)],
    );
    let from = format!("FROM runs r WHERE r.started_ms >= $1 AND r.started_ms < $2{filter}");
    let flaky_sum = exact_sum("r.flakiness_index");
    let rows = store.query(
        &format!(
            "SELECT {group} AS g, COUNT(*),
                SUM(CASE WHEN r.status = 'success' THEN 1 ELSE 0 END),
                SUM(CASE WHEN r.status = 'failed' THEN 1 ELSE 0 END),
                SUM(CASE WHEN r.status = 'canceled' THEN 1 ELSE 0 END),
                SUM(CASE WHEN r.status = 'skipped' THEN 1 ELSE 0 END),
                {flaky_sum}, COUNT(r.flakiness_index)
             {from} GROUP BY {group} ORDER BY g"
        ),
        &params,
    )?;
    let join = |table: &str| {
        format!(
            "FROM runs r JOIN {table} x ON x.run_id = r.run_id WHERE r.started_ms >= $1 AND r.started_ms < $2{filter}"
        )
    };
    let costs: HashMap<String, (f64, i64, f64, i64)> = store
        .query(
            &format!(
                "SELECT {group} AS g, {}, COUNT(x.usd), {}, COUNT(x.carbon_g_co2e) {} GROUP BY {group}",
                exact_sum("x.usd"),
                exact_sum("x.carbon_g_co2e"),
                join("cost")
            ),
            &params,
        )?
        .into_iter()
        .map(|r| {
            (
                r[0].text(),
                (
                    micro(&r[1]),
                    r[2].as_i64().unwrap_or(0),
                    micro(&r[3]),
                    r[4].as_i64().unwrap_or(0),
                ),
            )
        })
        .collect();
    let mutation: HashMap<String, (f64, i64)> = store
        .query(
            &format!(
                "SELECT {group} AS g, {}, COUNT(*) {} AND x.mutants_total > 0 GROUP BY {group}",
                exact_sum("x.score"),
                join("tests")
            ),
            &params,
        )?
        .into_iter()
        .map(|r| (r[0].text(), (micro(&r[1]), r[2].as_i64().unwrap_or(0))))
        .collect();
    let denials: HashMap<String, i64> = store
        .query(
            &format!(
                "SELECT {group} AS g, COUNT(*) {} AND x.result = 'deny' GROUP BY {group}",
                join("policies")
            ),
            &params,
        )?
        .into_iter()
        .map(|r| (r[0].text(), r[1].as_i64().unwrap_or(0)))
        .collect();
    let durations = percentiles(store, &[group], "r.duration_ms", &from, &params)?;
    let queues = percentiles(store, &[group], "r.queue_ms", &from, &params)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let scope = r[0].text();
            let key = vec![scope.clone()];
            let runs = r[1].as_i64().unwrap_or(0);
            let success = r[2].as_i64().unwrap_or(0);
            let failed = r[3].as_i64().unwrap_or(0);
            let flaky_n = r[7].as_i64().unwrap_or(0);
            let (usd, usd_n, co2, co2_n) = costs.get(&scope).copied().unwrap_or_default();
            let (score, score_n) = mutation.get(&scope).copied().unwrap_or_default();
            HealthRow {
                runs,
                success,
                failed,
                canceled: r[4].as_i64().unwrap_or(0),
                skipped: r[5].as_i64().unwrap_or(0),
                success_rate: rate(success, success + failed),
                duration_p50_ms: durations.get(&key).map(|p| p.0),
                duration_p95_ms: durations.get(&key).map(|p| p.1),
                queue_p50_ms: queues.get(&key).map(|p| p.0),
                queue_p95_ms: queues.get(&key).map(|p| p.1),
                cost_usd: round(usd, 2),
                cost_usd_per_run: (usd_n > 0).then(|| round(usd / usd_n as f64, 4)),
                co2e_g: round(co2, 1),
                co2e_g_per_run: (co2_n > 0).then(|| round(co2 / co2_n as f64, 3)),
                flakiness_index: (flaky_n > 0).then(|| round(micro(&r[6]) / flaky_n as f64, 4)),
                mutation_runs: score_n,
                mutation_score: (score_n > 0).then(|| round(score / score_n as f64, 4)),
                denials: denials.get(&scope).copied().unwrap_or(0),
                scope,
            }
        })
        .collect())
}

/// `health`: run health over the window, overall, per repo, per day, per job.
pub fn health_report(store: &mut dyn Backend, window: &Window) -> Result<HealthReport, Failure> {
    // PostgreSQL refuses a bare string constant in GROUP BY; a cast is an expression.
    let everything = match store.dialect() {
        Dialect::ClickHouse => "'all repositories'",
        Dialect::Sqlite | Dialect::Postgres => "CAST('all repositories' AS TEXT)",
    };
    let mut overall = health_rows(store, window, everything)?;
    let repos = health_rows(store, window, "r.repo")?;
    let days = health_rows(store, window, "r.day")?;
    let (filter, params) = repo_filter(
        window,
        vec![Val::Int(window.since_ms), Val::Int(window.until_ms)],
    );
    let from = format!(
        "FROM runs r JOIN jobs j ON j.run_id = r.run_id WHERE r.started_ms >= $1 AND r.started_ms < $2{filter}"
    );
    let job_rows = store.query(
        &format!(
            "SELECT r.repo, j.name, COUNT(*),
                SUM(CASE WHEN j.status = 'success' THEN 1 ELSE 0 END),
                SUM(CASE WHEN j.status = 'failed' THEN 1 ELSE 0 END)
             {from} GROUP BY r.repo, j.name ORDER BY r.repo, j.name"
        ),
        &params,
    )?;
    let job_durations = percentiles(
        store,
        &["r.repo", "j.name"],
        "j.duration_ms",
        &from,
        &params,
    )?;
    let job_queues = percentiles(store, &["r.repo", "j.name"], "j.queue_ms", &from, &params)?;
    let jobs = job_rows
        .into_iter()
        .map(|r| {
            let key = vec![r[0].text(), r[1].text()];
            let success = r[3].as_i64().unwrap_or(0);
            let failed = r[4].as_i64().unwrap_or(0);
            JobRow {
                repo: r[0].text(),
                job: r[1].text(),
                runs: r[2].as_i64().unwrap_or(0),
                success_rate: rate(success, success + failed),
                duration_p50_ms: job_durations.get(&key).map(|p| p.0),
                duration_p95_ms: job_durations.get(&key).map(|p| p.1),
                queue_p50_ms: job_queues.get(&key).map(|p| p.0),
            }
        })
        .collect();
    let denial_rows = store.query(
        &format!(
            "SELECT p.policy_id, COUNT(*),
                SUM(CASE WHEN p.result = 'deny' THEN 1 ELSE 0 END),
                SUM(CASE WHEN p.result = 'warn' THEN 1 ELSE 0 END),
                COUNT(DISTINCT CASE WHEN p.result = 'deny' THEN r.repo END)
             FROM runs r JOIN policies p ON p.run_id = r.run_id
             WHERE r.started_ms >= $1 AND r.started_ms < $2{filter}
             GROUP BY p.policy_id"
        ),
        &params,
    )?;
    let mut denials: Vec<DenialRow> = denial_rows
        .into_iter()
        .map(|r| DenialRow {
            gate: r[0].text(),
            decisions: r[1].as_i64().unwrap_or(0),
            denials: r[2].as_i64().unwrap_or(0),
            warnings: r[3].as_i64().unwrap_or(0),
            repos_denied: r[4].as_i64().unwrap_or(0),
        })
        .collect();
    denials.sort_by(|a, b| b.denials.cmp(&a.denials).then_with(|| a.gate.cmp(&b.gate)));
    let overall = if overall.is_empty() {
        empty_row("all repositories")
    } else {
        overall.remove(0)
    };
    Ok(HealthReport {
        since: window.since(),
        until: window.until(),
        overall,
        repos,
        days,
        jobs,
        denials,
    })
}

fn empty_row(scope: &str) -> HealthRow {
    HealthRow {
        scope: scope.to_owned(),
        runs: 0,
        success: 0,
        failed: 0,
        canceled: 0,
        skipped: 0,
        success_rate: None,
        duration_p50_ms: None,
        duration_p95_ms: None,
        queue_p50_ms: None,
        queue_p95_ms: None,
        cost_usd: 0.0,
        cost_usd_per_run: None,
        co2e_g: 0.0,
        co2e_g_per_run: None,
        flakiness_index: None,
        mutation_runs: 0,
        mutation_score: None,
        denials: 0,
    }
}

/// The newest `ended_ms` in the store (for "no runs in the window" hints).
pub fn newest_run(store: &mut dyn Backend) -> Result<Option<i64>, Failure> {
    Ok(store
        .query("SELECT MAX(ended_ms) FROM runs", &[])?
        .first()
        .and_then(|r| r.first())
        .and_then(Val::as_i64))
}

/// Row counts of every record table (tests and `ingest`'s summary).
pub fn table_counts(store: &mut dyn Backend) -> Result<BTreeMap<String, i64>, Failure> {
    let mut out = BTreeMap::new();
    for table in crate::store::tables::RECORD_TABLES {
        let n = store
            .query(&format!("SELECT COUNT(*) FROM {}", table.name), &[])?
            .first()
            .and_then(|r| r.first())
            .and_then(Val::as_i64)
            .unwrap_or(0);
        out.insert(table.name.to_owned(), n);
    }
    Ok(out)
}
