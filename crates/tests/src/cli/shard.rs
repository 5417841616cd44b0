//! `ci-intel-tests shard --shards N --history DIR` and `shard --backtest`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use ci_intel_core::{ExitCode, Failure, RunnerEnv};

use super::{write_json, write_stdout};
use crate::flake::history;
use crate::shard::backtest::{self, Assignments, Metrics, Replay};
use crate::shard::{self, RunTimes, Runner, Shard, Unit, timings};

/// `--format` of `shard`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShardFormat {
    /// A table for a terminal.
    Human,
    /// `{"shards": [{"index", "predicted_ms", "tests"}]}` (with
    /// `selection` per shard when --runner is given); with --backtest, the
    /// metrics.
    Json,
    /// One line of JSON for `strategy.matrix`: `{"include": [{"shard": 1,
    /// "shards": N, "predicted_ms": ...}]}`.
    Matrix,
}

/// Command-line arguments of `shard`.
#[derive(Debug, clap::Args)]
pub struct ShardArgs {
    /// How many shards.
    #[arg(long, default_value_t = 2)]
    pub shards: usize,
    /// The history: a folder of JUnit XML runs (one per sub-folder), or
    /// PyTorch's `test-times.json` (with --timings-config).
    #[arg(long, value_name = "PATH")]
    pub history: PathBuf,
    /// The test config to read from a PyTorch `test-times.json`.
    #[arg(long, default_value = "default")]
    pub timings_config: String,
    /// Name units and write selections in this runner's syntax (pytest
    /// node ids, a nextest filterset, jest paths, go -run patterns).
    #[arg(long, value_enum)]
    pub runner: Option<Runner>,
    /// The tests to shard, one id per line (the runner's naming). Default:
    /// the tests of the newest run of the history.
    #[arg(long, value_name = "FILE")]
    pub tests: Option<PathBuf>,
    /// Print only shard K's selection, one argument per line (requires
    /// --runner).
    #[arg(long, value_name = "K", requires = "runner")]
    pub select: Option<usize>,
    /// Replay the history instead: predict each run from the runs before it
    /// and measure on it (MAPE of shard durations, slowest shard / ideal).
    #[arg(long)]
    pub backtest: bool,
    /// --backtest: sequential (predict run k from runs before k) or
    /// leave-one-out (from all other runs; observations without an order).
    #[arg(long, value_enum, default_value = "sequential")]
    pub replay: Replay,
    /// --backtest: runs used only as history before the first measured one.
    #[arg(long, default_value_t = 3)]
    pub min_history: usize,
    /// --backtest: also write the replay (per run: tests in order and the
    /// last observed durations) for another tool to split.
    #[arg(long, value_name = "FILE", requires = "backtest")]
    pub export_plan: Option<PathBuf>,
    /// --backtest: measure another tool's assignments of the same replay
    /// (`{"strategy", "steps": [{"run", "shards": [{"tests", "predicted_ms"}]}]}`).
    #[arg(long, value_name = "FILE", requires = "backtest")]
    pub evaluate: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: ShardFormat,
}

/// One shard in `--format json`.
#[derive(Debug, Serialize)]
struct JsonShard<'a> {
    index: usize,
    predicted_ms: u64,
    tests: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    selection: Option<Vec<String>>,
}

/// `--backtest --format json`.
#[derive(Debug, Serialize)]
struct BacktestOut<'a> {
    history: String,
    replay: Replay,
    runs: usize,
    measured_runs: usize,
    shards: usize,
    strategies: &'a [Metrics],
}

/// Read the history as per-run durations, oldest first.
pub fn read_times(args: &ShardArgs) -> Result<Vec<RunTimes>, Failure> {
    let path = &args.history;
    let is_json = path.is_file()
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        let bytes = std::fs::read(path)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
        return timings::parse(&bytes, &path.display().to_string(), &args.timings_config)
            .map_err(crate::mutation::ReadError::into_failure);
    }
    let runs = history::read_history(path)?;
    Ok(runs
        .iter()
        .map(|r| RunTimes::from_run(r, args.runner))
        .collect())
}

