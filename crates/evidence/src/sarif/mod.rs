//! SARIF hygiene: merge SARIF 2.1.0 logs of our tools and others (zizmor,
//! CodeQL, Trivy, Grype, Snyk, Semgrep...) into one log that GitHub code
//! scanning accepts.
//!
//! - Within a tool (runs of the same `tool.driver.name`), a result that
//!   repeats another is dropped: same rule and same `partialFingerprints`,
//!   or, without fingerprints, same rule, place (URI, region, location
//!   message, logical locations) and message. The kept result counts the
//!   repeats in `properties["ci-intel/occurrences"]` and lists where each
//!   was reported in `properties["ci-intel/reportedBy"]`.
//! - Across tools, results about the same thing are merged: at overlapping
//!   lines of the same file with a shared CWE or rule alias group
//!   ([`identity::BUILTIN_ALIASES`] plus `sarif.aliases`), or naming the
//!   same vulnerability (CVE/GHSA) in the same package. The result with the
//!   highest level is kept (at that level), and
//!   `properties["ci-intel/reportedBy"]` lists every tool and rule that
//!   reported it.
//! - Suppressions (`.ci-intel/suppressions.yml`) mark matching results with
//!   SARIF `suppressions`; problems with the suppressions are findings, in
//!   a run of their own.
//! - The output respects GitHub's upload limits ([`limits`]): over one, it
//!   is split, or refused naming the limit. No result is dropped silently.

pub mod identity;
pub mod limits;

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use ci_intel_core::{Failure, Finding, Report, ToolInfo, render};

use crate::suppressions::{self, Suppressions};
use identity::{AliasTable, Identity};
use limits::{Limits, OnLimit};

/// The `$schema` we write.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The property listing every tool and rule that reported a merged result.
pub const REPORTED_BY: &str = "ci-intel/reportedBy";
/// The property counting a tool's repeats of one result.
pub const OCCURRENCES: &str = "ci-intel/occurrences";

/// One input log.
#[derive(Debug, Clone)]
pub struct Input {
    /// How messages name it (the file path).
    pub name: String,
    pub log: Value,
}

/// Parse one SARIF 2.1.0 log. What is wrong is named with the file and a
/// JSON pointer; a log that is not SARIF 2.1.0 is a usage error (exit 2).
pub fn parse(bytes: &[u8], name: &str) -> Result<Input, Failure> {
    let log: Value = serde_json::from_slice(bytes).map_err(|e| {
        Failure::usage(format!(
            "{name}: not JSON at line {}, column {}: {e}; expected a SARIF 2.1.0 log",
            e.line(),
            e.column()
        ))
    })?;
    let wrong = |pointer: &str, expected: &str, actual: &Value| {
        let actual = match actual {
            Value::Null => "nothing".to_owned(),
            Value::String(s) => format!("\"{}\"", s.chars().take(40).collect::<String>()),
            Value::Array(_) => "an array".to_owned(),
            Value::Object(_) => "an object".to_owned(),
            other => other.to_string(),
        };
        Failure::usage(format!(
            "{name}: at {pointer}: expected {expected}, found {actual}; is this a SARIF 2.1.0 log?"
        ))
    };
    if !log.is_object() {
        return Err(wrong("/", "an object", &log));
    }
    if log["version"].as_str() != Some("2.1.0") {
        return Err(wrong("/version", "\"2.1.0\"", &log["version"]));
    }
    let Some(runs) = log["runs"].as_array() else {
        return Err(wrong("/runs", "an array of runs", &log["runs"]));
    };
    for (index, run) in runs.iter().enumerate() {
        if !run["tool"]["driver"]["name"].is_string() {
            return Err(wrong(
                &format!("/runs/{index}/tool/driver/name"),
                "the tool's name",
                &run["tool"]["driver"]["name"],
            ));
        }
        match &run["results"] {
            Value::Null => {}
            Value::Array(results) => {
                for (r, result) in results.iter().enumerate() {
                    if !result.is_object() {
                        return Err(wrong(
                            &format!("/runs/{index}/results/{r}"),
                            "a result object",
                            result,
                        ));
                    }
                }
            }
            other => {
                return Err(wrong(
                    &format!("/runs/{index}/results"),
                    "an array of results",
                    other,
                ));
            }
        }
        match &run["tool"]["driver"]["rules"] {
            Value::Null | Value::Array(_) => {}
            other => {
                return Err(wrong(
                    &format!("/runs/{index}/tool/driver/rules"),
                    "an array of rules",
                    other,
                ));
            }
        }
    }
    Ok(Input {
        name: name.to_owned(),
        log,
    })
}

