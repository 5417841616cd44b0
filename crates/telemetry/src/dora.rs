//! DORA's four key metrics over the store's deployments.
//!
//! Definitions (docs/telemetry.md repeats them with the bands):
//!
//! - A **deployment** is a run with an `environment` (default `prod`) and
//!   status `success` or `failed`; runs sharing a `deployment_id` in a repo
//!   and environment are one deployment (retries, rollout steps): it started
//!   with the first, finished with the last, and its result is the last one's.
//! - **Deployment frequency**: successful deployments finished in the window,
//!   per day (and per week).
//! - **Lead time for changes**: for each change delivered by a successful
//!   deployment finished in the window, the time from the change's first
//!   commit to the end of that deployment; the median. The changes of a
//!   deployment are the commits since the previous successful deployment of
//!   the same repo and environment: from `git log PREV..SHA` (author time)
//!   when a checkout is given, else from the records (every commit first seen
//!   on the deployed branch since the previous deployment's commit, at the
//!   start of its first run).
//! - **Change failure rate**: deployments that failed, were rolled back
//!   (`rollback_reason`, or a canary `rollback` decision) or are linked to an
//!   incident, over all deployments finished in the window. Not incidents
//!   over deployments.
//! - **Failed deployment recovery time**: for a failed or rolled-back
//!   deployment, until the next successful, not rolled-back deployment of
//!   the same repo and environment finished; for a linked incident, from its
//!   creation to its resolution; the median.
//! - Each has the performance band of the DORA research (2023 State of
//!   DevOps clusters): see [`Band`].

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

/// A deployment, after grouping its runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub id: String,
    pub repo: String,
    pub environment: String,
    pub commit_sha: String,
    pub branch: String,
    pub success: bool,
    pub rolled_back: bool,
    pub started_ms: i64,
    pub finished_ms: i64,
}

/// An incident from outside the records (`--incidents FILE`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Incident {
    pub id: String,
    pub repo: String,
    #[serde(default)]
    pub environment: Option<String>,
    pub created_at: String,
    #[serde(default)]
    pub resolved_at: Option<String>,
}

/// A change delivered by a deployment: a commit (or a pull request) and when
/// its work began.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub id: String,
    pub started_ms: i64,
}

/// One run of a deployment, as the store holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentRun {
    pub run_id: String,
    pub repo: String,
    pub environment: String,
    pub deployment_id: Option<String>,
    pub commit_sha: String,
    pub branch: String,
    pub success: bool,
    pub rolled_back: bool,
    pub started_ms: i64,
    pub ended_ms: i64,
}

/// Group runs into deployments (see the module comment), ordered by start.
pub fn group_deployments(runs: &[DeploymentRun]) -> Vec<Deployment> {
    let mut groups: BTreeMap<(String, String, String), Vec<&DeploymentRun>> = BTreeMap::new();
    for run in runs {
        let id = run
            .deployment_id
            .clone()
            .unwrap_or_else(|| run.run_id.clone());
        groups
            .entry((run.repo.clone(), run.environment.clone(), id))
            .or_default()
            .push(run);
    }
    let mut out: Vec<Deployment> = groups
        .into_iter()
        .map(|((repo, environment, id), mut runs)| {
            runs.sort_by(|a, b| (a.ended_ms, &a.run_id).cmp(&(b.ended_ms, &b.run_id)));
            let last = runs[runs.len() - 1];
            Deployment {
                id,
                repo,
                environment,
                commit_sha: last.commit_sha.clone(),
                branch: last.branch.clone(),
                success: last.success,
                rolled_back: runs.iter().any(|r| r.rolled_back),
                started_ms: runs.iter().map(|r| r.started_ms).min().unwrap_or(0),
                finished_ms: last.ended_ms,
            }
        })
        .collect();
    out.sort_by(|a, b| (a.started_ms, &a.id).cmp(&(b.started_ms, &b.id)));
    out
}

