//! Comparing two output trees, two manifests or two files, and the report
//! (JSON for evidence, Markdown for the step summary).

use std::path::{Path, PathBuf};

use ci_intel_core::Failure;
use ci_intel_manifest::{
    Change, DiffOptions, Manifest, Options, manifest_of_roots, parse_manifest,
};
use serde::Serialize;

use crate::diffoscope::{self, Diffoscope};
use crate::formats::{self, Detail};

pub const REPORT_SCHEMA: &str = "https://ci-intel.dev/schemas/repro-report/v1";

/// One differing file.
#[derive(Debug, Clone, Serialize)]
pub struct FileDifference {
    pub path: String,
    pub change: Change,
    /// `elf`, `zip`, `tar`, `gzip`, `text`, `binary`, or empty when only one
    /// side has the file.
    pub format: String,
    pub details: Vec<Detail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_diff: Option<String>,
    pub ordering_only: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diffoscope: Option<Diffoscope>,
}

/// What a comparison found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    /// `allow` when identical, `deny` otherwise.
    pub verdict: &'static str,
    pub a: String,
    pub b: String,
    pub root_digest_a: String,
    pub root_digest_b: String,
    pub files: u64,
    pub differences: Vec<FileDifference>,
    /// What the double build did (run only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<serde_json::Value>,
    /// Things the reader should know (a variation that could not apply).
    pub notes: Vec<String>,
}

impl Report {
    pub fn identical(&self) -> bool {
        self.differences.is_empty()
    }
}

/// How to compare.
#[derive(Debug, Clone)]
pub struct CompareOptions {
    pub modes: bool,
    /// Run diffoscope on each differing file pair, each bounded by this.
    pub diffoscope: Option<(PathBuf, std::time::Duration)>,
    /// At most this many differing files get a format-aware explanation
    /// and a diffoscope run.
    pub explain_limit: usize,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            modes: true,
            diffoscope: None,
            explain_limit: 50,
        }
    }
}

enum Side {
    Tree(PathBuf, Manifest),
    Manifest(Manifest),
    File(PathBuf),
}

fn open(path: &Path) -> Result<Side, Failure> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Failure::infra(format!("cannot read {}: {e}", path.display())))?;
    if meta.is_dir() {
        let manifest = manifest_of_roots(
            &[path.to_path_buf()],
            &Options {
                allow_external_symlinks: true,
                ..Options::default()
            },
        )?;
        return Ok(Side::Tree(path.to_path_buf(), manifest));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::infra(format!("cannot read {}: {e}", path.display())))?;
    if bytes.starts_with(b"{")
        && let Ok(manifest) = parse_manifest(&bytes)
    {
        return Ok(Side::Manifest(manifest));
    }
    Ok(Side::File(path.to_path_buf()))
}

/// Compare `a` and `b`: two directories (every file), two manifests (or a
/// manifest and a directory), or two files.
pub fn compare(a: &Path, b: &Path, options: &CompareOptions) -> Result<Report, Failure> {
    let (sa, sb) = (open(a)?, open(b)?);
    match (sa, sb) {
        (Side::File(fa), Side::File(fb)) => compare_files(&fa, &fb, options),
        (Side::File(_), _) | (_, Side::File(_)) => Err(Failure::usage(format!(
            "compare {} with {}: give two directories, two manifests (or a manifest and a directory), or two files",
            a.display(),
            b.display()
        ))),
        (sa, sb) => {
            let (ma, ta) = split(sa);
            let (mb, tb) = split(sb);
            Ok(compare_manifests(
                a,
                b,
                &ma,
                &mb,
                ta.as_deref(),
                tb.as_deref(),
                options,
            ))
        }
    }
}

fn split(side: Side) -> (Manifest, Option<PathBuf>) {
    match side {
        Side::Tree(path, manifest) => (manifest, Some(path)),
        Side::Manifest(manifest) => (manifest, None),
        Side::File(_) => unreachable_file(),
    }
}

#[allow(clippy::panic)]
fn unreachable_file() -> (Manifest, Option<PathBuf>) {
    // `compare` handles files before splitting.
    (
        Manifest::new(vec![String::new()], Vec::new(), Default::default()),
        None,
    )
}

/// Compare two manifests; where both trees are on disk, explain each
/// differing file.
pub fn compare_manifests(
    a: &Path,
    b: &Path,
    ma: &Manifest,
    mb: &Manifest,
    tree_a: Option<&Path>,
    tree_b: Option<&Path>,
    options: &CompareOptions,
) -> Report {
    let differences = ci_intel_manifest::diff(
        ma,
        mb,
        &DiffOptions {
            modes: options.modes,
        },
    );
    let mut files = Vec::new();
    for (index, d) in differences.into_iter().enumerate() {
        let mut file = FileDifference {
            path: d.path.clone(),
            change: d.change,
            format: String::new(),
            details: Vec::new(),
            text_diff: None,
            ordering_only: false,
            diffoscope: None,
        };
        let explainable = index < options.explain_limit && d.change == Change::Content;
        if let (true, Some(ta), Some(tb)) = (explainable, tree_a, tree_b) {
            let (pa, pb) = (ta.join(&d.path), tb.join(&d.path));
            if let (Ok(ba), Ok(bb)) = (std::fs::read(&pa), std::fs::read(&pb)) {
                let explanation = formats::explain(&d.path, &ba, &bb);
                file.format = explanation.format.to_owned();
                file.details = explanation.details;
                file.text_diff = explanation.text_diff;
                file.ordering_only = explanation.ordering_only;
            }
            if let Some((program, timeout)) = &options.diffoscope {
                file.diffoscope = Some(diffoscope::run(program, &pa, &pb, *timeout));
            }
        } else {
            file.details.push(Detail {
                location: String::new(),
                what: d.change.as_str().to_owned(),
                a: d.expected.clone(),
                b: d.actual.clone(),
            });
        }
        files.push(file);
    }
    Report {
        schema: REPORT_SCHEMA,
        verdict: if files.is_empty() { "allow" } else { "deny" },
        a: a.display().to_string(),
        b: b.display().to_string(),
        root_digest_a: ma.root_digest.clone(),
        root_digest_b: mb.root_digest.clone(),
        files: ma.files.max(mb.files),
        differences: files,
        build: None,
        notes: Vec::new(),
    }
}