/// How to merge.
#[derive(Debug, Clone)]
pub struct Options {
    pub aliases: AliasTable,
    pub suppressions: Option<Suppressions>,
    pub limits: Limits,
    pub on_limit: OnLimit,
}

/// The numbers of a merge.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub files: usize,
    pub runs_in: usize,
    pub results_in: usize,
    pub runs_out: usize,
    pub results_out: usize,
    /// Results dropped as repeats within a tool (counted on the kept one).
    pub duplicates: usize,
    /// Results folded into another tool's result (listed on it).
    pub merged: usize,
    pub suppressed: usize,
    /// Findings about the suppressions file (in their own run).
    pub suppression_findings: usize,
    /// Output files (more than one when split).
    pub output_files: usize,
}

/// A merge's result.
#[derive(Debug, Clone)]
pub struct Merged {
    /// One log per output file.
    pub logs: Vec<Value>,
    pub stats: Stats,
    /// Findings about the suppressions (also in the logs).
    pub findings: Vec<Finding>,
}

/// A run being built: one per tool (and category).
struct RunOut {
    template: Value,
    rules: Vec<Value>,
    rule_index: HashMap<String, usize>,
    artifacts: Vec<Value>,
    results: Vec<Kept>,
    tool: String,
}

struct Kept {
    result: Value,
    /// Set when the result was folded into another.
    gone: bool,
    level: u8,
    occurrences: u64,
    reported_by: Vec<Value>,
}

fn level_rank(level: &str) -> u8 {
    match level {
        "error" => 3,
        "warning" => 2,
        "note" => 1,
        _ => 0,
    }
}

fn level_name(rank: u8) -> &'static str {
    match rank {
        3 => "error",
        2 => "warning",
        1 => "note",
        _ => "none",
    }
}