/// For each deployment, the index of the previous successful deployment of
/// the same repo and environment (by start time); `None` for failed ones and
/// for the first. `deployments` must be ordered by start.
pub fn previous_success(deployments: &[Deployment]) -> Vec<Option<usize>> {
    let mut last: HashMap<(&str, &str), usize> = HashMap::new();
    deployments
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let key = (d.repo.as_str(), d.environment.as_str());
            if !d.success {
                return None;
            }
            let previous = last.get(&key).copied();
            last.insert(key, i);
            previous
        })
        .collect()
}

/// For each incident, the deployment it is attributed to: the latest
/// successful deployment of its repo (and environment, default `prod`) that
/// finished before the incident was created.
pub fn link_incidents(
    deployments: &[Deployment],
    incidents: &[(Incident, i64)],
    default_environment: &str,
) -> Vec<Option<usize>> {
    incidents
        .iter()
        .map(|(incident, created_ms)| {
            let env = incident
                .environment
                .as_deref()
                .unwrap_or(default_environment);
            deployments
                .iter()
                .enumerate()
                .filter(|(_, d)| {
                    d.success
                        && d.repo == incident.repo
                        && d.environment == env
                        && d.finished_ms < *created_ms
                })
                .max_by_key(|(i, d)| (d.finished_ms, *i))
                .map(|(i, _)| i)
        })
        .collect()
}

/// Where the changes of a deployment come from.
pub trait ChangeSource {
    /// The changes `deployment` delivered, given the previous successful one.
    fn changes(&mut self, deployment: &Deployment, previous: Option<&Deployment>) -> Vec<Change>;
}

/// Changes from the records: commits first seen on the deployed branch
/// after the previous deployment's commit, up to this deployment's commit.
#[derive(Debug, Default)]
pub struct RecordCommits {
    /// repo -> branch -> the commits with the start of their first run, by
    /// time, and when each commit was first seen.
    first_seen: HashMap<String, HashMap<String, Branch>>,
}

/// The commits of one branch of one repository.
#[derive(Debug, Default)]
struct Branch {
    /// (first seen, sha), sorted.
    by_time: Vec<(i64, String)>,
    /// sha -> its earliest first-seen time.
    at: HashMap<String, i64>,
}

impl RecordCommits {
    pub fn new(rows: impl IntoIterator<Item = (String, String, String, i64)>) -> RecordCommits {
        let mut first_seen: HashMap<String, HashMap<String, Branch>> = HashMap::new();
        for (repo, branch, sha, at) in rows {
            let list = first_seen
                .entry(repo)
                .or_default()
                .entry(branch)
                .or_default();
            list.at
                .entry(sha.clone())
                .and_modify(|t| *t = (*t).min(at))
                .or_insert(at);
            list.by_time.push((at, sha));
        }
        for list in first_seen.values_mut().flat_map(HashMap::values_mut) {
            list.by_time.sort();
        }
        RecordCommits { first_seen }
    }

    fn branch(&self, repo: &str, branch: &str) -> Option<&Branch> {
        self.first_seen.get(repo)?.get(branch)
    }
}

impl ChangeSource for RecordCommits {
    fn changes(&mut self, deployment: &Deployment, previous: Option<&Deployment>) -> Vec<Change> {
        let Some(list) = self.branch(&deployment.repo, &deployment.branch) else {
            return Vec::new();
        };
        let Some(&upto) = list.at.get(&deployment.commit_sha) else {
            return Vec::new();
        };
        let after = previous.and_then(|p| {
            self.branch(&p.repo, &deployment.branch)?
                .at
                .get(&p.commit_sha)
                .copied()
        });
        match after {
            // No earlier deployment: only the deployed commit itself is known to be new.
            None if previous.is_none() => vec![Change {
                id: deployment.commit_sha.clone(),
                started_ms: upto,
            }],
            _ => {
                // The commits first seen in (after, upto]: a slice of the sorted list.
                let after = after.unwrap_or(i64::MIN);
                let from = list.by_time.partition_point(|(t, _)| *t <= after);
                let to = list.by_time.partition_point(|(t, _)| *t <= upto);
                list.by_time[from..to.max(from)]
                    .iter()
                    .map(|(t, sha)| Change {
                        id: sha.clone(),
                        started_ms: *t,
                    })
                    .collect()
            }
        }
    }
}

