//! PIT (pitest): `mutations.xml`.
//!
//! Each `<mutation status=...>`, mapped to the Stryker statuses (as the
//! Stryker reporter for PIT maps them):
//!
//! | PIT | status |
//! |---|---|
//! | `KILLED` | Killed |
//! | `SURVIVED` | Survived |
//! | `NO_COVERAGE` | NoCoverage |
//! | `TIMED_OUT` | Timeout |
//! | `NON_VIABLE` | CompileError |
//! | `MEMORY_ERROR`, `RUN_ERROR` | RuntimeError |
//! | `NOT_STARTED`, `STARTED` | Pending |
//!
//! PIT names the source file only (`Foo.java`); the reported path is the
//! mutated class's package as folders plus that name
//! (`com/example/Foo.java`), which `--diff` matches as a path suffix.
//! The root's `partial="true"` is kept as PIT wrote it and does not change
//! the counts. External entities are never resolved.

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::{Mutant, MutantStatus, MutationReport, ReadError, ReportKind};

/// The status for PIT's `status` attribute.
pub fn status(word: &str) -> Option<MutantStatus> {
    Some(match word {
        "KILLED" => MutantStatus::Killed,
        "SURVIVED" => MutantStatus::Survived,
        "NO_COVERAGE" => MutantStatus::NoCoverage,
        "TIMED_OUT" => MutantStatus::Timeout,
        "NON_VIABLE" => MutantStatus::CompileError,
        "MEMORY_ERROR" | "RUN_ERROR" => MutantStatus::RuntimeError,
        "NOT_STARTED" | "STARTED" => MutantStatus::Pending,
        _ => return None,
    })
}

const KNOWN: &str = "one of KILLED, SURVIVED, NO_COVERAGE, TIMED_OUT, NON_VIABLE, MEMORY_ERROR, RUN_ERROR, NOT_STARTED, STARTED";

#[derive(Debug, Default)]
struct Raw {
    status: Option<String>,
    fields: BTreeMap<String, String>,
}

