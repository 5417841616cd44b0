//! cargo-mutants: `mutants.out/outcomes.json` (and `mutants.json` beside it).
//!
//! Each outcome's `summary`, mapped to the Stryker statuses:
//!
//! | cargo-mutants | status | why |
//! |---|---|---|
//! | `CaughtMutant` | Killed | a test failed |
//! | `MissedMutant` | Survived | every test passed |
//! | `Timeout` | Timeout | detected, as Stryker counts it |
//! | `Unviable` | CompileError | the mutant does not build |
//! | `Success` | Pending | a mutant that built under `--check` and was never tested |
//! | `Failure` | RuntimeError | the scenario failed outside the tests (a crashed build) |
//!
//! The `Baseline` scenario (the unmutated tree) is not a mutant. The header
//! counts (`total_mutants`, `caught`, `missed`, `timeout`, `unviable`,
//! `success`, `failure`) are cargo-mutants' own summary: a report whose
//! outcomes do not add up to them is refused. When `mutants.json` lists
//! more mutants than have an outcome, the run stopped early: the report is
//! marked partial.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::stryker::one_line;
use super::{Mutant, MutantStatus, MutationReport, Partial, ReadError, ReportKind, describe};

#[derive(Debug, Deserialize)]
struct Outcomes {
    outcomes: Vec<Outcome>,
    #[serde(default)]
    total_mutants: Option<u64>,
    #[serde(default)]
    caught: Option<u64>,
    #[serde(default)]
    missed: Option<u64>,
    #[serde(default)]
    timeout: Option<u64>,
    #[serde(default)]
    unviable: Option<u64>,
    #[serde(default)]
    success: Option<u64>,
    #[serde(default)]
    failure: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Outcome {
    scenario: Value,
    summary: String,
}

/// The status for an outcome's `summary`.
pub fn status(summary: &str) -> Option<MutantStatus> {
    Some(match summary {
        "CaughtMutant" => MutantStatus::Killed,
        "MissedMutant" => MutantStatus::Survived,
        "Timeout" => MutantStatus::Timeout,
        "Unviable" => MutantStatus::CompileError,
        "Success" => MutantStatus::Pending,
        "Failure" => MutantStatus::RuntimeError,
        _ => return None,
    })
}

const KNOWN: &str = "one of CaughtMutant, MissedMutant, Timeout, Unviable, Success, Failure (cargo-mutants' SummaryOutcome)";

/// Read `outcomes.json`. `name` names the file in errors.
pub fn parse_outcomes(bytes: &[u8], name: &str) -> Result<MutationReport, ReadError> {
    const EXPECTED: &str = "cargo-mutants outcomes.json";
    let text = super::json_text(bytes, name, EXPECTED)?;
    let deserializer = &mut serde_json::Deserializer::from_str(text);
    let outcomes: Outcomes = serde_path_to_error::deserialize(&mut *deserializer).map_err(|e| {
        let pointer = super::load::pointer_of(e.path());
        ReadError::new(name, pointer, EXPECTED, e.into_inner().to_string())
    })?;
    super::json_end(deserializer, name, EXPECTED)?;
    let mut mutants = Vec::new();
    for (i, outcome) in outcomes.outcomes.iter().enumerate() {
        let pointer = format!("/outcomes/{i}");
        let Some(status) = status(&outcome.summary) else {
            return Err(ReadError::new(
                name,
                format!("{pointer}/summary"),
                KNOWN,
                format!("`{}`", outcome.summary),
            ));
        };
        let scenario = match &outcome.scenario {
            Value::String(s) if s == "Baseline" => continue,
            Value::Object(map) => match map.get("Mutant") {
                Some(m) => m,
                None => {
                    return Err(ReadError::new(
                        name,
                        format!("{pointer}/scenario"),
                        "\"Baseline\" or {\"Mutant\": {...}}",
                        describe(&outcome.scenario),
                    ));
                }
            },
            other => {
                return Err(ReadError::new(
                    name,
                    format!("{pointer}/scenario"),
                    "\"Baseline\" or {\"Mutant\": {...}}",
                    describe(other),
                ));
            }
        };
        mutants.push(mutant(
            scenario,
            status,
            &outcome.summary,
            name,
            &format!("{pointer}/scenario/Mutant"),
        )?);
    }
    let mut report = MutationReport {
        source: name.to_owned(),
        kind: ReportKind::CargoMutants,
        framework: Some("cargo-mutants".to_owned()),
        mutants,
        partial: None,
        tool_summary: BTreeMap::new(),
        files: Vec::new(),
    };
    let header = [
        ("total_mutants", outcomes.total_mutants, None),
        ("caught", outcomes.caught, Some("CaughtMutant")),
        ("missed", outcomes.missed, Some("MissedMutant")),
        ("timeout", outcomes.timeout, Some("Timeout")),
        ("unviable", outcomes.unviable, Some("Unviable")),
        ("success", outcomes.success, Some("Success")),
        ("failure", outcomes.failure, Some("Failure")),
    ];
    let ours = report.tool_counts();
    for (key, value, word) in header {
        let Some(value) = value else { continue };
        report.tool_summary.insert(key.to_owned(), value);
        let counted = match word {
            None => report.mutants.len() as u64,
            Some(word) => ours.get(word).copied().unwrap_or(0),
        };
        if counted != value {
            return Err(ReadError::new(
                name,
                format!("/{key}"),
                format!("{counted} (what the outcomes list adds up to)"),
                value.to_string(),
            ));
        }
    }
    Ok(report)
}

fn mutant(
    scenario: &Value,
    status: MutantStatus,
    summary: &str,
    name: &str,
    pointer: &str,
) -> Result<Mutant, ReadError> {
    let text = |key: &str| scenario.get(key).and_then(Value::as_str);
    let Some(file) = text("file") else {
        return Err(ReadError::new(
            name,
            format!("{pointer}/file"),
            "the mutated file's path",
            scenario
                .get("file")
                .map(describe)
                .unwrap_or_else(|| "nothing".to_owned()),
        ));
    };
    // cargo-mutants 23.x wrote `line`; later releases a `span`.
    let line_at = |value: Option<&Value>| {
        value
            .and_then(Value::as_u64)
            .and_then(|l| u32::try_from(l).ok())
    };
    let span = scenario.get("span");
    let line = line_at(span.and_then(|s| s.pointer("/start/line")))
        .or_else(|| line_at(scenario.get("line")))
        .unwrap_or(0);
    let end_line = line_at(span.and_then(|s| s.pointer("/end/line")))
        .unwrap_or(line)
        .max(line);
    let column = line_at(span.and_then(|s| s.pointer("/start/column")));
    let function = match scenario.get("function") {
        Some(Value::Object(f)) => f.get("function_name").and_then(Value::as_str).map(|n| {
            let ret = f.get("return_type").and_then(Value::as_str).unwrap_or("");
            (n.to_owned(), ret.to_owned())
        }),
        Some(Value::String(n)) => Some((n.clone(), text("return_type").unwrap_or("").to_owned())),
        _ => None,
    };
    let genre = text("genre").unwrap_or("mutation").to_owned();
    let replacement = one_line(text("replacement").unwrap_or(""));
    // cargo-mutants 25+ names each mutant (`src/lib.rs:5:10: replace > with
    // >= in max`), with the original code older releases did not record.
    let named = text("name").and_then(|n| {
        let mut parts = n.splitn(4, ':');
        let (_file, _line, _col, rest) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        Some(rest.trim_start().to_owned())
    });
    let description = match (named, &function, genre.as_str()) {
        (Some(named), _, _) => named,
        (None, Some((f, ret)), "FnValue") if ret.is_empty() => {
            format!("replace {f} with {replacement}")
        }
        (None, Some((f, ret)), "FnValue") => format!("replace {f} {ret} with {replacement}"),
        (None, Some((f, _)), _) => format!("replace with {replacement} in {f}"),
        (None, None, _) => format!("replace with {replacement}"),
    };
    let file = file.replace('\\', "/");
    let id = match column {
        Some(c) => format!("{file}:{line}:{c}: {description}"),
        None => format!("{file}:{line}: {description}"),
    };
    Ok(Mutant {
        id,
        file,
        line,
        end_line,
        column,
        mutator: genre,
        description,
        status,
        tool_status: summary.to_owned(),
    })
}

/// How many mutants `mutants.json` lists (an array of mutants).
pub fn count_listed(bytes: &[u8], name: &str) -> Result<usize, ReadError> {
    const EXPECTED: &str = "cargo-mutants mutants.json (an array of mutants)";
    let text = super::json_text(bytes, name, EXPECTED)?;
    let deserializer = &mut serde_json::Deserializer::from_str(text);
    let listed: Vec<serde::de::IgnoredAny> = serde_path_to_error::deserialize(&mut *deserializer)
        .map_err(|e| {
        let pointer = super::load::pointer_of(e.path());
        ReadError::new(name, pointer, EXPECTED, e.into_inner().to_string())
    })?;
    super::json_end(deserializer, name, EXPECTED)?;
    Ok(listed.len())
}

/// Mark `report` partial when `listed` mutants were planned.
pub fn mark_partial(report: &mut MutationReport, listed: usize) {
    let tested = report.mutants.len();
    if listed > tested {
        report.partial = Some(Partial { listed, tested });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTCOMES: &str = r#"{"outcomes":[
        {"scenario":"Baseline","summary":"Success"},
        {"scenario":{"Mutant":{"package":"p","file":"src/lib.rs","function":{"function_name":"add","return_type":"-> i32","span":{"start":{"line":1,"column":1},"end":{"line":3,"column":2}}},"span":{"start":{"line":2,"column":5},"end":{"line":2,"column":10}},"replacement":"0","genre":"FnValue"}},"summary":"MissedMutant"},
        {"scenario":{"Mutant":{"package":"p","file":"src/lib.rs","function":{"function_name":"add","return_type":"-> i32"},"span":{"start":{"line":2,"column":7},"end":{"line":2,"column":8}},"replacement":"-","genre":"BinaryOperator"}},"summary":"CaughtMutant"}
    ],"total_mutants":2,"missed":1,"caught":1,"timeout":0,"unviable":0,"success":0,"failure":0}"#;