/// Two single files.
pub fn compare_files(a: &Path, b: &Path, options: &CompareOptions) -> Result<Report, Failure> {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|e| Failure::infra(format!("cannot read {}: {e}", p.display())))
    };
    let (ba, bb) = (read(a)?, read(b)?);
    let name = b
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut differences = Vec::new();
    if ba != bb {
        let explanation = formats::explain(&name, &ba, &bb);
        differences.push(FileDifference {
            path: name,
            change: Change::Content,
            format: explanation.format.to_owned(),
            details: explanation.details,
            text_diff: explanation.text_diff,
            ordering_only: explanation.ordering_only,
            diffoscope: options
                .diffoscope
                .as_ref()
                .map(|(program, timeout)| diffoscope::run(program, a, b, *timeout)),
        });
    }
    Ok(Report {
        schema: REPORT_SCHEMA,
        verdict: if differences.is_empty() {
            "allow"
        } else {
            "deny"
        },
        a: a.display().to_string(),
        b: b.display().to_string(),
        root_digest_a: blake3::hash(&ba).to_hex().to_string(),
        root_digest_b: blake3::hash(&bb).to_hex().to_string(),
        files: 1,
        differences,
        build: None,
        notes: Vec::new(),
    })
}

fn md(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', " ")
}

/// The report as Markdown (the step summary).
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    if report.identical() {
        out.push_str(&format!(
            "### ci-intel-repro: reproducible\n\n{} file(s) identical (root {}).\n",
            report.files, report.root_digest_a
        ));
    } else {
        out.push_str(&format!(
            "### ci-intel-repro: NOT reproducible\n\n{} differing file(s) between `{}` and `{}`.\n\n| file | change | format | where | what |\n|---|---|---|---|---|\n",
            report.differences.len(),
            md(&report.a),
            md(&report.b)
        ));
        for file in &report.differences {
            let first = file.details.iter().take(8);
            let mut any = false;
            for d in first {
                any = true;
                out.push_str(&format!(
                    "| `{}` | {} | {} | {} | {}{} |\n",
                    md(&file.path),
                    file.change.as_str(),
                    file.format,
                    md(&d.location),
                    md(&d.what),
                    match (&d.a, &d.b) {
                        (Some(a), Some(b)) => format!(": {} → {}", md(a), md(b)),
                        (None, Some(b)) => format!(": {}", md(b)),
                        (Some(a), None) => format!(": {}", md(a)),
                        (None, None) => String::new(),
                    }
                ));
            }
            if !any {
                out.push_str(&format!(
                    "| `{}` | {} | {} | | |\n",
                    md(&file.path),
                    file.change.as_str(),
                    file.format
                ));
            }
        }
        for file in report
            .differences
            .iter()
            .filter(|f| f.text_diff.is_some())
            .take(5)
        {
            out.push_str(&format!(
                "\n<details><summary>{}</summary>\n\n```diff\n{}\n```\n</details>\n",
                md(&file.path),
                file.text_diff
                    .as_deref()
                    .unwrap_or("")
                    .replace("```", "'''")
            ));
        }
    }
    for note in &report.notes {
        out.push_str(&format!("\n> {}\n", md(note)));
    }
    out
}

/// The report for a terminal.
pub fn human(report: &Report) -> String {
    let mut out = String::new();
    if report.identical() {
        out.push_str(&format!(
            "reproducible: {} file(s) identical, root {}\n",
            report.files, report.root_digest_a
        ));
    }
    for file in &report.differences {
        out.push_str(&format!(
            "DIFFERS {} ({}, {})\n",
            file.path,
            file.change.as_str(),
            if file.format.is_empty() {
                "-"
            } else {
                &file.format
            }
        ));
        for d in &file.details {
            out.push_str(&format!(
                "  {}{}{}\n",
                if d.location.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", d.location)
                },
                d.what,
                match (&d.a, &d.b) {
                    (Some(a), Some(b)) => format!(" {a} -> {b}"),
                    (None, Some(b)) => format!(" {b}"),
                    (Some(a), None) => format!(" {a}"),
                    (None, None) => String::new(),
                }
            ));
        }
        if let Some(diff) = &file.text_diff {
            for line in diff.lines().take(40) {
                out.push_str(&format!("    {line}\n"));
            }
        }
        if let Some(d) = &file.diffoscope {
            out.push_str(&format!("  diffoscope: {}\n", d.summary()));
        }
    }
    for note in &report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}