/// Changes from `git log PREV..SHA` in a checkout (author times); falls back
/// to the records for a deployment whose commits the checkout does not have.
#[derive(Debug)]
pub struct GitCommits {
    pub dir: std::path::PathBuf,
    pub fallback: RecordCommits,
    /// Deployments the checkout could not answer for.
    pub fell_back: usize,
}

impl ChangeSource for GitCommits {
    fn changes(&mut self, deployment: &Deployment, previous: Option<&Deployment>) -> Vec<Change> {
        let range = match previous {
            Some(p) if p.commit_sha != deployment.commit_sha => {
                format!("{}..{}", p.commit_sha, deployment.commit_sha)
            }
            Some(_) => return Vec::new(),
            None => deployment.commit_sha.clone(),
        };
        let mut command = std::process::Command::new("git");
        command
            .arg("-C")
            .arg(&self.dir)
            .args(["log", "--format=%H %at"]);
        if previous.is_none() {
            command.arg("-1");
        }
        let output = command.arg(&range).arg("--").output();
        match output {
            Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| {
                    let (sha, at) = l.split_once(' ')?;
                    Some(Change {
                        id: sha.to_owned(),
                        started_ms: at.trim().parse::<i64>().ok()? * 1000,
                    })
                })
                .collect(),
            _ => {
                self.fell_back += 1;
                self.fallback.changes(deployment, previous)
            }
        }
    }
}

/// A change delivered by a successful deployment, with its lead time.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Index into the deployments.
    pub deployment: usize,
    pub change: Change,
    /// From the change's start to the end of the deployment (never negative).
    pub lead_ms: i64,
}

/// Every change delivered by each successful deployment for which `wanted`
/// holds, with its lead time. `deployments` must be ordered by start.
pub fn deliveries(
    deployments: &[Deployment],
    changes: &mut dyn ChangeSource,
    wanted: &dyn Fn(&Deployment) -> bool,
) -> Vec<Delivery> {
    let previous = previous_success(deployments);
    let mut out = Vec::new();
    for (i, d) in deployments.iter().enumerate() {
        if !d.success || !wanted(d) {
            continue;
        }
        let prev = previous[i].map(|p| &deployments[p]);
        for change in changes.changes(d, prev) {
            out.push(Delivery {
                deployment: i,
                lead_ms: (d.finished_ms - change.started_ms).max(0),
                change,
            });
        }
    }
    out
}

/// A DORA performance band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    Elite,
    High,
    Medium,
    Low,
}

impl Band {
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Elite => "elite",
            Band::High => "high",
            Band::Medium => "medium",
            Band::Low => "low",
        }
    }

    /// Elite: on demand (at least daily); high: daily to weekly; medium:
    /// weekly to monthly; low: less than monthly.
    pub fn of_frequency(per_day: f64) -> Band {
        if per_day >= 1.0 {
            Band::Elite
        } else if per_day >= 1.0 / 7.0 {
            Band::High
        } else if per_day >= 1.0 / 30.0 {
            Band::Medium
        } else {
            Band::Low
        }
    }
    /// Elite: under a day; high: a day to a week; medium: a week to a month; low: longer.
    pub fn of_lead_time(hours: f64) -> Band {
        if hours < 24.0 {
            Band::Elite
        } else if hours < 24.0 * 7.0 {
            Band::High
        } else if hours < 24.0 * 30.0 {
            Band::Medium
        } else {
            Band::Low
        }
    }
    /// Elite: at most 5 %; high: at most 10 %; medium: at most 15 %; low: more.
    pub fn of_failure_rate(rate: f64) -> Band {
        if rate <= 0.05 {
            Band::Elite
        } else if rate <= 0.10 {
            Band::High
        } else if rate <= 0.15 {
            Band::Medium
        } else {
            Band::Low
        }
    }
    /// Elite: under an hour; high: under a day; medium: under a week; low: longer.
    pub fn of_recovery(hours: f64) -> Band {
        if hours < 1.0 {
            Band::Elite
        } else if hours < 24.0 {
            Band::High
        } else if hours < 24.0 * 7.0 {
            Band::Medium
        } else {
            Band::Low
        }
    }
}

