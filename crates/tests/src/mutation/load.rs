//! Which reader a path needs.
//!
//! - a folder with `outcomes.json`: cargo-mutants' `mutants.out/` (with
//!   `mutants.json` beside it, a run that stopped early is partial);
//! - a folder with `.meta` files below a `mutants/` folder (or that folder
//!   itself): mutmut;
//! - a folder with `mutations.xml`: PIT's report folder;
//! - a `.xml` file: PIT; a `.meta` file: mutmut;
//! - a `.json` file: the Stryker schema (`files`), cargo-mutants
//!   (`outcomes`) or a mutmut snapshot, told apart by their keys.

use std::path::{Path, PathBuf};

use serde_json::Value;

use ci_intel_core::Failure;

use super::{MutationReport, ReadError, cargo_mutants, mutmut, pit, stryker};

/// A serde path as a JSON pointer.
pub(crate) fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&super::pointer_key(key));
            }
            Segment::Enum { variant } => {
                pointer.push('/');
                pointer.push_str(&super::pointer_key(variant));
            }
            Segment::Unknown => {}
        }
    }
    pointer
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| {
        Failure::usage(format!(
            "cannot read mutation report {}: {e}; check the path",
            path.display()
        ))
    })
}

/// Read the report at `path` (a file or a tool's output folder).
pub fn load(path: &Path) -> Result<MutationReport, Failure> {
    let mut report = load_any(path)?;
    if report.files.is_empty() {
        report.files.push(path.to_path_buf());
    }
    Ok(report)
}

fn load_any(path: &Path) -> Result<MutationReport, Failure> {
    let name = path.display().to_string();
    if path.is_dir() {
        return load_dir(path, &name);
    }
    let bytes = read(path)?;
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "xml" => pit::parse(&bytes, &name).map_err(ReadError::into_failure),
        "meta" => {
            let (meta, project) = meta_location(path);
            let file = mutmut::parse_meta(&bytes, &name, &meta).map_err(ReadError::into_failure)?;
            Ok(mutmut::report(vec![file], &name, project.as_deref()))
        }
        _ => parse_json(&bytes, &name, path),
    }
}

/// A JSON report of any known kind.
pub fn parse_json(bytes: &[u8], name: &str, path: &Path) -> Result<MutationReport, Failure> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        Failure::usage(format!(
            "{name}: not a mutation report: not JSON ({e}); expected a Stryker report, cargo-mutants outcomes.json, mutmut output or PIT mutations.xml"
        ))
    })?;
    if value.get("files").is_some() {
        return stryker::parse(bytes, name).map_err(ReadError::into_failure);
    }
    if value.get("outcomes").is_some() {
        let mut report =
            cargo_mutants::parse_outcomes(bytes, name).map_err(ReadError::into_failure)?;
        report.files.push(path.to_path_buf());
        if let Some(dir) = path.parent() {
            mark_partial_from(&mut report, dir)?;
        }
        return Ok(report);
    }
    if value.get("exit_code_by_key").is_some() {
        let (meta, project) = meta_location(path);
        let file = mutmut::parse_meta(bytes, name, &meta).map_err(ReadError::into_failure)?;
        return Ok(mutmut::report(vec![file], name, project.as_deref()));
    }
    if mutmut::looks_like_snapshot(&value) {
        let files = mutmut::parse_snapshot(bytes, name).map_err(ReadError::into_failure)?;
        return Ok(mutmut::report(files, name, None));
    }
    Err(ReadError::new(
        name,
        "",
        "a Stryker report (`files`), cargo-mutants outcomes.json (`outcomes`) or mutmut output (`exit_code_by_key`)",
        format!(
            "an object with keys {}",
            value
                .as_object()
                .map(|m| m.keys().take(5).cloned().collect::<Vec<_>>().join(", "))
                .unwrap_or_else(|| super::describe(&value))
        ),
    )
    .into_failure())
}

fn mark_partial_from(report: &mut MutationReport, dir: &Path) -> Result<(), Failure> {
    let listed = dir.join("mutants.json");
    if listed.is_file() {
        let bytes = read(&listed)?;
        let count = cargo_mutants::count_listed(&bytes, &listed.display().to_string())
            .map_err(ReadError::into_failure)?;
        cargo_mutants::mark_partial(report, count);
        report.files.push(listed);
    }
    Ok(())
}

/// For a `.meta` file: its path from the project (`mutants/...`) and the
/// project folder (the parent of `mutants/`), when it sits in one.
fn meta_location(path: &Path) -> (String, Option<PathBuf>) {
    let components: Vec<_> = path.components().collect();
    if let Some(at) = components.iter().rposition(|c| c.as_os_str() == "mutants") {
        let project: PathBuf = components[..at].iter().collect();
        let meta: PathBuf = components[at..].iter().collect();
        let project = if project.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            project
        };
        return (meta.to_string_lossy().into_owned(), Some(project));
    }
    (
        path.file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        None,
    )
}

fn load_dir(dir: &Path, name: &str) -> Result<MutationReport, Failure> {
    let outcomes = dir.join("outcomes.json");
    if outcomes.is_file() {
        let bytes = read(&outcomes)?;
        let mut report = cargo_mutants::parse_outcomes(&bytes, &outcomes.display().to_string())
            .map_err(ReadError::into_failure)?;
        report.files.push(outcomes);
        mark_partial_from(&mut report, dir)?;
        return Ok(report);
    }
    let pit_xml = dir.join("mutations.xml");
    if pit_xml.is_file() {
        let bytes = read(&pit_xml)?;
        let mut report =
            pit::parse(&bytes, &pit_xml.display().to_string()).map_err(ReadError::into_failure)?;
        report.files.push(pit_xml);
        return Ok(report);
    }
    // mutmut: DIR/mutants/**.meta, or DIR is mutants/ itself.
    let (mutants_dir, project) = if dir.join("mutants").is_dir() {
        (dir.join("mutants"), dir.to_path_buf())
    } else if dir.file_name().is_some_and(|n| n == "mutants") {
        (
            dir.to_path_buf(),
            dir.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(".")),
        )
    } else {
        return Err(Failure::usage(format!(
            "{name}: not a mutation report folder: no outcomes.json (cargo-mutants' mutants.out), mutations.xml (PIT) or mutants/*.meta (mutmut) in it; pass the report file or the tool's output folder"
        )));
    };
    let mut metas = Vec::new();
    collect_meta(&mutants_dir, &mut metas)?;
    metas.sort();
    if metas.is_empty() {
        return Err(Failure::usage(format!(
            "{}: no mutmut .meta file in it; run `mutmut run` first, or pass another report",
            mutants_dir.display()
        )));
    }
    let mut files = Vec::new();
    let read_files = metas.clone();
    for meta in metas {
        let bytes = read(&meta)?;
        let relative = meta
            .strip_prefix(&project)
            .unwrap_or(&meta)
            .to_string_lossy()
            .into_owned();
        let file = mutmut::parse_meta(&bytes, &meta.display().to_string(), &relative)
            .map_err(ReadError::into_failure)?;
        files.push(file);
    }
    let mut report = mutmut::report(files, name, Some(&project));
    report.files = read_files;
    Ok(report)
}

fn collect_meta(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), Failure> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Failure::usage(format!("cannot list {}: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect_meta(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "meta") {
            found.push(path);
        }
    }
    Ok(())
}
