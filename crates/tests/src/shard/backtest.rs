//! `shard --backtest`: replay a history. For each run k, predict from the
//! runs before k, pack the tests run k ran, and measure on run k:
//!
//! - MAPE: the mean, over every evaluated run and shard, of |predicted −
//!   actual| / actual of the shard's duration (shards with no measured
//!   time are left out);
//! - max / ideal: the slowest shard's actual duration over the ideal (the
//!   run's total over N), per run; its mean and worst;
//! - the slowest shard's actual duration (the wall time of a sharded job
//!   whose tests run one after another), mean over runs.
//!
//! A shard's duration is the sum of its tests' durations. Other tools'
//! assignments of the same runs (pytest-split's, nextest's count
//! partitioning) are measured the same way ([`evaluate`]); a tool that
//! predicts nothing (nextest's count) is measured against the equal-share
//! assumption it makes: each shard's share of tests times the run's
//! predicted total.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Prediction, RunTimes, Unit, pack, predict};

/// How the history is replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Replay {
    /// Predict run k from runs 1..k-1 (a history in time order).
    Sequential,
    /// Predict each run from all the others (observations without an
    /// order, like PyTorch's per-environment times).
    LeaveOneOut,
}

/// One replayed run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub run: String,
    /// The units the run measured, in its listing order.
    pub units: Vec<Unit>,
    /// Their measured durations.
    pub actual: BTreeMap<String, u64>,
    /// Our predictions from the other runs.
    pub predictions: Vec<Prediction>,
    /// The last duration observed before this run, per unit: what
    /// pytest-split's `--store-durations` file holds.
    pub last_observed: BTreeMap<String, u64>,
}

/// Replay `runs` (oldest first), skipping the first `min_history` runs in
/// sequential mode.
pub fn steps(runs: &[RunTimes], replay: Replay, min_history: usize) -> Vec<Step> {
    let indexes: Vec<usize> = match replay {
        Replay::Sequential => (min_history.max(1)..runs.len()).collect(),
        Replay::LeaveOneOut => (0..runs.len()).collect(),
    };
    let mut out = Vec::new();
    for k in indexes {
        let history: Vec<&RunTimes> = match replay {
            Replay::Sequential => runs[..k].iter().collect(),
            Replay::LeaveOneOut => runs
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != k)
                .map(|(_, r)| r)
                .collect(),
        };
        let run = &runs[k];
        let units = run.unit_list();
        if units.is_empty() {
            continue;
        }
        let predictions = predict(&history, &units);
        let mut last_observed = BTreeMap::new();
        for past in &history {
            for (id, (_, ms)) in &past.units {
                last_observed.insert(id.clone(), *ms);
            }
        }
        out.push(Step {
            run: run.name.clone(),
            actual: run
                .units
                .iter()
                .map(|(id, (_, ms))| (id.clone(), *ms))
                .collect(),
            units,
            predictions,
            last_observed,
        });
    }
    out
}

/// One shard of an assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignedShard {
    pub tests: Vec<String>,
    /// The tool's own prediction, when it makes one.
    #[serde(default)]
    pub predicted_ms: Option<f64>,
}

/// One tool's shards for one replayed run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignedStep {
    pub run: String,
    pub shards: Vec<AssignedShard>,
}

/// A tool's assignments for a replay (`--evaluate FILE`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignments {
    pub strategy: String,
    pub steps: Vec<AssignedStep>,
}