/// The median of some values (the mean of the middle two for an even count).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// Round to `places` decimals (so every store prints the same figure).
pub fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// The four metrics for one scope (all repositories, or one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DoraScope {
    pub scope: String,
    pub deployments: usize,
    pub successful_deployments: usize,
    pub deployments_per_day: f64,
    pub deployments_per_week: f64,
    pub deployment_frequency_band: Band,
    pub changes: usize,
    pub lead_time_hours: Option<f64>,
    pub lead_time_band: Option<Band>,
    pub change_failures: usize,
    pub change_failure_rate: Option<f64>,
    pub change_failure_rate_band: Option<Band>,
    pub recoveries: usize,
    pub unrecovered: usize,
    pub recovery_hours: Option<f64>,
    pub recovery_band: Option<Band>,
}

/// Everything `dora` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DoraReport {
    pub since: String,
    pub until: String,
    pub days: f64,
    pub environment: String,
    /// Where commit times came from: `records` or `git`.
    pub commit_times: String,
    pub incidents: usize,
    pub overall: DoraScope,
    pub repos: Vec<DoraScope>,
}

/// The deployments a failure can recover with: per repository and
/// environment, the successful, not rolled-back ones finished before the
/// window's end, in the order of `deployments` (by start), with the running
/// maximum of their finish times.
struct Recoveries<'a> {
    deployments: &'a [Deployment],
    candidates: HashMap<(&'a str, &'a str), Candidates>,
}

/// Indexes into the deployments, and the running maximum of their finish times.
type Candidates = (Vec<usize>, Vec<i64>);

impl<'a> Recoveries<'a> {
    fn new(deployments: &'a [Deployment], until_ms: i64) -> Recoveries<'a> {
        let mut candidates: HashMap<(&str, &str), Candidates> = HashMap::new();
        for (i, n) in deployments.iter().enumerate() {
            if n.success && !n.rolled_back && n.finished_ms < until_ms {
                let (indexes, running_max) = candidates
                    .entry((n.repo.as_str(), n.environment.as_str()))
                    .or_default();
                let max = running_max
                    .last()
                    .map_or(n.finished_ms, |m| (*m).max(n.finished_ms));
                indexes.push(i);
                running_max.push(max);
            }
        }
        Recoveries {
            deployments,
            candidates,
        }
    }

    /// The first deployment (by start) of `d`'s repository and environment
    /// that recovers it: successful, not rolled back, finished after `d` and
    /// before the window's end. The first candidate finished after `d` is
    /// where the running maximum first passes `d`'s finish: a binary search
    /// (a scan of every deployment per failure was quadratic).
    fn next_after(&self, d: &Deployment) -> Option<&'a Deployment> {
        let (indexes, running_max) = self
            .candidates
            .get(&(d.repo.as_str(), d.environment.as_str()))?;
        let k = running_max.partition_point(|m| *m <= d.finished_ms);
        indexes.get(k).map(|i| &self.deployments[*i])
    }
}