/// Merge `inputs`.
pub fn merge(inputs: &[Input], options: &Options) -> Result<Merged, Failure> {
    let mut stats = Stats {
        files: inputs.len(),
        ..Stats::default()
    };
    let mut runs: Vec<RunOut> = Vec::new();
    // (tool lower-case, category) -> index in `runs`.
    let mut by_tool: HashMap<(String, String), usize> = HashMap::new();
    // Within-tool dedupe keys: (tool, key) -> (run, result index).
    let mut seen: HashMap<(String, String), (usize, usize)> = HashMap::new();

    for input in inputs {
        for run in input.log["runs"].as_array().into_iter().flatten() {
            stats.runs_in += 1;
            let tool = run["tool"]["driver"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let category = run["automationDetails"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let key = (tool.to_ascii_lowercase(), category);
            let mergeable = run["tool"]["extensions"].is_null();
            let index = match by_tool.get(&key) {
                Some(&index) if mergeable && compatible(&runs[index].template, run) => index,
                _ => {
                    runs.push(new_run(run, &tool));
                    let index = runs.len() - 1;
                    if mergeable {
                        by_tool.entry(key).or_insert(index);
                    }
                    index
                }
            };
            let driver_rules: Vec<Value> = run["tool"]["driver"]["rules"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let artifact_offset = runs[index].artifacts.len();
            runs[index]
                .artifacts
                .extend(run["artifacts"].as_array().cloned().unwrap_or_default());
            merge_uri_bases(&mut runs[index].template, run);
            for rule in &driver_rules {
                if let Some(id) = rule["id"].as_str()
                    && !runs[index].rule_index.contains_key(id)
                {
                    let position = runs[index].rules.len();
                    runs[index].rule_index.insert(id.to_owned(), position);
                    runs[index].rules.push(rule.clone());
                }
            }
            for result in run["results"].as_array().into_iter().flatten() {
                stats.results_in += 1;
                let mut result = result.clone();
                let rule_id = resolve_rule_id(&result, &driver_rules);
                if let Some(id) = &rule_id {
                    result["ruleId"] = Value::String(id.clone());
                }
                reindex_rule(&mut result, rule_id.as_deref(), &runs[index].rule_index);
                if artifact_offset > 0 {
                    offset_artifacts(&mut result, artifact_offset);
                }
                let rule = rule_id
                    .as_deref()
                    .and_then(|id| runs[index].rule_index.get(id))
                    .map(|&i| &runs[index].rules[i]);
                let level = effective_level(&result, rule);
                let place = identity::code_place(&result);
                let reported_by = json!({
                    "tool": tool,
                    "ruleId": rule_id.clone().unwrap_or_default(),
                    "level": level_name(level),
                    "uri": place.as_ref().map(|p| p.uri.clone()),
                    "startLine": place.as_ref().map(|p| p.start),
                    "file": input.name,
                });
                let dedupe = (key_tool(&tool), dedupe_key(&result));
                if let Some(&(run_index, result_index)) = seen.get(&dedupe) {
                    // The same result again: counted, its place kept.
                    let kept = &mut runs[run_index].results[result_index];
                    kept.occurrences += 1;
                    kept.level = kept.level.max(level);
                    kept.reported_by.push(reported_by);
                    stats.duplicates += 1;
                    continue;
                }
                seen.insert(dedupe, (index, runs[index].results.len()));
                runs[index].results.push(Kept {
                    result,
                    gone: false,
                    level,
                    occurrences: 1,
                    reported_by: vec![reported_by],
                });
            }
        }
    }

    stats.merged = merge_across_tools(&mut runs, &options.aliases);

    let mut findings = Vec::new();
    if let Some(suppressions) = &options.suppressions {
        let (count, used) = apply_suppressions(&mut runs, suppressions);
        stats.suppressed = count;
        findings.extend(suppressions.findings.iter().cloned());
        let ctx = suppressions::Context {
            file: &suppressions.file,
            today: chrono::NaiveDate::MIN,
            max_days: 0,
        };
        for (loaded, used) in suppressions.entries.iter().zip(used) {
            findings.extend(suppressions::rules::suppression_unused::check(
                loaded, used, &ctx,
            ));
        }
    }
    stats.suppression_findings = findings.len();

    let mut out_runs: Vec<Value> = runs.into_iter().map(finish_run).collect();
    out_runs.retain(|run| {
        // A run that lost every result to another tool still documents that
        // the tool ran; keep it.
        run.is_object()
    });
    if !findings.is_empty() {
        let report = Report::new(
            ToolInfo::new(crate::TOOL, env!("CARGO_PKG_VERSION")),
            suppressions::rules::all(),
            findings.clone(),
        );
        let log = render::sarif(&report);
        if let Some(run) = log["runs"].get(0) {
            let mut run = run.clone();
            run["automationDetails"] = json!({"id": "ci-intel-evidence/suppressions/"});
            out_runs.push(run);
        }
    }
    stats.runs_out = out_runs.len();
    stats.results_out = out_runs
        .iter()
        .map(|r| r["results"].as_array().map_or(0, Vec::len))
        .sum::<usize>()
        - findings.len();
    let header = json!({"$schema": SARIF_SCHEMA, "version": "2.1.0"});
    let logs = limits::fit(out_runs, &options.limits, options.on_limit, &header)
        .map_err(|why| Failure::usage(format!("sarif merge: {why}")))?;
    stats.output_files = logs.len();
    Ok(Merged {
        logs,
        stats,
        findings,
    })
}

fn key_tool(tool: &str) -> String {
    tool.to_ascii_lowercase()
}

fn new_run(run: &Value, tool: &str) -> RunOut {
    let mut template = run.clone();
    if let Some(object) = template.as_object_mut() {
        object.remove("results");
        object.remove("artifacts");
    }
    RunOut {
        template,
        rules: Vec::new(),
        rule_index: HashMap::new(),
        artifacts: Vec::new(),
        results: Vec::new(),
        tool: tool.to_owned(),
    }
}

/// Runs of one tool merge unless their URI base ids disagree.
fn compatible(template: &Value, run: &Value) -> bool {
    let (Some(a), Some(b)) = (
        template["originalUriBaseIds"].as_object(),
        run["originalUriBaseIds"].as_object(),
    ) else {
        return true;
    };
    b.iter().all(|(k, v)| a.get(k).is_none_or(|mine| mine == v))
}

fn merge_uri_bases(template: &mut Value, run: &Value) {
    let Some(bases) = run["originalUriBaseIds"].as_object() else {
        return;
    };
    if !template["originalUriBaseIds"].is_object() {
        template["originalUriBaseIds"] = Value::Object(Map::new());
    }
    if let Some(mine) = template["originalUriBaseIds"].as_object_mut() {
        for (k, v) in bases {
            mine.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
}

/// A result's rule id: `ruleId`, `rule.id`, or the driver rule at
/// `ruleIndex`/`rule.index`.
fn resolve_rule_id(result: &Value, rules: &[Value]) -> Option<String> {
    if let Some(id) = result["ruleId"].as_str() {
        return Some(id.to_owned());
    }
    if let Some(id) = result["rule"]["id"].as_str() {
        return Some(id.to_owned());
    }
    let from_extension = !result["rule"]["toolComponent"].is_null();
    let index = result["ruleIndex"].as_u64().or_else(|| {
        (!from_extension)
            .then(|| result["rule"]["index"].as_u64())
            .flatten()
    })?;
    rules
        .get(usize::try_from(index).ok()?)
        .and_then(|r| r["id"].as_str())
        .map(str::to_owned)
}

/// Point `ruleIndex` (and a driver `rule.index`) at the merged rules.
fn reindex_rule(result: &mut Value, rule_id: Option<&str>, index: &HashMap<String, usize>) {
    let new = rule_id.and_then(|id| index.get(id)).copied();
    let Some(object) = result.as_object_mut() else {
        return;
    };
    match new {
        Some(i) => {
            if object.contains_key("ruleIndex") {
                object.insert("ruleIndex".to_owned(), json!(i));
            }
        }
        None => {
            object.remove("ruleIndex");
        }
    }
    if let Some(rule) = object.get_mut("rule").and_then(Value::as_object_mut)
        && !rule.contains_key("toolComponent")
    {
        match new {
            Some(i) => {
                if rule.contains_key("index") {
                    rule.insert("index".to_owned(), json!(i));
                }
            }
            None => {
                rule.remove("index");
            }
        }
    }
}

/// Shift every `artifactLocation.index` (and `analysisTarget.index`) by
/// `offset`: the run's artifacts now follow another run's.
fn offset_artifacts(value: &mut Value, offset: usize) {
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                if (key == "artifactLocation" || key == "analysisTarget")
                    && let Some(index) = child["index"].as_u64()
                {
                    child["index"] = json!(index + offset as u64);
                }
                offset_artifacts(child, offset);
            }
        }
        Value::Array(items) => {
            for item in items {
                offset_artifacts(item, offset);
            }
        }
        _ => {}
    }
}

fn effective_level(result: &Value, rule: Option<&Value>) -> u8 {
    let level = result["level"]
        .as_str()
        .or_else(|| rule.and_then(|r| r["defaultConfiguration"]["level"].as_str()))
        .unwrap_or("warning");
    level_rank(level)
}

/// What makes two results of one tool the same result.
fn dedupe_key(result: &Value) -> String {
    let rule = result["ruleId"].as_str().unwrap_or_default();
    if let Some(fingerprints) = result["partialFingerprints"].as_object()
        && !fingerprints.is_empty()
    {
        let value = Value::Object(fingerprints.clone());
        return format!(
            "fp\0{rule}\0{}",
            ci_intel_core::canonical::to_string(&value)
        );
    }
    let location = |l: &Value| {
        let physical = &l["physicalLocation"];
        json!({
            "uri": physical["artifactLocation"]["uri"]
                .as_str()
                .map(identity::normalize_uri),
            "region": {
                "startLine": physical["region"]["startLine"],
                "startColumn": physical["region"]["startColumn"],
                "endLine": physical["region"]["endLine"],
                "endColumn": physical["region"]["endColumn"],
            },
            "message": l["message"]["text"],
            "logical": l["logicalLocations"].as_array().map(|items| {
                items
                    .iter()
                    .map(|i| json!([i["fullyQualifiedName"], i["name"]]))
                    .collect::<Vec<_>>()
            }),
        })
    };
    let locations: Vec<Value> = result["locations"]
        .as_array()
        .map(|items| items.iter().map(location).collect())
        .unwrap_or_default();
    let value = json!({
        "locations": locations,
        "message": result["message"]["text"],
    });
    format!(
        "loc\0{rule}\0{}",
        ci_intel_core::canonical::to_string(&value)
    )
}

/// Fold results of different tools that report the same thing into the
/// one with the highest level. Returns how many were folded.
fn merge_across_tools(runs: &mut [RunOut], aliases: &AliasTable) -> usize {
    // Every result's identity, in input order.
    let mut items: Vec<(usize, usize, String, Identity)> = Vec::new();
    for (r, run) in runs.iter().enumerate() {
        for (i, kept) in run.results.iter().enumerate() {
            let rule_id = kept.result["ruleId"].as_str().unwrap_or_default();
            let rule = run.rule_index.get(rule_id).map(|&x| &run.rules[x]);
            let identity = identity::identity(aliases, rule_id, rule, &kept.result);
            items.push((r, i, key_tool(&run.tool), identity));
        }
    }
    // Clusters of item indices; an index of candidate clusters by key.
    let mut clusters: Vec<Vec<usize>> = Vec::new();
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (item, (_, _, tool, id)) in items.iter().enumerate() {
        let keys = keys_of(id);
        let mut joined = None;
        'search: for key in &keys {
            for &cluster in by_key.get(key).map(Vec::as_slice).unwrap_or_default() {
                let members = &clusters[cluster];
                if members.iter().any(|&m| &items[m].2 == tool) {
                    continue;
                }
                if members.iter().any(|&m| same_thing(&items[m].3, id)) {
                    joined = Some(cluster);
                    break 'search;
                }
            }
        }
        let cluster = match joined {
            Some(cluster) => {
                clusters[cluster].push(item);
                cluster
            }
            None => {
                clusters.push(vec![item]);
                clusters.len() - 1
            }
        };
        for key in keys {
            let entry = by_key.entry(key).or_default();
            if !entry.contains(&cluster) {
                entry.push(cluster);
            }
        }
    }
    let mut folded = 0;
    for members in clusters.into_iter().filter(|m| m.len() > 1) {
        // The member with the highest level, the first among equals.
        let best = members
            .iter()
            .copied()
            .max_by(|&a, &b| {
                let la = runs[items[a].0].results[items[a].1].level;
                let lb = runs[items[b].0].results[items[b].1].level;
                la.cmp(&lb).then(b.cmp(&a))
            })
            .unwrap_or(members[0]);
        let mut reported_by = Vec::new();
        let mut level = 0;
        for &m in &members {
            let kept = &runs[items[m].0].results[items[m].1];
            level = level.max(kept.level);
            reported_by.extend(kept.reported_by.iter().cloned());
        }
        for &m in &members {
            if m != best {
                runs[items[m].0].results[items[m].1].gone = true;
                folded += 1;
            }
        }
        let kept = &mut runs[items[best].0].results[items[best].1];
        kept.level = level;
        kept.reported_by = reported_by;
    }
    folded
}

/// The index keys under which a result can meet its twins.
fn keys_of(id: &Identity) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(package) = &id.package {
        for vuln in &id.vulns {
            keys.push(format!("v\0{vuln}\0{package}"));
        }
    }
    if let Some(place) = &id.place {
        for group in &id.groups {
            keys.push(format!("a\0{}\0{group}", place.uri));
        }
        for cwe in &id.cwes {
            keys.push(format!("c\0{}\0{cwe}", place.uri));
        }
    }
    keys
}

