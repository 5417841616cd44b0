//! GitHub code scanning's documented upload limits, and splitting a merged
//! log to respect them.
//!
//! From GitHub's "SARIF support for code scanning" and its troubleshooting
//! pages: at most 20 runs per file, 25,000 results per run, 25,000 rules
//! per run, 1,000 locations per result, and 10 MB per (gzip-compressed)
//! file. We check the uncompressed size against the 10 MB, so whatever we
//! write fits however it is uploaded.

use serde_json::Value;

/// The limits a log must respect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub runs_per_file: usize,
    pub results_per_run: usize,
    pub rules_per_run: usize,
    pub locations_per_result: usize,
    pub bytes_per_file: usize,
}

impl Limits {
    /// GitHub code scanning's.
    pub const GITHUB: Limits = Limits {
        runs_per_file: 20,
        results_per_run: 25_000,
        rules_per_run: 25_000,
        locations_per_result: 1_000,
        bytes_per_file: 10 * 1024 * 1024,
    };
}

/// What to do when a log is over a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnLimit {
    /// Split results over runs (each part its own `automationDetails.id`)
    /// and runs over files.
    Split,
    /// Refuse, naming the limit.
    Fail,
}

fn results_of(run: &Value) -> usize {
    run["results"].as_array().map_or(0, Vec::len)
}

fn size_of(value: &Value) -> usize {
    serde_json::to_vec(value).map_or(usize::MAX, |v| v.len())
}

/// Split `runs` into files that respect `limits`. Errors name the limit
/// that cannot be met.
pub fn fit(
    mut runs: Vec<Value>,
    limits: &Limits,
    on_limit: OnLimit,
    schema_header: &Value,
) -> Result<Vec<Value>, String> {
    // Limits no split can help with.
    for run in &runs {
        let tool = run["tool"]["driver"]["name"].as_str().unwrap_or("?");
        let rules = run["tool"]["driver"]["rules"]
            .as_array()
            .map_or(0, Vec::len);
        if rules > limits.rules_per_run {
            return Err(format!(
                "run of {tool}: {rules} rules, over GitHub's limit of {} rules per run",
                limits.rules_per_run
            ));
        }
        for result in run["results"].as_array().into_iter().flatten() {
            let locations = result["locations"].as_array().map_or(0, Vec::len);
            if locations > limits.locations_per_result {
                return Err(format!(
                    "a result of {tool} ({}) has {locations} locations, over GitHub's limit of {} locations per result",
                    result["ruleId"].as_str().unwrap_or("?"),
                    limits.locations_per_result
                ));
            }
        }
    }
    let mut over = Vec::new();
    for run in &runs {
        let n = results_of(run);
        if n > limits.results_per_run {
            over.push(format!(
                "run of {}: {n} results, over GitHub's limit of {} results per run",
                run["tool"]["driver"]["name"].as_str().unwrap_or("?"),
                limits.results_per_run
            ));
        }
    }
    if runs.len() > limits.runs_per_file {
        over.push(format!(
            "{} runs, over GitHub's limit of {} runs per file",
            runs.len(),
            limits.runs_per_file
        ));
    }
    let whole = log_of(schema_header, runs.clone());
    let whole_size = size_of(&whole);
    if whole_size > limits.bytes_per_file {
        over.push(format!(
            "{whole_size} bytes, over GitHub's limit of {} bytes per file",
            limits.bytes_per_file
        ));
    }
    if over.is_empty() {
        return Ok(vec![whole]);
    }
    if on_limit == OnLimit::Fail {
        return Err(format!(
            "{}; pass --on-limit split to write several files",
            over.join("; ")
        ));
    }
    // Split runs by results, then pack runs into files by count and size.
    let mut parts = Vec::new();
    for run in runs.drain(..) {
        parts.extend(split_run(run, limits));
    }
    let mut files: Vec<Vec<Value>> = vec![Vec::new()];
    let mut current_size = size_of(&log_of(schema_header, Vec::new()));
    for run in parts {
        let run_size = size_of(&run) + 1;
        let alone = size_of(&log_of(schema_header, vec![run.clone()]));
        if alone > limits.bytes_per_file {
            // One run over the size: split its results in halves until each
            // part fits, or fail when a single result cannot.
            let pieces = halve_to_fit(&run, limits, schema_header)?;
            for piece in pieces {
                files.push(vec![piece]);
            }
            files.push(Vec::new());
            current_size = size_of(&log_of(schema_header, Vec::new()));
            continue;
        }
        let last = files.last().map_or(0, Vec::len);
        if last >= limits.runs_per_file || current_size + run_size > limits.bytes_per_file {
            files.push(Vec::new());
            current_size = size_of(&log_of(schema_header, Vec::new()));
        }
        current_size += run_size;
        if let Some(file) = files.last_mut() {
            file.push(run);
        }
    }
    Ok(files
        .into_iter()
        .filter(|runs| !runs.is_empty())
        .map(|runs| log_of(schema_header, runs))
        .collect())
}

fn log_of(header: &Value, runs: Vec<Value>) -> Value {
    let mut log = header.clone();
    log["runs"] = Value::Array(runs);
    log
}

/// A run's results in parts of at most `results_per_run`, each part with
/// its own category.
fn split_run(run: Value, limits: &Limits) -> Vec<Value> {
    let total = results_of(&run);
    if total <= limits.results_per_run {
        return vec![run];
    }
    let results = run["results"].as_array().cloned().unwrap_or_default();
    results
        .chunks(limits.results_per_run.max(1))
        .enumerate()
        .map(|(index, chunk)| part(&run, chunk.to_vec(), index + 1))
        .collect()
}

fn part(run: &Value, results: Vec<Value>, number: usize) -> Value {
    let mut piece = run.clone();
    piece["results"] = Value::Array(results);
    let base = run["automationDetails"]["id"]
        .as_str()
        .map(|id| id.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| {
            run["tool"]["driver"]["name"]
                .as_str()
                .unwrap_or("tool")
                .to_owned()
        });
    piece["automationDetails"] = serde_json::json!({ "id": format!("{base}/part-{number}/") });
    piece
}

fn halve_to_fit(run: &Value, limits: &Limits, header: &Value) -> Result<Vec<Value>, String> {
    let results = run["results"].as_array().cloned().unwrap_or_default();
    let mut pending = vec![results];
    let mut done: Vec<Vec<Value>> = Vec::new();
    while let Some(chunk) = pending.pop() {
        let mut probe = run.clone();
        probe["results"] = Value::Array(chunk.clone());
        if size_of(&log_of(header, vec![probe])) <= limits.bytes_per_file {
            done.push(chunk);
        } else if chunk.len() <= 1 {
            return Err(format!(
                "a single result of {} is over GitHub's limit of {} bytes per file",
                run["tool"]["driver"]["name"].as_str().unwrap_or("?"),
                limits.bytes_per_file
            ));
        } else {
            let mid = chunk.len() / 2;
            // Pushed in reverse so the first half is handled first.
            pending.push(chunk[mid..].to_vec());
            pending.push(chunk[..mid].to_vec());
        }
    }
    Ok(done
        .into_iter()
        .enumerate()
        .map(|(index, chunk)| part(run, chunk, index + 1))
        .collect())
}
