//! The queries behind `dora`, `health` and `report`: the same SQL on every
//! store where the dialects allow (only the percentile differs: window
//! functions on SQLite and PostgreSQL, `groupArray` on ClickHouse, both the
//! nearest-rank definition), the figures rounded so every store prints the
//! same numbers.

use std::collections::BTreeMap;

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
    // `started_ms + 0`: not a range of `runs_by_start`, whose rows SQLite
    // would then fetch one by one (180 days of lookback are most of a
    // store) and sort, but one read of `runs_by_commit`, which holds every
    // column this needs.
    let rows = store.query(
        &format!(
            "SELECT r.repo, r.branch, r.commit_sha, MIN(r.started_ms)
             FROM runs r
             WHERE r.started_ms + 0 >= $1 AND r.started_ms + 0 < $2 AND r.branch IN ({}){filter}
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

/// The nearest-rank percentile `p` (in %) of sorted values: the value at
/// rank ⌈p·n/100⌉, the definition DuckDB's `list_sort(...)[ceil(n * p)]`
/// and PostgreSQL's `percentile_disc` use.
fn nearest_rank(sorted: &[i64], p: usize) -> Option<i64> {
    let rank = (sorted.len() * p).div_ceil(100);
    sorted.get(rank.checked_sub(1)?).copied()
}

/// p50 and p95 of some values (sorted here).
fn p50_p95(values: &mut [i64]) -> (Option<i64>, Option<i64>) {
    values.sort_unstable();
    (nearest_rank(values, 50), nearest_rank(values, 95))
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
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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

/// A fractional value in millionths, as an integer: sums of these are
/// exact, so they do not depend on the order they are taken in (a sum of
/// floating-point numbers does, and every store takes its own order).
/// `ROUND` of SQLite and the earlier in-store sums: half away from zero.
fn micros(v: &Val) -> Option<i64> {
    v.as_f64().map(|x| (x * 1_000_000.0).round() as i64)
}

fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| round(part as f64 / whole as f64, 4))
}

/// The additive figures of a set of runs, all integers (the fractional
/// sums in millionths, see [`micros`]).
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    runs: i64,
    success: i64,
    failed: i64,
    canceled: i64,
    skipped: i64,
    flaky_micro: i64,
    flaky_n: i64,
    usd_micro: i64,
    usd_n: i64,
    co2_micro: i64,
    co2_n: i64,
    score_micro: i64,
    score_n: i64,
    denials: i64,
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.runs += o.runs;
        self.success += o.success;
        self.failed += o.failed;
        self.canceled += o.canceled;
        self.skipped += o.skipped;
        self.flaky_micro += o.flaky_micro;
        self.flaky_n += o.flaky_n;
        self.usd_micro += o.usd_micro;
        self.usd_n += o.usd_n;
        self.co2_micro += o.co2_micro;
        self.co2_n += o.co2_n;
        self.score_micro += o.score_micro;
        self.score_n += o.score_n;
        self.denials += o.denials;
    }
}

/// The durations and queue times of a set of runs, for their percentiles.
#[derive(Debug, Default)]
struct Spread {
    durations: Vec<i64>,
    queues: Vec<i64>,
}

impl Spread {
    fn push(&mut self, duration: Option<i64>, queue: Option<i64>) {
        self.durations.extend(duration);
        self.queues.extend(queue);
    }
}

/// One scope's figures: the sums, and the spread for the percentiles.
#[derive(Debug, Default)]
struct Scope {
    sums: Sums,
    spread: Spread,
}

impl Scope {
    fn row(mut self, scope: String) -> HealthRow {
        let s = self.sums;
        let (duration_p50_ms, duration_p95_ms) = p50_p95(&mut self.spread.durations);
        let (queue_p50_ms, queue_p95_ms) = p50_p95(&mut self.spread.queues);
        let units = |m: i64| m as f64 / 1_000_000.0;
        HealthRow {
            scope,
            runs: s.runs,
            success: s.success,
            failed: s.failed,
            canceled: s.canceled,
            skipped: s.skipped,
            success_rate: rate(s.success, s.success + s.failed),
            duration_p50_ms,
            duration_p95_ms,
            queue_p50_ms,
            queue_p95_ms,
            cost_usd: round(units(s.usd_micro), 2),
            cost_usd_per_run: (s.usd_n > 0).then(|| round(units(s.usd_micro) / s.usd_n as f64, 4)),
            co2e_g: round(units(s.co2_micro), 1),
            co2e_g_per_run: (s.co2_n > 0).then(|| round(units(s.co2_micro) / s.co2_n as f64, 3)),
            flakiness_index: (s.flaky_n > 0)
                .then(|| round(units(s.flaky_micro) / s.flaky_n as f64, 4)),
            mutation_runs: s.score_n,
            mutation_score: (s.score_n > 0)
                .then(|| round(units(s.score_micro) / s.score_n as f64, 4)),
            denials: s.denials,
        }
    }
}

