//! `validate`: check pipeline_run records, line by line, against the schema.

use std::path::{Path, PathBuf};

use ci_intel_core::{Failure, Finding, Location, RuleMeta, Severity};
use serde_json::Value;

use crate::schema::RecordSchema;

pub const RULE_SCHEMA: &str = "pipeline-run-schema";
pub const RULE_JSON: &str = "pipeline-run-json";
pub const RULE_EMPTY: &str = "pipeline-run-empty";

/// The rules `validate` reports under.
pub fn rules() -> Vec<RuleMeta> {
    let help = Some("https://github.com/ci-intel/ci-intel/blob/main/docs/telemetry.md");
    vec![
        RuleMeta {
            id: RULE_SCHEMA,
            title: "pipeline_run record violates the v1.2 schema",
            default_severity: Severity::High,
            help_uri: help,
        },
        RuleMeta {
            id: RULE_JSON,
            title: "line is not a JSON object",
            default_severity: Severity::High,
            help_uri: help,
        },
        RuleMeta {
            id: RULE_EMPTY,
            title: "file holds no records",
            default_severity: Severity::High,
            help_uri: help,
        },
    ]
}

/// What validating some files found.
#[derive(Debug, Default)]
pub struct Validation {
    pub files: usize,
    pub records: usize,
    pub invalid_records: usize,
    pub findings: Vec<Finding>,
}

/// Validate NDJSON files (one record a line). A file ending in `.json` is read
/// as one JSON document instead, so the contract's pretty-printed example can
/// be checked as it is. An unreadable file is a usage error (exit 2); a file
/// without records is a finding unless `allow_empty`.
pub fn validate_files(
    paths: &[PathBuf],
    allow_empty: bool,
    schema: &RecordSchema,
) -> Result<Validation, Failure> {
    if paths.is_empty() {
        return Err(Failure::usage(
            "no files given: pass one or more pipeline_run NDJSON files",
        ));
    }
    let mut validation = Validation::default();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::usage(format!(
                "cannot read {}: {e}; pass a readable UTF-8 NDJSON file",
                path.display()
            ))
        })?;
        validate_text(path, &text, allow_empty, schema, &mut validation);
        validation.files += 1;
    }
    Ok(validation)
}

/// Validate one file's text into `into`.
pub fn validate_text(
    path: &Path,
    text: &str,
    allow_empty: bool,
    schema: &RecordSchema,
    into: &mut Validation,
) {
    let file = path.display().to_string();
    let whole_document = path.extension().is_some_and(|e| e == "json");
    let mut records_here = 0;
    if whole_document {
        if !text.trim().is_empty() {
            records_here += 1;
            check_record(&file, 1, text, schema, into);
        }
    } else {
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            records_here += 1;
            check_record(&file, index + 1, line, schema, into);
        }
    }
    if records_here == 0 && !allow_empty {
        into.findings.push(
            Finding::new(
                RULE_EMPTY,
                Severity::High,
                format!("{file} holds no pipeline_run records; an empty input is not a pass"),
                Some(Location::file(file.clone())),
                "empty",
            )
            .with_fix(
                "write records to the file, or pass --allow-empty if an empty file is expected",
            ),
        );
    }
    into.records += records_here;
}

fn check_record(file: &str, line: usize, text: &str, schema: &RecordSchema, into: &mut Validation) {
    let line_no = u32::try_from(line).unwrap_or(u32::MAX);
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => {
            into.invalid_records += 1;
            let at = if text.contains('\n') {
                Location::at(
                    file,
                    u32::try_from(e.line()).unwrap_or(u32::MAX),
                    Some(col(e.column())),
                )
            } else {
                Location::at(file, line_no, Some(col(e.column())))
            };
            into.findings.push(
                Finding::new(
                    RULE_JSON,
                    Severity::High,
                    format!("invalid JSON: {e}"),
                    Some(at),
                    &format!("{line}"),
                )
                .with_fix("each line must be one complete JSON object (NDJSON)"),
            );
            return;
        }
    };
    let found = schema.defects(&value);
    if found.is_empty() {
        return;
    }
    into.invalid_records += 1;
    for defect in found {
        let pointer = if defect.pointer.is_empty() {
            "/"
        } else {
            defect.pointer.as_str()
        };
        into.findings.push(
            Finding::new(
                RULE_SCHEMA,
                Severity::High,
                format!("{pointer}: {}", defect.message),
                Some(Location::at(file, line_no, None)),
                &format!("{line}{pointer}{}", defect.message),
            )
            .with_fix(
                "correct the value at this JSON pointer; see schemas/pipeline_run.v1.2.schema.json",
            ),
        );
    }
}

fn col(column: usize) -> u32 {
    u32::try_from(column.max(1)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, text: &str, allow_empty: bool) -> Validation {
        let mut v = Validation::default();
        validate_text(
            Path::new(name),
            text,
            allow_empty,
            RecordSchema::embedded(),
            &mut v,
        );
        v
    }

    proptest::proptest! {
        /// Any text is validated line by line without panicking, and every
        /// non-blank line is counted as a record.
        #[test]
        fn arbitrary_ndjson_never_panics(text in "(?s).{0,400}") {
            let v = run("x.ndjson", &text, true);
            let records = text.lines().filter(|l| !l.trim().is_empty()).count();
            proptest::prop_assert_eq!(v.records, records);
            proptest::prop_assert!(v.invalid_records <= records);
        }
    }

    #[test]
    fn empty_files_are_findings_unless_allowed() {
        let v = run("a.ndjson", "\n\n", false);
        assert_eq!(v.findings.len(), 1);
        assert_eq!(v.findings[0].rule_id, RULE_EMPTY);
        assert!(run("a.ndjson", "", true).findings.is_empty());
    }

    #[test]
    fn every_line_is_checked_and_located() {
        let v = run("a.ndjson", "{}\n\nnot json\n", false);
        assert_eq!(v.records, 2);
        assert_eq!(v.invalid_records, 2);
        assert!(
            v.findings
                .iter()
                .any(|f| f.rule_id == RULE_JSON && f.location.as_ref().unwrap().line == Some(3))
        );
        assert!(
            v.findings
                .iter()
                .all(|f| f.location.as_ref().unwrap().line.is_some())
        );
    }
}
