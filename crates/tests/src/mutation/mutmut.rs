//! mutmut 3: the `mutants/` folder (`<source>.meta` files with
//! `exit_code_by_key`), one `.meta` file, or the `{meta path: {mutant:
//! exit code}}` snapshots of mutmut's own end-to-end tests.
//!
//! mutmut stores the exit code of the test run against each mutant and
//! names it with `status_by_exit_code`; each of its words, mapped to the
//! Stryker statuses:
//!
//! | exit code | mutmut | status |
//! |---|---|---|
//! | 1, 3 | killed | Killed |
//! | 0 | survived | Survived |
//! | 5, 33 | no tests | NoCoverage |
//! | 36, 24, -24, 152, 255 | timeout | Timeout |
//! | 37 | caught by type check | CompileError |
//! | 34 | skipped | Ignored |
//! | -11, -9 | segfault | RuntimeError |
//! | 35, any other integer | suspicious | RuntimeError |
//! | 2 | check was interrupted by user | Pending |
//! | null | not checked | Pending |
//!
//! A value that is neither an integer nor null is an error naming the file
//! and the mutant.
//!
//! mutmut records no line numbers. With the `mutants/` folder and the
//! source beside it, a mutant's line is found by comparing its function in
//! the mutated copy (`mutants/<source>`) with the unmutated copy
//! (`__mutmut_orig`) and counting from the function's `def` line in the
//! source; the description is the changed line, before and after. Without
//! them the line is 0 (unknown) and the description names the function.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::{Mutant, MutantStatus, MutationReport, ReadError, ReportKind, describe, pointer_key};

/// mutmut's word for an exit code (`None`: not checked).
pub fn word(exit_code: Option<i64>) -> &'static str {
    match exit_code {
        None => "not checked",
        Some(1 | 3) => "killed",
        Some(0) => "survived",
        Some(5 | 33) => "no tests",
        Some(2) => "check was interrupted by user",
        Some(34) => "skipped",
        Some(36 | 24 | -24 | 152 | 255) => "timeout",
        Some(37) => "caught by type check",
        Some(-11 | -9) => "segfault",
        Some(_) => "suspicious",
    }
}

/// The status for one of mutmut's words.
pub fn status(word: &str) -> MutantStatus {
    match word {
        "killed" => MutantStatus::Killed,
        "survived" => MutantStatus::Survived,
        "no tests" => MutantStatus::NoCoverage,
        "timeout" => MutantStatus::Timeout,
        "caught by type check" => MutantStatus::CompileError,
        "skipped" => MutantStatus::Ignored,
        "check was interrupted by user" | "not checked" => MutantStatus::Pending,
        // segfault, suspicious
        _ => MutantStatus::RuntimeError,
    }
}

/// The mutants of one source file: mutant name and exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaFile {
    /// The source file, relative to the project (`src/pkg/mod.py`).
    pub source: String,
    pub exit_codes: Vec<(String, Option<i64>)>,
}

/// The source path a `.meta` path stands for (`mutants/src/a.py.meta` →
/// `src/a.py`).
pub fn source_of_meta(meta: &str) -> String {
    let meta = meta.replace('\\', "/");
    let meta = meta.strip_suffix(".meta").unwrap_or(&meta);
    let meta = meta.strip_prefix("./").unwrap_or(meta);
    meta.strip_prefix("mutants/").unwrap_or(meta).to_owned()
}

fn exit_codes(
    value: &Value,
    name: &str,
    pointer: &str,
) -> Result<Vec<(String, Option<i64>)>, ReadError> {
    let Some(map) = value.as_object() else {
        return Err(ReadError::new(
            name,
            pointer,
            "an object of mutant name to exit code",
            describe(value),
        ));
    };
    let mut codes = Vec::with_capacity(map.len());
    for (key, code) in map {
        let code = match code {
            Value::Null => None,
            Value::Number(n) if n.as_i64().is_some() => n.as_i64(),
            other => {
                return Err(ReadError::new(
                    name,
                    format!("{pointer}/{}", pointer_key(key)),
                    "an integer exit code or null",
                    describe(other),
                ));
            }
        };
        if !key.contains("__mutmut_") {
            return Err(ReadError::new(
                name,
                format!("{pointer}/{}", pointer_key(key)),
                "a mutmut mutant name (`module.x_function__mutmut_N`)",
                format!("`{key}`"),
            ));
        }
        codes.push((key.clone(), code));
    }
    Ok(codes)
}

