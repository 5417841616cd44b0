//! The Stryker mutation-testing-report-schema (schema versions 1 and 2):
//! StrykerJS, Stryker.NET, Stryker4s, Infection (PHP), and cargo-mutants'
//! or PIT's converters.
//!
//! Statuses are the schema's own (`Killed`, `Survived`, `NoCoverage`,
//! `Timeout`, `CompileError`, `RuntimeError`, `Ignored`, `Pending`), plus
//! two words older Stryker.NET releases wrote before the schema named
//! them: `BuildError` (now `CompileError`) and `Skipped` (now `Ignored`).
//! Any other status is an error naming the file and the JSON pointer.
//!
//! Read leniently where real reports differ from the schema: a missing
//! `schemaVersion` or `thresholds`, a number where the schema says string
//! (`schemaVersion: 1`, integer mutant ids), files without `language` or
//! `source`. Read strictly where the score depends on it: `files`, each
//! file's `mutants`, each mutant's `status` and `location`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::{Mutant, MutantStatus, MutationReport, ReadError, ReportKind, describe, pointer_key};

#[derive(Debug, Deserialize)]
struct Report {
    files: BTreeMap<String, File>,
    #[serde(default)]
    framework: Option<Framework>,
}

#[derive(Debug, Deserialize)]
struct Framework {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct File {
    mutants: Vec<RawMutant>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMutant {
    id: Value,
    mutator_name: String,
    location: Location,
    status: String,
    #[serde(default)]
    replacement: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Location {
    start: Position,
    end: Position,
}

#[derive(Debug, Deserialize)]
struct Position {
    line: u32,
    column: u32,
}

/// The status for a word of the schema (or an old Stryker.NET alias).
pub fn status(word: &str) -> Option<MutantStatus> {
    Some(match word {
        "Killed" => MutantStatus::Killed,
        "Survived" => MutantStatus::Survived,
        "NoCoverage" => MutantStatus::NoCoverage,
        "Timeout" => MutantStatus::Timeout,
        "CompileError" | "BuildError" => MutantStatus::CompileError,
        "RuntimeError" => MutantStatus::RuntimeError,
        "Ignored" | "Skipped" => MutantStatus::Ignored,
        "Pending" => MutantStatus::Pending,
        _ => return None,
    })
}

/// The statuses this reader knows, for messages.
const KNOWN: &str = "one of Killed, Survived, NoCoverage, Timeout, CompileError, RuntimeError, Ignored, Pending (or the older BuildError, Skipped)";

/// Read a Stryker-schema report. `name` names the file in errors.
pub fn parse(bytes: &[u8], name: &str) -> Result<MutationReport, ReadError> {
    const EXPECTED: &str = "a mutation-testing-report-schema document";
    let text = super::json_text(bytes, name, EXPECTED)?;
    let deserializer = &mut serde_json::Deserializer::from_str(text);
    let report: Report = serde_path_to_error::deserialize(&mut *deserializer).map_err(|e| {
        let pointer = super::load::pointer_of(e.path());
        let inner = e.into_inner();
        ReadError::new(name, pointer, EXPECTED, inner.to_string())
    })?;
    super::json_end(deserializer, name, EXPECTED)?;
    let mut mutants = Vec::new();
    for (file, result) in report.files {
        let path = file.replace('\\', "/");
        for (i, raw) in result.mutants.into_iter().enumerate() {
            let pointer = format!("/files/{}/mutants/{i}", pointer_key(&file));
            let Some(status) = status(&raw.status) else {
                return Err(ReadError::new(
                    name,
                    format!("{pointer}/status"),
                    KNOWN,
                    format!("`{}`", raw.status),
                ));
            };
            let id = match &raw.id {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                other => {
                    return Err(ReadError::new(
                        name,
                        format!("{pointer}/id"),
                        "a string (or a number)",
                        describe(other),
                    ));
                }
            };
            if raw.location.start.line == 0 {
                return Err(ReadError::new(
                    name,
                    format!("{pointer}/location/start/line"),
                    "a line number of at least 1",
                    "0",
                ));
            }
            let description = match (raw.description, raw.replacement) {
                (Some(d), _) if !d.is_empty() => d,
                (_, Some(r)) => format!("{} → `{}`", raw.mutator_name, one_line(&r)),
                _ => raw.mutator_name.clone(),
            };
            mutants.push(Mutant {
                id,
                file: path.clone(),
                line: raw.location.start.line,
                end_line: raw.location.end.line.max(raw.location.start.line),
                column: Some(raw.location.start.column),
                mutator: raw.mutator_name,
                description,
                status,
                tool_status: raw.status,
            });
        }
    }
    Ok(MutationReport {
        source: name.to_owned(),
        kind: ReportKind::Stryker,
        framework: report.framework.and_then(|f| f.name),
        mutants,
        partial: None,
        tool_summary: BTreeMap::new(),
        files: Vec::new(),
    })
}

/// A replacement shown on one line (mutations can span lines).
pub(crate) fn one_line(text: &str) -> String {
    let joined: Vec<&str> = text.split_whitespace().collect();
    let joined = joined.join(" ");
    if joined.chars().count() > 80 {
        let cut: String = joined.chars().take(77).collect();
        format!("{cut}...")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIMPLE: &str = r#"{"schemaVersion":"2","thresholds":{"high":80,"low":60},"files":{"src/a.js":{"language":"javascript","source":"x","mutants":[
        {"id":"1","mutatorName":"ArithmeticOperator","replacement":"-","location":{"start":{"line":3,"column":12},"end":{"line":3,"column":13}},"status":"Survived"},
        {"id":2,"mutatorName":"BlockStatement","replacement":"{}","location":{"start":{"line":2,"column":20},"end":{"line":4,"column":1}},"status":"Killed"}
    ]}}}"#;

    #[test]
    fn reads_mutants_with_their_lines_and_statuses() {
        let report = parse(SIMPLE.as_bytes(), "r.json").unwrap();
        assert_eq!(report.mutants.len(), 2);
        let m = &report.mutants[0];
        assert_eq!((m.file.as_str(), m.line, m.end_line), ("src/a.js", 3, 3));
        assert_eq!(m.status, MutantStatus::Survived);
        assert_eq!(m.description, "ArithmeticOperator → `-`");
        assert_eq!(report.mutants[1].id, "2");
        assert_eq!(report.counts().score_percent(), Some(50.0));
    }

    #[test]
    fn an_unknown_status_names_the_file_and_the_pointer() {
        let text = SIMPLE.replace("\"Survived\"", "\"Mostly dead\"");
        let err = parse(text.as_bytes(), "r.json").unwrap_err();
        assert_eq!(err.field, "/files/src~1a.js/mutants/0/status");
        let message = err.to_string();
        assert!(
            message.starts_with("r.json: field `/files/src~1a.js/mutants/0/status`"),
            "{message}"
        );
        assert!(message.contains("`Mostly dead`"), "{message}");
    }

    #[test]
    fn a_missing_location_is_an_error_with_its_pointer() {
        let text =
            r#"{"files":{"a":{"mutants":[{"id":"1","mutatorName":"x","status":"Killed"}]}}}"#;
        let err = parse(text.as_bytes(), "r.json").unwrap_err();
        assert_eq!(err.field, "/files/a/mutants/0");
        assert!(err.found.contains("location"), "{err}");
    }

    #[test]
    fn not_json_is_an_error() {
        assert!(parse(b"<xml/>", "r.json").is_err());
        assert!(parse(b"{}", "r.json").unwrap_err().found.contains("files"));
    }
}