/// Every scope a run counts in: everything, its repository, its day.
#[derive(Debug, Default)]
struct Cells {
    overall: Scope,
    repos: BTreeMap<String, Scope>,
    days: BTreeMap<String, Scope>,
}

impl Cells {
    /// The scopes a run of `repo` on `day` counts in.
    fn scopes(&mut self, repo: &str, day: &str) -> [&mut Scope; 3] {
        [
            &mut self.overall,
            entry(&mut self.repos, repo),
            entry(&mut self.days, day),
        ]
    }
}

/// A map's value for `key`, inserted when missing (without allocating the
/// key for every look-up, as `entry` would).
fn entry<'a, V: Default>(map: &'a mut BTreeMap<String, V>, key: &str) -> &'a mut V {
    if !map.contains_key(key) {
        map.insert(key.to_owned(), V::default());
    }
    map.get_mut(key).expect("inserted above")
}

/// 1 for true, 0 for false: a run or decision counted or not.
fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// `health`: run health over the window, overall, per repo, per day, per job.
///
/// Four queries, each one pass over the window's runs (a range of the
/// `runs_by_start` index) joined to one table, read as a stream and
/// aggregated here: each run with its cost; the mutation results; the
/// policy decisions; each job. Every scope (everything, a repository, a
/// day, a job) gets its counts, its exact sums (in millionths, see
/// [`micros`]) and its nearest-rank percentiles from the same rows, in
/// one pass. Before v2 `health` sent 22 queries, each a scan of the whole
/// `runs` table, and took the percentiles with window functions (a sort of
/// the window per scope and figure): about a minute over a million runs.
pub fn health_report(store: &mut dyn Backend, window: &Window) -> Result<HealthReport, Failure> {
    let (filter, params) = repo_filter(
        window,
        vec![Val::Int(window.since_ms), Val::Int(window.until_ms)],
    );
    let in_window = format!("r.started_ms >= $1 AND r.started_ms < $2{filter}");
    let mut cells = Cells::default();
    store.for_each_row(
        &format!(
            "SELECT r.repo, r.day, r.status, r.duration_ms, r.queue_ms, r.flakiness_index,
                x.usd, x.carbon_g_co2e
             FROM runs r LEFT JOIN cost x ON x.run_id = r.run_id
             WHERE {in_window}"
        ),
        &params,
        &mut |r| {
            let status = r[2].as_str().unwrap_or("");
            let (flaky, usd, co2) = (micros(&r[5]), micros(&r[6]), micros(&r[7]));
            let run = Sums {
                runs: 1,
                success: flag(status == "success"),
                failed: flag(status == "failed"),
                canceled: flag(status == "canceled"),
                skipped: flag(status == "skipped"),
                flaky_micro: flaky.unwrap_or(0),
                flaky_n: flag(flaky.is_some()),
                usd_micro: usd.unwrap_or(0),
                usd_n: flag(usd.is_some()),
                co2_micro: co2.unwrap_or(0),
                co2_n: flag(co2.is_some()),
                ..Sums::default()
            };
            let (repo, day) = (r[0].as_str().unwrap_or(""), r[1].as_str().unwrap_or(""));
            for scope in cells.scopes(repo, day) {
                scope.sums.add(&run);
                scope.spread.push(r[3].as_i64(), r[4].as_i64());
            }
        },
    )?;
    // Mutation results, a query of their own (ClickHouse before 20 joins
    // one table per query): the runs that ran mutation testing.
    store.for_each_row(
        &format!(
            "SELECT r.repo, r.day, t.score
             FROM runs r JOIN tests t ON t.run_id = r.run_id
             WHERE {in_window} AND t.mutants_total > 0"
        ),
        &params,
        &mut |r| {
            let run = Sums {
                score_micro: micros(&r[2]).unwrap_or(0),
                score_n: 1,
                ..Sums::default()
            };
            let (repo, day) = (r[0].as_str().unwrap_or(""), r[1].as_str().unwrap_or(""));
            for scope in cells.scopes(repo, day) {
                scope.sums.add(&run);
            }
        },
    )?;
    // Policy decisions: denials per scope, and per gate. Rows of (repo, day,
    // gate, decisions, denials, warnings): one per decision from SQLite,
    // which has no hash aggregation (its GROUP BY sorted the 1.6 million
    // decisions of a 30-day window first, slower than counting them here);
    // one per (repo, day, gate) from the other stores, which aggregate in
    // the server more cheaply than they send every decision.
    let decision = "p.result = 'deny' THEN 1 ELSE 0 END";
    let warning = "p.result = 'warn' THEN 1 ELSE 0 END";
    let from = format!("FROM runs r JOIN policies p ON p.run_id = r.run_id WHERE {in_window}");
    let sql = match store.dialect() {
        Dialect::Sqlite => format!(
            "SELECT r.repo, r.day, p.policy_id, 1, CASE WHEN {decision}, CASE WHEN {warning} {from}"
        ),
        Dialect::Postgres | Dialect::ClickHouse => format!(
            "SELECT r.repo, r.day, p.policy_id, COUNT(*), SUM(CASE WHEN {decision}), SUM(CASE WHEN {warning})
             {from} GROUP BY r.repo, r.day, p.policy_id"
        ),
    };
    let mut gates: BTreeMap<String, (DenialRow, std::collections::BTreeSet<String>)> =
        BTreeMap::new();
    store.for_each_row(&sql, &params, &mut |r| {
        let (repo, day, gate) = (
            r[0].as_str().unwrap_or(""),
            r[1].as_str().unwrap_or(""),
            r[2].as_str().unwrap_or(""),
        );
        let count = |v: &Val| v.as_i64().unwrap_or(0);
        let (decisions, denied, warned) = (count(&r[3]), count(&r[4]), count(&r[5]));
        for scope in cells.scopes(repo, day) {
            scope.sums.denials += denied;
        }
        let (row, repos) = entry(&mut gates, gate);
        row.decisions += decisions;
        row.denials += denied;
        row.warnings += warned;
        if denied > 0 && !repos.contains(repo) {
            repos.insert(repo.to_owned());
        }
    })?;
    let mut denials: Vec<DenialRow> = gates
        .into_iter()
        .map(|(gate, (row, repos))| DenialRow {
            gate,
            repos_denied: repos.len() as i64,
            ..row
        })
        .collect();
    denials.sort_by(|a, b| b.denials.cmp(&a.denials).then_with(|| a.gate.cmp(&b.gate)));
    // Jobs: counts and percentiles per (repository, job name), from one stream.
    #[derive(Default)]
    struct JobAcc {
        runs: i64,
        success: i64,
        failed: i64,
        spread: Spread,
    }
    let mut jobs: BTreeMap<String, BTreeMap<String, JobAcc>> = BTreeMap::new();
    store.for_each_row(
        &format!(
            "SELECT r.repo, j.name, j.status, j.duration_ms, j.queue_ms
             FROM runs r JOIN jobs j ON j.run_id = r.run_id
             WHERE {in_window}"
        ),
        &params,
        &mut |r| {
            let names = entry(&mut jobs, r[0].as_str().unwrap_or(""));
            let acc = entry(names, r[1].as_str().unwrap_or(""));
            acc.runs += 1;
            acc.success += flag(r[2].as_str() == Some("success"));
            acc.failed += flag(r[2].as_str() == Some("failed"));
            acc.spread.push(r[3].as_i64(), r[4].as_i64());
        },
    )?;
    let jobs = jobs
        .into_iter()
        .flat_map(|(repo, names)| {
            names.into_iter().map(move |(job, mut acc)| {
                let (duration_p50_ms, duration_p95_ms) = p50_p95(&mut acc.spread.durations);
                let (queue_p50_ms, _) = p50_p95(&mut acc.spread.queues);
                JobRow {
                    repo: repo.clone(),
                    job,
                    runs: acc.runs,
                    success_rate: rate(acc.success, acc.success + acc.failed),
                    duration_p50_ms,
                    duration_p95_ms,
                    queue_p50_ms,
                }
            })
        })
        .collect();
    let overall = if cells.overall.sums.runs == 0 {
        empty_row("all repositories")
    } else {
        cells.overall.row("all repositories".to_owned())
    };
    Ok(HealthReport {
        since: window.since(),
        until: window.until(),
        overall,
        repos: cells
            .repos
            .into_iter()
            .map(|(scope, s)| s.row(scope))
            .collect(),
        days: cells
            .days
            .into_iter()
            .map(|(scope, s)| s.row(scope))
            .collect(),
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