/// Read one `.meta` file; `meta_path` is its path relative to the project
/// (`mutants/src/a.py.meta`), which names the source file.
pub fn parse_meta(bytes: &[u8], name: &str, meta_path: &str) -> Result<MetaFile, ReadError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ReadError::new(name, "", "a mutmut .meta JSON object", e.to_string()))?;
    let Some(codes) = value.get("exit_code_by_key") else {
        return Err(ReadError::new(
            name,
            "/exit_code_by_key",
            "mutmut's exit codes per mutant",
            "nothing",
        ));
    };
    Ok(MetaFile {
        source: source_of_meta(meta_path),
        exit_codes: exit_codes(codes, name, "/exit_code_by_key")?,
    })
}

/// Read a snapshot of mutmut's end-to-end tests: `{meta path: {mutant:
/// exit code}}`.
pub fn parse_snapshot(bytes: &[u8], name: &str) -> Result<Vec<MetaFile>, ReadError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ReadError::new(name, "", "a JSON object", e.to_string()))?;
    let Some(map) = value.as_object() else {
        return Err(ReadError::new(
            name,
            "",
            "an object of .meta path to exit codes",
            describe(&value),
        ));
    };
    let mut files = Vec::new();
    for (meta, codes) in map {
        if !meta.ends_with(".meta") {
            return Err(ReadError::new(
                name,
                format!("/{}", pointer_key(meta)),
                "a `.meta` path",
                format!("`{meta}`"),
            ));
        }
        files.push(MetaFile {
            source: source_of_meta(meta),
            exit_codes: exit_codes(codes, name, &format!("/{}", pointer_key(meta)))?,
        });
    }
    Ok(files)
}

/// Whether a JSON document looks like a mutmut snapshot.
pub fn looks_like_snapshot(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|m| !m.is_empty() && m.keys().all(|k| k.ends_with(".meta")))
}

/// Build the report. `project` is the folder holding `mutants/` and the
/// sources, when known: it gives the mutants their lines.
pub fn report(files: Vec<MetaFile>, name: &str, project: Option<&Path>) -> MutationReport {
    let mut mutants = Vec::new();
    for file in files {
        let source = project.and_then(|p| std::fs::read_to_string(p.join(&file.source)).ok());
        let mutated = project
            .and_then(|p| std::fs::read_to_string(p.join("mutants").join(&file.source)).ok());
        for (key, code) in file.exit_codes {
            let word = word(code);
            let (line, end_line, description) = locate(&key, source.as_deref(), mutated.as_deref());
            mutants.push(Mutant {
                id: key.clone(),
                file: file.source.clone(),
                line,
                end_line,
                column: None,
                mutator: "mutmut".to_owned(),
                description,
                status: status(word),
                tool_status: word.to_owned(),
            });
        }
    }
    MutationReport {
        source: name.to_owned(),
        kind: ReportKind::Mutmut,
        framework: Some("mutmut".to_owned()),
        mutants,
        partial: None,
        tool_summary: BTreeMap::new(),
        files: Vec::new(),
    }
}