/// The suite of a unit named in the runner's way (for tests without history).
pub fn suite_of(runner: Option<Runner>, id: &str) -> String {
    let cut = match runner {
        Some(Runner::Nextest) => id.split_once(' ').map(|(b, _)| b),
        Some(Runner::Pytest) => id.split_once("::").map(|(f, _)| f),
        Some(Runner::Jest) => id.rsplit_once('/').map(|(d, _)| d),
        Some(Runner::Go) | None => id.rsplit_once("::").map(|(p, _)| p),
    };
    cut.unwrap_or("").to_owned()
}

fn read_test_list(path: &Path, runner: Option<Runner>) -> Result<Vec<Unit>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read --tests {}: {e}", path.display())))?;
    let mut units: Vec<Unit> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|id| Unit {
            id: id.to_owned(),
            suite: suite_of(runner, id),
        })
        .collect();
    units.sort();
    units.dedup_by(|a, b| a.id == b.id);
    Ok(units)
}

/// `ci-intel-tests shard`.
pub fn run(args: &ShardArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    if args.shards == 0 {
        return Err(Failure::usage(
            "--shards 0: there must be at least one shard",
        ));
    }
    let runs = read_times(args)?;
    if args.backtest {
        return run_backtest(args, &runs);
    }
    let units = match &args.tests {
        Some(path) => read_test_list(path, args.runner)?,
        None => {
            // The newest run's tests; for unordered observations (PyTorch's
            // environments) every test any of them ran.
            let mut all: Vec<Unit> = match runs.last() {
                Some(last) if args.replay == Replay::Sequential && !is_timings(args) => {
                    last.unit_list()
                }
                _ => runs.iter().flat_map(RunTimes::unit_list).collect(),
            };
            all.sort();
            all.dedup_by(|a, b| a.id == b.id);
            all
        }
    };
    if units.is_empty() {
        return Err(Failure::usage(format!(
            "no test to shard: the history {} has no timed test{}",
            args.history.display(),
            if args.tests.is_some() {
                " and --tests is empty"
            } else {
                "; pass --tests"
            }
        )));
    }
    let history: Vec<&RunTimes> = runs.iter().collect();
    let predictions = shard::predict(&history, &units);
    let shards = shard::pack(&predictions, args.shards);
    let matrix = matrix_json(&shards);
    env.set_output("matrix", &matrix)?;
    if let Some(k) = args.select {
        let Some(shard) = shards.iter().find(|s| s.index == k) else {
            return Err(Failure::usage(format!(
                "--select {k}: shards are numbered 1 to {}",
                shards.len()
            )));
        };
        let runner = args.runner.unwrap_or(Runner::Pytest);
        let text = shard::selection(runner, &shard.tests).join("\n");
        env.set_output("selection", &text)?;
        write_stdout(&format!("{text}\n"))?;
        return Ok(ExitCode::Pass);
    }
    match args.format {
        ShardFormat::Json => {
            let shards_json: Vec<JsonShard<'_>> = shards
                .iter()
                .map(|s| JsonShard {
                    index: s.index,
                    predicted_ms: s.predicted_ms,
                    tests: &s.tests,
                    selection: args.runner.map(|r| shard::selection(r, &s.tests)),
                })
                .collect();
            let mut text =
                serde_json::to_string_pretty(&serde_json::json!({ "shards": shards_json }))
                    .map_err(|e| Failure::infra(e.to_string()))?;
            text.push('\n');
            write_stdout(&text)?;
        }
        ShardFormat::Matrix => write_stdout(&format!("{matrix}\n"))?,
        ShardFormat::Human => {
            let from_history = predictions
                .iter()
                .filter(|p| p.basis == shard::Basis::History)
                .count();
            let mut out = format!(
                "{} test(s) in {} shard(s); {} predicted from history, {} from a median\n",
                units.len(),
                shards.len(),
                from_history,
                units.len() - from_history
            );
            for s in &shards {
                let _ = writeln!(
                    out,
                    "shard {}: {} test(s), predicted {:.1} s",
                    s.index,
                    s.tests.len(),
                    s.predicted_ms as f64 / 1000.0
                );
            }
            write_stdout(&out)?;
        }
    }
    Ok(ExitCode::Pass)
}