/// Our own assignments: LPT over our predictions.
pub fn ours(steps: &[Step], shards: usize) -> Assignments {
    Assignments {
        strategy: "ci-intel-tests (robust recent average, LPT)".to_owned(),
        steps: steps
            .iter()
            .map(|step| AssignedStep {
                run: step.run.clone(),
                shards: pack(&step.predictions, shards)
                    .into_iter()
                    .map(|s| AssignedShard {
                        tests: s.tests,
                        predicted_ms: Some(s.predicted_ms as f64),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// How well an assignment did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub strategy: String,
    /// Replayed runs measured.
    pub runs: usize,
    pub shards: usize,
    /// Mean absolute percentage error of the shard durations.
    pub mape_percent: f64,
    /// Whether MAPE measures the tool's own prediction (false: the
    /// equal-share assumption of a tool that predicts nothing).
    pub own_prediction: bool,
    pub mean_max_over_ideal: f64,
    pub worst_max_over_ideal: f64,
    /// Mean over runs of the slowest shard's measured duration.
    pub mean_max_shard_ms: f64,
    /// Mean over runs of the ideal shard duration (total / N).
    pub mean_ideal_ms: f64,
}

/// Measure `assignments` on `steps`. Every unit a run measured must be in
/// exactly one shard; tests the run did not measure are ignored.
pub fn evaluate(steps: &[Step], assignments: &Assignments) -> Result<Metrics, String> {
    let by_run: BTreeMap<&str, &AssignedStep> = assignments
        .steps
        .iter()
        .map(|s| (s.run.as_str(), s))
        .collect();
    let mut errors = Vec::new();
    let mut max_ratios = Vec::new();
    let mut max_shards = Vec::new();
    let mut ideals = Vec::new();
    let mut own = true;
    let mut shards_n = 0;
    for step in steps {
        let Some(assigned) = by_run.get(step.run.as_str()) else {
            return Err(format!(
                "{}: no assignment for run `{}`; assign every replayed run",
                assignments.strategy, step.run
            ));
        };
        shards_n = assigned.shards.len();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        for shard in &assigned.shards {
            for test in &shard.tests {
                if step.actual.contains_key(test) && !seen.insert(test) {
                    return Err(format!(
                        "{}: run `{}`: `{test}` is in more than one shard",
                        assignments.strategy, step.run
                    ));
                }
            }
        }
        if let Some(missing) = step.actual.keys().find(|t| !seen.contains(t.as_str())) {
            return Err(format!(
                "{}: run `{}`: `{missing}` is in no shard",
                assignments.strategy, step.run
            ));
        }
        let total_actual: u64 = step.actual.values().sum();
        let total_predicted: u64 = step.predictions.iter().map(|p| p.predicted_ms).sum();
        let units = step.actual.len().max(1) as f64;
        let mut max_actual = 0u64;
        for shard in &assigned.shards {
            let measured: Vec<&String> = shard
                .tests
                .iter()
                .filter(|t| step.actual.contains_key(*t))
                .collect();
            let actual: u64 = measured.iter().map(|t| step.actual[*t]).sum();
            max_actual = max_actual.max(actual);
            let predicted = match shard.predicted_ms {
                Some(p) => p,
                None => {
                    own = false;
                    total_predicted as f64 * measured.len() as f64 / units
                }
            };
            if actual > 0 {
                errors.push((predicted - actual as f64).abs() / actual as f64);
            }
        }
        let n = assigned.shards.len().max(1) as f64;
        let ideal = total_actual as f64 / n;
        if ideal > 0.0 {
            max_ratios.push(max_actual as f64 / ideal);
        }
        max_shards.push(max_actual as f64);
        ideals.push(ideal);
    }
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    Ok(Metrics {
        strategy: assignments.strategy.clone(),
        runs: steps.len(),
        shards: shards_n,
        mape_percent: 100.0 * mean(&errors),
        own_prediction: own,
        mean_max_over_ideal: mean(&max_ratios),
        worst_max_over_ideal: max_ratios.iter().copied().fold(0.0, f64::max),
        mean_max_shard_ms: mean(&max_shards),
        mean_ideal_ms: mean(&ideals),
    })
}

/// The replay as input for another tool (`--export-plan`): per run, the
/// units in listing order and the last observed durations in seconds
/// (pytest-split's `.test_durations`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub shards: usize,
    pub steps: Vec<PlanStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanStep {
    pub run: String,
    pub items: Vec<String>,
    pub durations: BTreeMap<String, f64>,
}

pub fn plan(steps: &[Step], shards: usize) -> Plan {
    Plan {
        shards,
        steps: steps
            .iter()
            .map(|s| PlanStep {
                run: s.run.clone(),
                items: s.units.iter().map(|u| u.id.clone()).collect(),
                durations: s
                    .last_observed
                    .iter()
                    .map(|(id, ms)| (id.clone(), *ms as f64 / 1000.0))
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, times: &[(&str, u64)]) -> RunTimes {
        RunTimes {
            name: name.into(),
            units: times
                .iter()
                .map(|(id, ms)| ((*id).to_owned(), ("s".to_owned(), *ms)))
                .collect(),
            order: times.iter().map(|(id, _)| (*id).to_owned()).collect(),
        }
    }

    #[test]
    fn a_steady_history_is_predicted_exactly() {
        let runs: Vec<RunTimes> = (0..4)
            .map(|i| {
                run(
                    &format!("r{i}"),
                    &[("a", 400), ("b", 300), ("c", 200), ("d", 100)],
                )
            })
            .collect();
        let steps = steps(&runs, Replay::Sequential, 1);
        assert_eq!(steps.len(), 3);
        let metrics = evaluate(&steps, &ours(&steps, 2)).unwrap();
        assert_eq!(metrics.mape_percent, 0.0);
        assert!(metrics.own_prediction);
        // {a, d} = 500 and {b, c} = 500: ideal.
        assert_eq!(metrics.mean_max_over_ideal, 1.0);
        assert_eq!(metrics.mean_max_shard_ms, 500.0);
    }

    #[test]
    fn assignments_must_cover_each_measured_test_once() {
        let runs = vec![
            run("r0", &[("a", 1), ("b", 1)]),
            run("r1", &[("a", 1), ("b", 1)]),
        ];
        let steps = steps(&runs, Replay::Sequential, 1);
        let bad = |shards: Vec<Vec<&str>>| Assignments {
            strategy: "x".into(),
            steps: vec![AssignedStep {
                run: "r1".into(),
                shards: shards
                    .into_iter()
                    .map(|t| AssignedShard {
                        tests: t.into_iter().map(str::to_owned).collect(),
                        predicted_ms: None,
                    })
                    .collect(),
            }],
        };
        assert!(
            evaluate(&steps, &bad(vec![vec!["a"], vec!["a", "b"]]))
                .unwrap_err()
                .contains("more than one")
        );
        assert!(
            evaluate(&steps, &bad(vec![vec!["a"], vec![]]))
                .unwrap_err()
                .contains("in no shard")
        );
        let fine = evaluate(&steps, &bad(vec![vec!["a", "zzz"], vec!["b"]])).unwrap();
        assert!(!fine.own_prediction);
        assert_eq!(fine.mape_percent, 0.0);
    }

    #[test]
    fn leave_one_out_predicts_each_from_the_others() {
        let runs = vec![run("x", &[("a", 100)]), run("y", &[("a", 300)])];
        let steps = steps(&runs, Replay::LeaveOneOut, 0);
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].predictions[0].predicted_ms, 300);
        assert_eq!(steps[1].predictions[0].predicted_ms, 100);
    }
}