/// Read `mutations.xml`. `name` names the file in errors.
pub fn parse(bytes: &[u8], name: &str) -> Result<MutationReport, ReadError> {
    let mut reader = Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut saw_root = false;
    let mut current: Option<Raw> = None;
    // The child element of <mutation> being read (depth 2).
    let mut field: Option<String> = None;
    let mut raws: Vec<Raw> = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            ReadError::new(
                name,
                format!("byte {}", reader.error_position()),
                "well-formed XML",
                e.to_string(),
            )
        })?;
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let empty = matches!(event, Event::Empty(_));
                let local = start.local_name();
                let tag: String = {
                    let name: &str = local.as_ref();
                    name.to_owned()
                };
                match depth {
                    0 => {
                        if tag != "mutations" {
                            return Err(ReadError::new(
                                name,
                                "/",
                                "a <mutations> root element (PIT's mutations.xml)",
                                format!("<{tag}>"),
                            ));
                        }
                        saw_root = true;
                    }
                    1 if tag == "mutation" => {
                        let status = start
                            .attributes()
                            .with_checks(false)
                            .flatten()
                            .find(|a| {
                                let local = a.key.local_name();
                                let name: &str = local.as_ref();
                                name == "status"
                            })
                            .map(|a| a.value.trim().to_owned());
                        let raw = Raw {
                            status,
                            ..Raw::default()
                        };
                        if empty {
                            raws.push(raw);
                        } else {
                            current = Some(raw);
                        }
                    }
                    2 if current.is_some() && !empty => field = Some(tag),
                    _ => {}
                }
                if !empty {
                    depth += 1;
                }
            }
            Event::Text(text) => {
                if let (Some(raw), Some(field)) = (current.as_mut(), field.as_ref()) {
                    let value: &str = text.as_ref();
                    raw.fields.entry(field.clone()).or_default().push_str(value);
                }
            }
            Event::GeneralRef(entity) => {
                if let (Some(raw), Some(field)) = (current.as_mut(), field.as_ref()) {
                    let name: &str = entity.as_ref();
                    let text = match name {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "apos" => "'",
                        "quot" => "\"",
                        _ => "",
                    };
                    raw.fields.entry(field.clone()).or_default().push_str(text);
                }
            }
            Event::CData(text) => {
                if let (Some(raw), Some(field)) = (current.as_mut(), field.as_ref()) {
                    let value: &str = text.as_ref();
                    raw.fields.entry(field.clone()).or_default().push_str(value);
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                match depth {
                    2 => field = None,
                    1 => {
                        if let Some(raw) = current.take() {
                            raws.push(raw);
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if depth != 0 {
        return Err(ReadError::new(
            name,
            "/mutations",
            "a closed <mutations> element",
            "the end of the file inside an element",
        ));
    }
    if !saw_root {
        return Err(ReadError::new(
            name,
            "/",
            "a <mutations> root element (PIT's mutations.xml)",
            "no element",
        ));
    }
    let mut mutants = Vec::with_capacity(raws.len());
    for (i, raw) in raws.into_iter().enumerate() {
        mutants.push(mutant(raw, i + 1, name)?);
    }
    Ok(MutationReport {
        source: name.to_owned(),
        kind: ReportKind::Pit,
        framework: Some("PIT".to_owned()),
        mutants,
        partial: None,
        tool_summary: BTreeMap::new(),
        files: Vec::new(),
    })
}

fn mutant(raw: Raw, index: usize, name: &str) -> Result<Mutant, ReadError> {
    let at = format!("/mutations/mutation[{index}]");
    let Some(word) = raw.status else {
        return Err(ReadError::new(
            name,
            format!("{at}/@status"),
            KNOWN,
            "no status attribute",
        ));
    };
    let Some(status) = status(&word) else {
        return Err(ReadError::new(
            name,
            format!("{at}/@status"),
            KNOWN,
            format!("`{word}`"),
        ));
    };
    let get = |key: &str| {
        raw.fields
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    };
    let required = |key: &str, what: &str| {
        get(key).ok_or_else(|| ReadError::new(name, format!("{at}/{key}"), what, "nothing"))
    };
    let source_file = required("sourceFile", "the source file name")?;
    let class = required("mutatedClass", "the mutated class")?;
    let line_text = required("lineNumber", "a line number")?;
    let line: u32 = line_text.parse().map_err(|_| {
        ReadError::new(
            name,
            format!("{at}/lineNumber"),
            "a line number",
            format!("`{line_text}`"),
        )
    })?;
    let mutator = required("mutator", "the mutator class")?;
    let short_mutator = mutator.rsplit('.').next().unwrap_or(mutator).to_owned();
    // `com.example.Outer$Inner` lives in com/example/<sourceFile>.
    let outer = class.split('$').next().unwrap_or(class);
    let file = match outer.rsplit_once('.') {
        Some((package, _)) => format!("{}/{source_file}", package.replace('.', "/")),
        None => source_file.to_owned(),
    };
    let method = get("mutatedMethod").unwrap_or("");
    let description = get("description")
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| short_mutator.clone());
    let description = if method.is_empty() {
        description
    } else {
        format!("{description} in {method}")
    };
    let index_text = get("indexes")
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(",");
    Ok(Mutant {
        id: format!("{class}.{method}:{line}:{short_mutator}:{index_text}"),
        file,
        line,
        end_line: line,
        column: None,
        mutator: short_mutator,
        description,
        status,
        tool_status: word,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<mutations partial="true">
<mutation detected='false' status='SURVIVED' numberOfTestsRun='1'><sourceFile>Calc.java</sourceFile><mutatedClass>com.example.Calc$Inner</mutatedClass><mutatedMethod>add</mutatedMethod><lineNumber>12</lineNumber><mutator>org.pitest.mutationtest.engine.gregor.mutators.MathMutator</mutator><indexes><index>4</index></indexes><killingTest/><description>Replaced integer addition with subtraction</description></mutation>
<mutation detected='true' status='KILLED'><sourceFile>Calc.java</sourceFile><mutatedClass>com.example.Calc</mutatedClass><mutatedMethod>sub</mutatedMethod><lineNumber>20</lineNumber><mutator>x.NegateConditionalsMutator</mutator><description>negated &amp; conditional</description></mutation>
</mutations>"#;

    #[test]
    fn reads_mutations_with_package_paths() {
        let report = parse(XML.as_bytes(), "mutations.xml").unwrap();
        assert_eq!(report.mutants.len(), 2);
        let m = &report.mutants[0];
        assert_eq!(m.file, "com/example/Calc.java");
        assert_eq!(m.line, 12);
        assert_eq!(m.status, MutantStatus::Survived);
        assert_eq!(m.mutator, "MathMutator");
        assert_eq!(
            m.description,
            "Replaced integer addition with subtraction in add"
        );
        assert_eq!(
            report.mutants[1].description,
            "negated & conditional in sub"
        );
    }

    #[test]
    fn unknown_status_and_bad_line_name_the_mutation() {
        let err = parse(XML.replace("'KILLED'", "'ZAPPED'").as_bytes(), "m.xml").unwrap_err();
        assert_eq!(err.field, "/mutations/mutation[2]/@status");
        let err = parse(XML.replace(">20<", ">twenty<").as_bytes(), "m.xml").unwrap_err();
        assert_eq!(err.field, "/mutations/mutation[2]/lineNumber");
        assert!(parse(b"<testsuite/>", "m.xml").is_err());
        assert!(parse(b"<mutations><mutation>", "m.xml").is_err());
        assert_eq!(parse(b"<mutations/>", "m.xml").unwrap().mutants.len(), 0);
    }
}