fn is_timings(args: &ShardArgs) -> bool {
    args.history.is_file()
        && args
            .history
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// `{"include": [{"shard": 1, "shards": N, "predicted_ms": ...}]}`.
pub fn matrix_json(shards: &[Shard]) -> String {
    let include: Vec<serde_json::Value> = shards
        .iter()
        .map(|s| {
            serde_json::json!({
                "shard": s.index,
                "shards": shards.len(),
                "predicted_ms": s.predicted_ms,
            })
        })
        .collect();
    serde_json::json!({ "include": include }).to_string()
}

fn run_backtest(args: &ShardArgs, runs: &[RunTimes]) -> Result<ExitCode, Failure> {
    let min = if args.replay == Replay::Sequential {
        args.min_history
    } else {
        0
    };
    let steps = backtest::steps(runs, args.replay, min);
    if steps.is_empty() {
        return Err(Failure::usage(format!(
            "--backtest: {} run(s) in {}, none to measure after --min-history {}; record more runs",
            runs.len(),
            args.history.display(),
            args.min_history
        )));
    }
    if let Some(path) = &args.export_plan {
        write_json(path, &backtest::plan(&steps, args.shards), "--export-plan")?;
    }
    let mut metrics = vec![
        backtest::evaluate(&steps, &backtest::ours(&steps, args.shards)).map_err(Failure::usage)?,
    ];
    for path in &args.evaluate {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::usage(format!("cannot read --evaluate {}: {e}", path.display()))
        })?;
        let deserializer = &mut serde_json::Deserializer::from_str(&text);
        let assignments: Assignments =
            serde_path_to_error::deserialize(deserializer).map_err(|e| {
                Failure::usage(format!(
                    "--evaluate {}: field `{}`: {}",
                    path.display(),
                    e.path(),
                    e.inner()
                ))
            })?;
        metrics.push(backtest::evaluate(&steps, &assignments).map_err(Failure::usage)?);
    }
    match args.format {
        ShardFormat::Json | ShardFormat::Matrix => {
            let out = BacktestOut {
                history: args.history.display().to_string(),
                replay: args.replay,
                runs: runs.len(),
                measured_runs: steps.len(),
                shards: args.shards,
                strategies: &metrics,
            };
            let mut text =
                serde_json::to_string_pretty(&out).map_err(|e| Failure::infra(e.to_string()))?;
            text.push('\n');
            write_stdout(&text)?;
        }
        ShardFormat::Human => {
            let mut out = format!(
                "backtest of {} ({} run(s), {} measured, {} shard(s), {:?})\n",
                args.history.display(),
                runs.len(),
                steps.len(),
                args.shards,
                args.replay
            );
            let _ = writeln!(
                out,
                "{:<48} {:>9} {:>13} {:>13} {:>14}",
                "strategy", "MAPE %", "max/ideal", "worst", "max shard s"
            );
            for m in &metrics {
                let mape = if m.own_prediction {
                    format!("{:.1}", m.mape_percent)
                } else {
                    format!("({:.1})", m.mape_percent)
                };
                let _ = writeln!(
                    out,
                    "{:<48} {:>9} {:>13.3} {:>13.3} {:>14.2}",
                    m.strategy,
                    mape,
                    m.mean_max_over_ideal,
                    m.worst_max_over_ideal,
                    m.mean_max_shard_ms / 1000.0
                );
            }
            if metrics.iter().any(|m| !m.own_prediction) {
                out.push_str("(MAPE in parentheses: of the equal-share assumption of a strategy that predicts nothing)\n");
            }
            write_stdout(&out)?;
        }
    }
    Ok(ExitCode::Pass)
}