    #[test]
    fn reads_outcomes_and_checks_them_against_the_header() {
        let report = parse_outcomes(OUTCOMES.as_bytes(), "outcomes.json").unwrap();
        assert_eq!(report.mutants.len(), 2);
        let missed = &report.mutants[0];
        assert_eq!(missed.status, MutantStatus::Survived);
        assert_eq!((missed.line, missed.column), (2, Some(5)));
        assert_eq!(missed.description, "replace add -> i32 with 0");
        assert_eq!(report.mutants[1].description, "replace with - in add");
        assert_eq!(report.tool_summary["caught"], 1);
        // cargo-mutants 25+ names the mutant, with the original code.
        let named = OUTCOMES.replacen(
            r#""package":"p","file":"src/lib.rs","function":{"function_name":"add","return_type":"-> i32"},"#,
            r#""name":"src/lib.rs:2:7: replace + with - in add","package":"p","file":"src/lib.rs","function":{"function_name":"add","return_type":"-> i32"},"#,
            1,
        );
        let report = parse_outcomes(named.as_bytes(), "outcomes.json").unwrap();
        assert_eq!(report.mutants[1].description, "replace + with - in add");
    }

    #[test]
    fn a_header_that_disagrees_with_the_outcomes_is_refused() {
        let text = OUTCOMES.replace("\"caught\":1", "\"caught\":5");
        let err = parse_outcomes(text.as_bytes(), "outcomes.json").unwrap_err();
        assert_eq!(err.field, "/caught");
        assert_eq!(err.found, "5");
    }

    #[test]
    fn an_unknown_summary_names_the_outcome() {
        let text = OUTCOMES.replace("\"MissedMutant\"", "\"Shrug\"");
        let err = parse_outcomes(text.as_bytes(), "outcomes.json").unwrap_err();
        assert_eq!(err.field, "/outcomes/1/summary");
    }

    #[test]
    fn more_listed_than_tested_is_partial() {
        let mut report = parse_outcomes(OUTCOMES.as_bytes(), "outcomes.json").unwrap();
        mark_partial(&mut report, 2);
        assert_eq!(report.partial, None);
        mark_partial(&mut report, 7);
        assert_eq!(
            report.partial,
            Some(Partial {
                listed: 7,
                tested: 2
            })
        );
        assert_eq!(count_listed(b"[{}, {}, 3]", "mutants.json").unwrap(), 3);
        assert!(count_listed(b"{}", "mutants.json").is_err());
    }
}