/// `module.x_func__mutmut_3` → (`x_func`, class, function).
fn names(key: &str) -> Option<(String, Option<String>, String)> {
    let (head, _) = key.rsplit_once("__mutmut_")?;
    // The mangled name is the dotted segment starting with `x_` or `xǁ`.
    let start = head
        .match_indices('.')
        .map(|(i, _)| i + 1)
        .chain(std::iter::once(0))
        .filter(|&i| head[i..].starts_with("x_") || head[i..].starts_with("xǁ"))
        .min()?;
    let mangled = &head[start..];
    if let Some(rest) = mangled.strip_prefix("xǁ") {
        let (class, function) = rest.split_once('ǁ')?;
        Some((
            mangled.to_owned(),
            Some(class.to_owned()),
            function.to_owned(),
        ))
    } else {
        let function = mangled.strip_prefix("x_")?;
        Some((mangled.to_owned(), None, function.to_owned()))
    }
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn is_def(line: &str, function: &str) -> bool {
    let t = line.trim_start();
    let t = t.strip_prefix("async ").unwrap_or(t);
    t.strip_prefix("def ")
        .and_then(|r| r.strip_prefix(function))
        .is_some_and(|r| r.trim_start().starts_with('('))
}

/// The lines of the function `function` (of `class`, when set): the index
/// of its `def` line and the block's lines.
fn block<'a>(
    lines: &[&'a str],
    class: Option<&str>,
    function: &str,
) -> Option<(usize, Vec<&'a str>)> {
    let mut from = 0;
    let mut min_indent = 0;
    if let Some(class) = class {
        let at = lines.iter().position(|l| {
            let t = l.trim_start();
            t.strip_prefix("class ")
                .and_then(|r| r.strip_prefix(class))
                .is_some_and(|r| r.starts_with(':') || r.starts_with('(') || r.starts_with(' '))
        })?;
        from = at + 1;
        min_indent = indent(lines[at]) + 1;
    }
    let at = (from..lines.len()).find(|&i| {
        indent(lines[i]) >= min_indent && is_def(lines[i], function) && {
            // A module-level function is not indented.
            class.is_some() || indent(lines[i]) == 0
        }
    })?;
    let def_indent = indent(lines[at]);
    let mut end = at + 1;
    while end < lines.len() {
        let l = lines[end];
        if !l.trim().is_empty() && indent(l) <= def_indent {
            break;
        }
        end += 1;
    }
    while end > at + 1 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    Some((at, lines[at..end].to_vec()))
}

/// A mutant's first and last line in the source and what changed.
fn locate(key: &str, source: Option<&str>, mutated: Option<&str>) -> (u32, u32, String) {
    let Some((mangled, class, function)) = names(key) else {
        return (0, 0, format!("mutant {key}"));
    };
    let in_words = match &class {
        Some(c) => format!("{c}.{function}"),
        None => function.clone(),
    };
    let fallback = format!("a mutation in {in_words}");
    let Some(source) = source else {
        return (0, 0, fallback);
    };
    let source_lines: Vec<&str> = source.lines().collect();
    let Some((def_at, def_block)) = block(&source_lines, class.as_deref(), &function) else {
        return (0, 0, fallback);
    };
    let def_line = u32::try_from(def_at + 1).unwrap_or(u32::MAX);
    let end_line = def_line.saturating_add(
        u32::try_from(def_block.len())
            .unwrap_or(0)
            .saturating_sub(1),
    );
    let Some(mutated) = mutated else {
        return (def_line, end_line, fallback);
    };
    let mutated_lines: Vec<&str> = mutated.lines().collect();
    let mutant_name = match key.rsplit_once("__mutmut_") {
        Some((_, n)) => format!("{mangled}__mutmut_{n}"),
        None => return (def_line, end_line, fallback),
    };
    let orig_name = format!("{mangled}__mutmut_orig");
    // Both copies live where the original did: at module level, or in the class.
    let (Some((_, orig)), Some((_, mutant))) = (
        block(&mutated_lines, class.as_deref(), &orig_name),
        block(&mutated_lines, class.as_deref(), &mutant_name),
    ) else {
        return (def_line, end_line, fallback);
    };
    let differs = (0..orig.len().max(mutant.len())).find(|&i| {
        let a = orig
            .get(i)
            .map(|l| l.replace(&orig_name, ""))
            .unwrap_or_default();
        let b = mutant
            .get(i)
            .map(|l| l.replace(&mutant_name, ""))
            .unwrap_or_default();
        a != b
    });
    match differs {
        Some(i) => {
            let before = orig.get(i).map(|l| l.replace(&orig_name, &function));
            let after = mutant.get(i).map(|l| l.replace(&mutant_name, &function));
            let line = def_line.saturating_add(u32::try_from(i).unwrap_or(0));
            let description = match (before, after) {
                (Some(b), Some(a)) => format!("`{}` → `{}`", b.trim(), a.trim()),
                (Some(b), None) => format!("`{}` removed", b.trim()),
                (None, Some(a)) => format!("`{}` added", a.trim()),
                (None, None) => fallback,
            };
            (line, line, description)
        }
        None => (def_line, end_line, fallback),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_map_as_mutmut_names_them() {
        let cases = [
            (Some(1), "killed", MutantStatus::Killed),
            (Some(3), "killed", MutantStatus::Killed),
            (Some(0), "survived", MutantStatus::Survived),
            (Some(33), "no tests", MutantStatus::NoCoverage),
            (Some(5), "no tests", MutantStatus::NoCoverage),
            (Some(36), "timeout", MutantStatus::Timeout),
            (Some(-24), "timeout", MutantStatus::Timeout),
            (Some(37), "caught by type check", MutantStatus::CompileError),
            (Some(34), "skipped", MutantStatus::Ignored),
            (Some(-11), "segfault", MutantStatus::RuntimeError),
            (Some(35), "suspicious", MutantStatus::RuntimeError),
            (Some(77), "suspicious", MutantStatus::RuntimeError),
            (
                Some(2),
                "check was interrupted by user",
                MutantStatus::Pending,
            ),
            (None, "not checked", MutantStatus::Pending),
        ];
        for (code, expected_word, expected_status) in cases {
            assert_eq!(word(code), expected_word, "{code:?}");
            assert_eq!(status(word(code)), expected_status, "{code:?}");
        }
    }

    #[test]
    fn mutant_names_give_class_and_function() {
        assert_eq!(
            names("pkg.mod.x_add__mutmut_3"),
            Some(("x_add".into(), None, "add".into()))
        );
        assert_eq!(
            names("pkg.xǁCounterǁ__init____mutmut_1"),
            Some((
                "xǁCounterǁ__init__".into(),
                Some("Counter".into()),
                "__init__".into()
            ))
        );
        assert_eq!(names("nonsense"), None);
    }

    #[test]
    fn a_mutant_is_located_by_comparing_the_mutated_copy() {
        let source = "import os\n\n\nclass Counter:\n    def bump(self, step=1):\n        self.count += step\n        return self.count\n";
        let mutated = "class Counter:\n    def bump(self, step=1):\n        self.count += step\n        return self.count\n    def xǁCounterǁbump__mutmut_orig(self, step=1):\n        self.count += step\n        return self.count\n    def xǁCounterǁbump__mutmut_2(self, step=1):\n        self.count = step\n        return self.count\n";
        let (line, end, description) =
            locate("m.xǁCounterǁbump__mutmut_2", Some(source), Some(mutated));
        assert_eq!((line, end), (6, 6));
        assert_eq!(description, "`self.count += step` → `self.count = step`");
        // Without the mutated copy: the function's lines.
        let (line, end, description) = locate("m.xǁCounterǁbump__mutmut_2", Some(source), None);
        assert_eq!((line, end), (5, 7));
        assert_eq!(description, "a mutation in Counter.bump");
    }

    #[test]
    fn a_non_integer_exit_code_names_the_mutant() {
        let err = parse_meta(
            br#"{"exit_code_by_key": {"m.x_f__mutmut_1": "yes"}}"#,
            "a.py.meta",
            "mutants/a.py.meta",
        )
        .unwrap_err();
        assert_eq!(err.field, "/exit_code_by_key/m.x_f__mutmut_1");
        assert!(parse_meta(b"{}", "a.py.meta", "mutants/a.py.meta").is_err());
    }

    #[test]
    fn meta_paths_name_their_sources() {
        assert_eq!(source_of_meta("mutants/src/a.py.meta"), "src/a.py");
        assert_eq!(source_of_meta("./mutants/b.py.meta"), "b.py");
    }
}