/// Whether two results of different tools report the same thing.
fn same_thing(a: &Identity, b: &Identity) -> bool {
    if let (Some(pa), Some(pb)) = (&a.package, &b.package)
        && pa == pb
        && a.vulns.intersection(&b.vulns).next().is_some()
    {
        return true;
    }
    match (&a.place, &b.place) {
        (Some(x), Some(y)) if x.overlaps(y) => {
            a.groups.intersection(&b.groups).next().is_some()
                || a.cwes.intersection(&b.cwes).next().is_some()
        }
        _ => false,
    }
}

/// Mark results matched by a valid suppression. Returns the number of
/// suppressed results and, per entry, whether it matched anything.
fn apply_suppressions(runs: &mut [RunOut], suppressions: &Suppressions) -> (usize, Vec<bool>) {
    let mut used = vec![false; suppressions.entries.len()];
    let mut count = 0;
    for run in runs.iter_mut() {
        for kept in run.results.iter_mut().filter(|k| !k.gone) {
            let rule = kept.result["ruleId"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let path = identity::code_place(&kept.result)
                .map(|p| p.uri)
                .unwrap_or_default();
            let fingerprints: Vec<String> = kept.result["partialFingerprints"]
                .as_object()
                .map(|m| {
                    m.values()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            let fingerprints: Vec<&str> = fingerprints.iter().map(String::as_str).collect();
            // Any rule that reported the result may be the one suppressed.
            let rules: Vec<String> = std::iter::once(rule)
                .chain(
                    kept.reported_by
                        .iter()
                        .filter_map(|r| r["ruleId"].as_str().map(str::to_owned)),
                )
                .collect();
            let matched = suppressions.entries.iter().enumerate().find(|(_, entry)| {
                rules
                    .iter()
                    .any(|rule| entry.matches(rule, &path, &fingerprints))
            });
            if let Some((index, entry)) = matched {
                used[index] = true;
                count += 1;
                let suppression = json!({
                    "kind": "external",
                    "status": "accepted",
                    "justification": entry.entry.justification.clone().unwrap_or_default(),
                    "location": {
                        "physicalLocation": {
                            "artifactLocation": {"uri": suppressions.file},
                            "region": {"startLine": entry.line},
                        }
                    },
                    "properties": {
                        "owner": entry.entry.owner.clone().unwrap_or_default(),
                        "created": entry.entry.created.map(|d| d.to_string()),
                        "expires": entry.entry.expires.map(|d| d.to_string()),
                    },
                });
                match kept.result["suppressions"].as_array_mut() {
                    Some(existing) => existing.push(suppression),
                    None => kept.result["suppressions"] = json!([suppression]),
                }
            }
        }
    }
    (count, used)
}

/// The output run: template, merged rules and artifacts, kept results.
fn finish_run(run: RunOut) -> Value {
    let RunOut {
        mut template,
        rules,
        artifacts,
        results,
        ..
    } = run;
    template["tool"]["driver"]["rules"] = Value::Array(rules);
    if !artifacts.is_empty() {
        template["artifacts"] = Value::Array(artifacts);
    }
    let results: Vec<Value> = results
        .into_iter()
        .filter(|k| !k.gone)
        .map(|k| {
            let mut result = k.result;
            if k.reported_by.len() > 1 {
                result["level"] = json!(level_name(k.level));
                ensure_properties(&mut result);
                result["properties"][REPORTED_BY] = Value::Array(k.reported_by);
            }
            if k.occurrences > 1 {
                result["level"] = json!(level_name(k.level));
                ensure_properties(&mut result);
                result["properties"][OCCURRENCES] = json!(k.occurrences);
            }
            result
        })
        .collect();
    template["results"] = Value::Array(results);
    template
}

fn ensure_properties(result: &mut Value) {
    if !result["properties"].is_object() {
        result["properties"] = Value::Object(Map::new());
    }
}

/// Every (tool, rule, uri, start line) a log reports, with the merged
/// results' `reportedBy` entries expanded: what "loses none" is checked on.
pub fn reported(log: &Value) -> Vec<(String, String, String, u64)> {
    let mut out = Vec::new();
    for run in log["runs"].as_array().into_iter().flatten() {
        let tool = run["tool"]["driver"]["name"].as_str().unwrap_or_default();
        for result in run["results"].as_array().into_iter().flatten() {
            let place = identity::code_place(result);
            let (uri, line) = place.map(|p| (p.uri, p.start)).unwrap_or_default();
            match result["properties"][REPORTED_BY].as_array() {
                Some(all) => {
                    for entry in all {
                        out.push((
                            entry["tool"].as_str().unwrap_or_default().to_owned(),
                            entry["ruleId"].as_str().unwrap_or_default().to_owned(),
                            entry["uri"].as_str().unwrap_or_default().to_owned(),
                            entry["startLine"].as_u64().unwrap_or_default(),
                        ));
                    }
                }
                None => out.push((
                    tool.to_owned(),
                    result["ruleId"].as_str().unwrap_or_default().to_owned(),
                    uri,
                    line,
                )),
            }
        }
    }
    out
}

/// Counts per level of a log's results, for summaries.
pub fn levels(log: &Value) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for run in log["runs"].as_array().into_iter().flatten() {
        for result in run["results"].as_array().into_iter().flatten() {
            let level = result["level"].as_str().unwrap_or("warning").to_owned();
            *counts.entry(level).or_default() += 1;
        }
    }
    counts
}