/// Compute the metrics of `deployments` (all of them up to `until_ms`,
/// ordered by start) for the window [`since_ms`, `until_ms`).
pub fn compute(
    deployments: &[Deployment],
    incidents: &[(Incident, i64, Option<i64>)],
    changes: &mut dyn ChangeSource,
    since_ms: i64,
    until_ms: i64,
    environment: &str,
) -> (DoraScope, Vec<DoraScope>) {
    let created: Vec<(Incident, i64)> = incidents.iter().map(|(i, c, _)| (i.clone(), *c)).collect();
    let links = link_incidents(deployments, &created, environment);
    let mut linked: HashMap<usize, usize> = HashMap::new();
    for link in links.iter().flatten() {
        *linked.entry(*link).or_default() += 1;
    }
    let days = ((until_ms - since_ms) as f64 / 86_400_000.0).max(1.0 / 24.0);
    let in_window = |ms: i64| ms >= since_ms && ms < until_ms;

    #[derive(Default)]
    struct Acc {
        deployments: usize,
        successful: usize,
        failures: usize,
        lead: Vec<f64>,
        recovery: Vec<f64>,
        unrecovered: usize,
    }
    let mut per_repo: BTreeMap<String, Acc> = BTreeMap::new();
    let mut all = Acc::default();
    let mut leads: HashMap<usize, Vec<f64>> = HashMap::new();
    for delivery in deliveries(deployments, changes, &|d| in_window(d.finished_ms)) {
        leads
            .entry(delivery.deployment)
            .or_default()
            .push(delivery.lead_ms as f64 / 3_600_000.0);
    }
    let recoveries = Recoveries::new(deployments, until_ms);
    for (i, d) in deployments.iter().enumerate() {
        if !in_window(d.finished_ms) {
            continue;
        }
        let failure = !d.success || d.rolled_back || linked.contains_key(&i);
        let lead = leads.remove(&i).unwrap_or_default();
        let mut recovery = None;
        let mut unrecovered = 0;
        if !d.success || d.rolled_back {
            match recoveries.next_after(d) {
                Some(n) => recovery = Some((n.finished_ms - d.finished_ms) as f64 / 3_600_000.0),
                None => unrecovered = 1,
            }
        }
        for acc in [&mut all, per_repo.entry(d.repo.clone()).or_default()] {
            acc.deployments += 1;
            acc.successful += usize::from(d.success);
            acc.failures += usize::from(failure);
            acc.lead.extend(lead.iter().copied());
            acc.recovery.extend(recovery);
            acc.unrecovered += unrecovered;
        }
    }
    // Incidents created in the window: their own recovery time.
    for (index, (incident, created_ms, resolved_ms)) in incidents.iter().enumerate() {
        if !in_window(*created_ms) || links[index].is_none() {
            continue;
        }
        for acc in [&mut all, per_repo.entry(incident.repo.clone()).or_default()] {
            match resolved_ms {
                Some(r) => acc
                    .recovery
                    .push((r - created_ms).max(0) as f64 / 3_600_000.0),
                None => acc.unrecovered += 1,
            }
        }
    }
    let finish = |scope: String, mut acc: Acc| {
        let per_day = acc.successful as f64 / days;
        let lead = median(&mut acc.lead).map(|h| round(h, 2));
        let recovery = median(&mut acc.recovery).map(|h| round(h, 2));
        let rate =
            (acc.deployments > 0).then(|| round(acc.failures as f64 / acc.deployments as f64, 4));
        DoraScope {
            scope,
            deployments: acc.deployments,
            successful_deployments: acc.successful,
            deployments_per_day: round(per_day, 3),
            deployments_per_week: round(per_day * 7.0, 2),
            deployment_frequency_band: Band::of_frequency(per_day),
            changes: acc.lead.len(),
            lead_time_hours: lead,
            lead_time_band: lead.map(Band::of_lead_time),
            change_failures: acc.failures,
            change_failure_rate: rate,
            change_failure_rate_band: rate.map(Band::of_failure_rate),
            recoveries: acc.recovery.len(),
            unrecovered: acc.unrecovered,
            recovery_hours: recovery,
            recovery_band: recovery.map(Band::of_recovery),
        }
    };
    let repos = per_repo
        .into_iter()
        .map(|(repo, acc)| finish(repo, acc))
        .collect();
    (finish("all repositories".to_owned(), all), repos)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn run(
        id: &str,
        dep: Option<&str>,
        sha: &str,
        ok: bool,
        start_h: i64,
        end_h: i64,
    ) -> DeploymentRun {
        DeploymentRun {
            run_id: id.to_owned(),
            repo: "o/r".to_owned(),
            environment: "prod".to_owned(),
            deployment_id: dep.map(str::to_owned),
            commit_sha: sha.to_owned(),
            branch: "main".to_owned(),
            success: ok,
            rolled_back: false,
            started_ms: start_h * H,
            ended_ms: end_h * H,
        }
    }

    #[test]
    fn retried_runs_are_one_deployment_with_the_last_result() {
        let d = group_deployments(&[
            run("a", Some("d1"), "c1", false, 10, 11),
            run("b", Some("d1"), "c1", true, 12, 13),
            run("c", None, "c2", true, 20, 21),
        ]);
        assert_eq!(d.len(), 2);
        assert!(d[0].success);
        assert_eq!((d[0].started_ms, d[0].finished_ms), (10 * H, 13 * H));
        assert_eq!(d[1].id, "c");
    }

    #[test]
    fn the_four_metrics_on_a_small_history() {
        // Commits first seen at hours 0, 5, 30, 50 on main.
        let mut commits = RecordCommits::new(
            [("c0", 0), ("c1", 5), ("c2", 30), ("c3", 50)]
                .map(|(s, h)| ("o/r".to_owned(), "main".to_owned(), s.to_owned(), h * H)),
        );
        let deployments = group_deployments(&[
            run("d0", None, "c0", true, 1, 2),   // first: only c0 (lead 2 h)
            run("d1", None, "c1", false, 6, 7),  // failed
            run("d2", None, "c2", true, 31, 40), // c1 and c2: 35 h and 10 h; recovers d1 after 33 h
            run("d3", None, "c3", true, 51, 52), // c3: 2 h
        ]);
        let (all, repos) = compute(&deployments, &[], &mut commits, 0, 100 * H, "prod");
        assert_eq!(repos.len(), 1);
        assert_eq!(all.deployments, 4);
        assert_eq!(all.successful_deployments, 3);
        assert_eq!(all.change_failures, 1);
        assert_eq!(all.change_failure_rate, Some(0.25));
        assert_eq!(all.change_failure_rate_band, Some(Band::Low));
        assert_eq!(all.changes, 4);
        // Lead times 2, 35, 10, 2 -> median (2 + 10) / 2 = 6.
        assert_eq!(all.lead_time_hours, Some(6.0));
        assert_eq!(all.lead_time_band, Some(Band::Elite));
        assert_eq!(all.recovery_hours, Some(33.0));
        assert_eq!(all.recovery_band, Some(Band::Medium));
        assert_eq!(all.deployments_per_day, round(3.0 / (100.0 / 24.0), 3));
    }

    #[test]
    fn incidents_count_as_failures_of_the_deployment_before_them() {
        let mut commits = RecordCommits::default();
        let deployments = group_deployments(&[
            run("d0", None, "c0", true, 1, 2),
            run("d1", None, "c1", true, 10, 11),
        ]);
        let incident = Incident {
            id: "i".to_owned(),
            repo: "o/r".to_owned(),
            environment: None,
            created_at: String::new(),
            resolved_at: None,
        };
        let (all, _) = compute(
            &deployments,
            &[(incident, 12 * H, Some(15 * H))],
            &mut commits,
            0,
            100 * H,
            "prod",
        );
        assert_eq!(all.change_failures, 1);
        assert_eq!(all.change_failure_rate, Some(0.5));
        assert_eq!(all.recovery_hours, Some(3.0));
    }

    use proptest::prelude::*;

    /// A deployment of one of two repositories, from small numbers.
    fn deployment(
        i: usize,
        (repo, ok, back, start, len, sha): (bool, bool, bool, i64, i64, u8),
    ) -> Deployment {
        Deployment {
            id: format!("d{i}"),
            repo: if repo { "o/a" } else { "o/b" }.to_owned(),
            environment: "prod".to_owned(),
            commit_sha: format!("c{sha}"),
            branch: "main".to_owned(),
            success: ok,
            rolled_back: back,
            started_ms: start,
            finished_ms: start + len,
        }
    }

    proptest! {
        /// The binary search over the running maximum finds what the scan
        /// of every deployment (the code before it) found.
        #[test]
        fn recoveries_agree_with_a_scan(
            raw in proptest::collection::vec((any::<bool>(), any::<bool>(), any::<bool>(), 0i64..50, 0i64..30, 0u8..8), 0..40),
            until in 0i64..90,
        ) {
            let mut deployments: Vec<Deployment> =
                raw.into_iter().enumerate().map(|(i, r)| deployment(i, r)).collect();
            deployments.sort_by(|a, b| (a.started_ms, &a.id).cmp(&(b.started_ms, &b.id)));
            let recoveries = Recoveries::new(&deployments, until);
            for d in &deployments {
                let scan = deployments.iter().find(|n| {
                    n.repo == d.repo
                        && n.environment == d.environment
                        && n.success
                        && !n.rolled_back
                        && n.finished_ms > d.finished_ms
                        && n.finished_ms < until
                });
                prop_assert_eq!(recoveries.next_after(d).map(|n| &n.id), scan.map(|n| &n.id));
            }
        }

        /// The changes from the records, by hash map and binary search, are
        /// those the linear searches (the code before them) found.
        #[test]
        fn record_changes_agree_with_a_scan(
            commits in proptest::collection::vec((0u8..12, 0i64..40), 0..30),
            raw in proptest::collection::vec((any::<bool>(), any::<bool>(), any::<bool>(), 0i64..50, 0i64..30, 0u8..12), 0..20),
        ) {
            let rows: Vec<(String, String, String, i64)> = commits
                .iter()
                .map(|(sha, at)| ("o/a".to_owned(), "main".to_owned(), format!("c{sha}"), *at))
                .collect();
            let mut sorted: Vec<(i64, String)> =
                rows.iter().map(|(_, _, sha, at)| (*at, sha.clone())).collect();
            sorted.sort();
            let seen = |sha: &str| sorted.iter().find(|(_, s)| s == sha).map(|(t, _)| *t);
            let mut source = RecordCommits::new(rows);
            let deployments: Vec<Deployment> = raw
                .into_iter()
                .enumerate()
                .map(|(i, r)| deployment(i, (true, r.1, r.2, r.3, r.4, r.5)))
                .collect();
            for d in &deployments {
                for previous in [None, deployments.first()] {
                    let ours: Vec<(String, i64)> = source
                        .changes(d, previous)
                        .into_iter()
                        .map(|c| (c.id, c.started_ms))
                        .collect();
                    let theirs: Vec<(String, i64)> = match seen(&d.commit_sha) {
                        None => Vec::new(),
                        Some(upto) => match previous.and_then(|p| seen(&p.commit_sha)) {
                            None if previous.is_none() => vec![(d.commit_sha.clone(), upto)],
                            after => {
                                let after = after.unwrap_or(i64::MIN);
                                sorted
                                    .iter()
                                    .filter(|(t, _)| *t > after && *t <= upto)
                                    .map(|(t, s)| (s.clone(), *t))
                                    .collect()
                            }
                        },
                    };
                    prop_assert_eq!(ours, theirs);
                }
            }
        }
    }

    #[test]
    fn bands_follow_the_thresholds() {
        assert_eq!(Band::of_frequency(1.5), Band::Elite);
        assert_eq!(Band::of_frequency(0.2), Band::High);
        assert_eq!(Band::of_frequency(0.05), Band::Medium);
        assert_eq!(Band::of_frequency(0.01), Band::Low);
        assert_eq!(Band::of_lead_time(23.9), Band::Elite);
        assert_eq!(Band::of_lead_time(24.0), Band::High);
        assert_eq!(Band::of_failure_rate(0.05), Band::Elite);
        assert_eq!(Band::of_failure_rate(0.151), Band::Low);
        assert_eq!(Band::of_recovery(0.5), Band::Elite);
        assert_eq!(Band::of_recovery(200.0), Band::Low);
    }
}
