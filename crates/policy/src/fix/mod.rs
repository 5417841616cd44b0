//! `audit --fix`: safe, mechanical repairs of what the audit reports, one
//! file per fix:
//! - [`artipacked`]: `persist-credentials: false` on a checkout whose job
//!   does not use the persisted credentials later;
//! - [`template_injection`]: an expression expanded into a `run:` script
//!   moves into the step's `env:` and the script reads the variable;
//! - [`excessive_permissions`]: `permissions: {contents: read}` on a job
//!   that receives the default token and whose steps certainly need no
//!   more.
//!
//! SHA pins are not among them: they need the network, which the audit
//! never touches; `ci-intel-policy pin` rewrites them (see docs/policy.md).
//!
//! Every fix is an edit of the text that keeps every other byte (comments,
//! indentation, line endings), and is applied only when it checks out: the
//! edited file parses to the same document as before plus exactly the
//! intended change, the audit no longer reports the findings it fixes, and
//! no rule reports more findings than before. A fix that fails the check is not applied and is
//! reported as such. Fixes are applied one at a time, each on the text the
//! previous one left, so they never overlap.

pub mod artipacked;
pub mod excessive_permissions;
pub mod template_injection;
pub mod text;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use ci_intel_core::findings::fingerprint;
use ci_intel_core::{ExitCode, Failure, Finding, Report, RunnerEnv, Severity};

use crate::audit::model::{Ctx, DocKind, Step};
use crate::audit::source::Source;
use crate::audit::yaml::{self, Kind, Node, Pos};
use crate::audit::{self, Options};
use text::{Edit, Text};

/// What `--fix` does with the repairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FixMode {
    /// Print the repairs as a unified diff (`git apply` / `patch -p1` input).
    Diff,
    /// Write the repaired files in place.
    Write,
}

/// One step of a path into the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A change to the document that a fix intends: the check compares the
/// edited file with the original plus exactly these.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A new `key: value` in the mapping at `at`.
    Insert {
        at: Vec<Seg>,
        key: String,
        value: Node,
    },
    /// The scalar at `at` gets the text `value` (same style).
    SetScalar { at: Vec<Seg>, value: String },
}

/// A repair a fix proposes.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub rule: &'static str,
    /// Where, for the report (1-based line).
    pub line: u32,
    /// What it does, for the report.
    pub what: String,
    /// Fingerprints of the findings it must make disappear.
    pub fixes: Vec<String>,
    pub edits: Vec<Edit>,
    pub changes: Vec<Change>,
}

/// A finding a fix declines to repair, and why.
#[derive(Debug, Clone)]
pub struct Skip {
    pub rule: &'static str,
    pub line: u32,
    pub fingerprint: String,
    pub why: String,
}

/// What a fix makes of one finding (or of several that one edit repairs).
#[derive(Debug, Clone)]
pub enum Outcome {
    Fix(Proposal),
    Skip(Skip),
}

impl Outcome {
    fn fingerprints(&self) -> Vec<&str> {
        match self {
            Outcome::Fix(p) => p.fixes.iter().map(String::as_str).collect(),
            Outcome::Skip(s) => vec![s.fingerprint.as_str()],
        }
    }
}

/// What a fix reads: the parsed file, its text, and the audit's findings.
#[derive(Debug)]
pub struct FixCtx<'a> {
    pub ctx: &'a Ctx<'a>,
    pub text: &'a Text<'a>,
    /// The findings the audit reports (ignore comments honoured).
    pub findings: &'a [Finding],
    /// The document's indentation step.
    pub unit: usize,
}

impl FixCtx<'_> {
    /// The reported finding of `rule` about `subject`, if any.
    pub fn flagged(&self, rule: &str, subject: &str) -> Option<&Finding> {
        let fp = fingerprint(rule, self.ctx.file, subject);
        self.findings.iter().find(|f| f.fingerprint == fp)
    }

    /// The path of a step in the document.
    pub fn step_path(&self, step: &Step<'_>) -> Vec<Seg> {
        match step.job {
            Some(job) => vec![
                Seg::Key("jobs".into()),
                Seg::Key(job.into()),
                Seg::Key("steps".into()),
                Seg::Index(step.index),
            ],
            None => vec![
                Seg::Key("runs".into()),
                Seg::Key("steps".into()),
                Seg::Index(step.index),
            ],
        }
    }
}

type Fixer = fn(&FixCtx<'_>) -> Vec<Outcome>;

/// Every fix, in the order they are tried.
pub const FIXERS: &[(&str, Fixer)] = &[
    ("artipacked", artipacked::propose),
    ("template-injection", template_injection::propose),
    ("excessive-permissions", excessive_permissions::propose),
];

/// One line of the fix report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub rule: String,
    pub line: u32,
    pub message: String,
}

/// What fixing one file did.
#[derive(Debug, Clone)]
pub struct FileFix {
    pub display: String,
    pub original: String,
    pub fixed: String,
    pub applied: Vec<Note>,
    /// Findings a fix looked at and left, with the reason.
    pub refused: Vec<Note>,
    /// The audit's findings on the fixed text.
    pub remaining: Vec<Finding>,
}

impl FileFix {
    pub fn changed(&self) -> bool {
        self.original != self.fixed
    }

    /// The change as a unified diff (`a/FILE`, `b/FILE`); empty when none.
    pub fn diff(&self) -> String {
        if !self.changed() {
            return String::new();
        }
        similar::TextDiff::from_lines(&self.original, &self.fixed)
            .unified_diff()
            .context_radius(3)
            .header(&side("a", &self.display), &side("b", &self.display))
            .to_string()
    }
}

/// `a/FILE` for a relative path (what `git apply` and `patch -p1` read);
/// an absolute path as it is.
fn side(prefix: &str, display: &str) -> String {
    if display.starts_with('/') {
        display.to_owned()
    } else {
        format!("{prefix}/{display}")
    }
}

/// At most this many repairs are tried in one file.
const MAX_ATTEMPTS: usize = 500;

/// Fix one file's text. Never panics; a file that does not parse (strictly)
/// is left as it is.
pub fn fix_text(display: &str, original: &str, kind: Option<DocKind>, opts: &Options) -> FileFix {
    let (bom, start) = match original.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", original),
    };
    let mut body = start.to_owned();
    let mut applied = Vec::new();
    let mut refused = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut findings = audit::audit_file(display, &body, kind, opts).findings;
    for _ in 0..MAX_ATTEMPTS {
        let Ok(Some(doc)) = yaml::load(&body) else {
            break;
        };
        let Some(text) = Text::new(&body) else { break };
        let src = Source::new(&body);
        let kind = kind.unwrap_or_else(|| audit::sniff(&doc));
        let ctx = Ctx {
            file: display,
            src: &src,
            doc: &doc,
            kind,
            opts,
            parsed: Default::default(),
            commands: Default::default(),
        };
        let cx = FixCtx {
            ctx: &ctx,
            text: &text,
            findings: &findings,
            unit: text::indent_unit(&doc),
        };
        let next = FIXERS
            .iter()
            .filter(|(rule, _)| findings.iter().any(|f| f.rule_id == *rule))
            .flat_map(|(_, fixer)| fixer(&cx))
            .find(|o| o.fingerprints().iter().any(|fp| !seen.contains(*fp)));
        let Some(next) = next else { break };
        seen.extend(next.fingerprints().into_iter().map(str::to_owned));
        match next {
            Outcome::Skip(skip) => refused.push(Note {
                rule: skip.rule.to_owned(),
                line: skip.line,
                message: skip.why,
            }),
            Outcome::Fix(proposal) => {
                match verify(display, &body, &doc, kind, &findings, &proposal, opts) {
                    Ok((new, after)) => {
                        applied.push(Note {
                            rule: proposal.rule.to_owned(),
                            line: proposal.line,
                            message: proposal.what,
                        });
                        body = new;
                        findings = after;
                    }
                    Err(why) => refused.push(Note {
                        rule: proposal.rule.to_owned(),
                        line: proposal.line,
                        message: format!("{} was not applied: {why}", proposal.what),
                    }),
                }
            }
        }
    }
    FileFix {
        display: display.to_owned(),
        original: original.to_owned(),
        fixed: format!("{bom}{body}"),
        applied,
        refused,
        remaining: findings,
    }
}

/// Apply a proposal and check it: the result, with its findings, or why
/// it is refused.
fn verify(
    display: &str,
    body: &str,
    doc: &Node,
    kind: DocKind,
    before: &[Finding],
    proposal: &Proposal,
    opts: &Options,
) -> Result<(String, Vec<Finding>), String> {
    let new = text::apply(body, &proposal.edits).ok_or("its edits overlap")?;
    let parsed = match yaml::load(&new) {
        Ok(Some(parsed)) => parsed,
        Ok(None) => return Err("the edited file holds no document".into()),
        Err(e) => {
            return Err(format!(
                "the edited file would not parse ({} at line {})",
                e.message, e.line
            ));
        }
    };
    let mut expected = shape(doc);
    for change in &proposal.changes {
        apply_change(&mut expected, change)?;
    }
    if shape(&parsed) != shape(&expected) {
        let aliases = has_alias(doc);
        return Err(format!(
            "the edited file would not read as the same document plus the intended change{}",
            if aliases {
                " (the file reuses nodes through YAML anchors and aliases: the edit would change every copy)"
            } else {
                ""
            }
        ));
    }
    let after = audit::audit_file(display, &new, Some(kind), opts).findings;
    if let Some(left) = after
        .iter()
        .find(|f| proposal.fixes.contains(&f.fingerprint))
    {
        return Err(format!(
            "the audit still reports `{}` ({})",
            left.rule_id, left.message
        ));
    }
    // Nothing new: no rule reports more than before. (Counted per rule, not
    // by fingerprint: a finding whose subject quotes the edited text, such
    // as a command line, is the same finding under a new fingerprint.)
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for f in before {
        *counts.entry(f.rule_id.as_str()).or_default() += 1;
    }
    for f in &after {
        match counts.get_mut(f.rule_id.as_str()) {
            Some(n) if *n > 0 => *n -= 1,
            _ => {
                return Err(format!(
                    "the audit would report something new: `{}` ({})",
                    f.rule_id, f.message
                ));
            }
        }
    }
    Ok((new, after))
}

/// The document without positions, mapping entries in key order (GitHub
/// gives key order no meaning): what two texts must share to mean the same.
pub fn shape(node: &Node) -> Node {
    let kind = match &node.kind {
        Kind::Scalar { .. } => node.kind.clone(),
        Kind::Seq(items) => Kind::Seq(items.iter().map(shape).collect()),
        Kind::Map(entries) => {
            let mut entries: Vec<(Node, Node)> =
                entries.iter().map(|(k, v)| (shape(k), shape(v))).collect();
            entries.sort_by(|a, b| format!("{:?}", a.0.kind).cmp(&format!("{:?}", b.0.kind)));
            Kind::Map(entries)
        }
    };
    Node {
        kind,
        pos: Pos::default(),
        origin: None,
    }
}

/// True when a node of the document is written as an alias (`*name`).
fn has_alias(doc: &Node) -> bool {
    let mut stack = vec![doc];
    while let Some(node) = stack.pop() {
        if node.origin.is_some() {
            return true;
        }
        match &node.kind {
            Kind::Scalar { .. } => {}
            Kind::Seq(items) => stack.extend(items),
            Kind::Map(entries) => {
                for (k, v) in entries {
                    stack.push(k);
                    stack.push(v);
                }
            }
        }
    }
    false
}

fn node_at<'n>(root: &'n mut Node, at: &[Seg]) -> Option<&'n mut Node> {
    let mut node = root;
    for seg in at {
        node = match (seg, &mut node.kind) {
            (Seg::Key(key), Kind::Map(entries)) => entries
                .iter_mut()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v)?,
            (Seg::Index(i), Kind::Seq(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(node)
}

fn apply_change(root: &mut Node, change: &Change) -> Result<(), String> {
    match change {
        Change::Insert { at, key, value } => {
            let node = node_at(root, at).ok_or("the place it edits is gone")?;
            let Kind::Map(entries) = &mut node.kind else {
                return Err("it expected a mapping".into());
            };
            if entries.iter().any(|(k, _)| k.as_str() == Some(key)) {
                return Err(format!("`{key}` is already set"));
            }
            entries.push((plain(key), value.clone()));
            Ok(())
        }
        Change::SetScalar { at, value } => {
            let node = node_at(root, at).ok_or("the place it edits is gone")?;
            match &mut node.kind {
                Kind::Scalar { value: v, .. } => {
                    *v = value.clone();
                    Ok(())
                }
                _ => Err("it expected a scalar".into()),
            }
        }
    }
}

/// A plain scalar node.
pub fn plain(text: &str) -> Node {
    Node {
        kind: Kind::Scalar {
            value: text.to_owned(),
            plain: true,
        },
        pos: Pos::default(),
        origin: None,
    }
}

/// A mapping node of plain scalars.
pub fn map(entries: &[(&str, &str)]) -> Node {
    Node {
        kind: Kind::Map(entries.iter().map(|(k, v)| (plain(k), plain(v))).collect()),
        pos: Pos::default(),
        origin: None,
    }
}

/// The fixes of one run, over many files.
#[derive(Debug, Default)]
pub struct FixRun {
    /// Each file's path and what fixing it did.
    pub files: Vec<(PathBuf, FileFix)>,
    /// Findings of files that could not be read as text (left as they are).
    pub other: Vec<Finding>,
}

/// Fix every file `paths` lead to (as `audit` finds them).
pub fn fix_paths(paths: &[PathBuf], opts: &Options) -> Result<(usize, FixRun), Failure> {
    let targets = audit::discover(paths)?;
    let targets: Vec<_> = targets
        .into_iter()
        .filter(|t| !opts.excluded(&t.display))
        .collect();
    // Files are independent: fixed in parallel, as the audit reads them.
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = targets.len().div_ceil(workers).max(1);
    let parts: Vec<Result<FixRun, Failure>> = std::thread::scope(|scope| {
        let handles: Vec<_> = targets
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut run = FixRun::default();
                    for target in part {
                        let bytes = std::fs::read(&target.path).map_err(|e| {
                            Failure::infra(format!("cannot read {}: {e}", target.path.display()))
                        })?;
                        match std::str::from_utf8(&bytes) {
                            Ok(text) => run.files.push((
                                target.path.clone(),
                                fix_text(&target.display, text, target.kind, opts),
                            )),
                            Err(_) => run.other.extend(
                                audit::audit_bytes(&target.display, &bytes, target.kind, opts)
                                    .findings,
                            ),
                        }
                    }
                    Ok(run)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Failure::infra("a fix worker panicked")))
            })
            .collect()
    });
    let mut run = FixRun::default();
    for part in parts {
        let part = part?;
        run.files.extend(part.files);
        run.other.extend(part.other);
    }
    Ok((targets.len(), run))
}

/// `ci-intel-policy audit --fix[=write]`: the diff (or the written files),
/// a report of what was fixed and what was left on standard error, and the
/// verdict of what is left.
pub fn run_cli(
    paths: &[PathBuf],
    mode: FixMode,
    opts: &Options,
    fail_on: Severity,
    allow_empty: bool,
    env: &RunnerEnv,
) -> Result<ExitCode, Failure> {
    let (files, run) = fix_paths(paths, opts)?;
    if files == 0 {
        eprintln!(
            "{}: no workflow, action or dependabot.yml found to fix{}",
            crate::TOOL,
            if allow_empty { " (--allow-empty)" } else { "" }
        );
        env.set_output("result", if allow_empty { "warn" } else { "deny" })?;
        return Ok(if allow_empty {
            ExitCode::Pass
        } else {
            ExitCode::Deny
        });
    }
    let mut fixed = 0usize;
    let mut changed = 0usize;
    let mut remaining = run.other.clone();
    for (path, file) in &run.files {
        for note in &file.applied {
            eprintln!(
                "fixed: {}:{}: [{}] {}",
                file.display, note.line, note.rule, note.message
            );
        }
        for note in &file.refused {
            eprintln!(
                "not fixed: {}:{}: [{}] {}",
                file.display, note.line, note.rule, note.message
            );
        }
        fixed += file.applied.len();
        remaining.extend(file.remaining.iter().cloned());
        if !file.changed() {
            continue;
        }
        changed += 1;
        match mode {
            FixMode::Diff => print!("{}", file.diff()),
            FixMode::Write => {
                std::fs::write(path, &file.fixed)
                    .map_err(|e| Failure::infra(format!("cannot write {}: {e}", path.display())))?;
            }
        }
    }
    let unpinned = remaining
        .iter()
        .filter(|f| f.rule_id == "unpinned-uses")
        .count();
    if unpinned > 0 {
        eprintln!(
            "{unpinned} `unpinned-uses` finding(s) are left to `ci-intel-policy pin`, which resolves references over the network and writes the SHAs with version comments"
        );
    }
    let report = Report::new(audit::tool_info(), audit::rule_metas(), remaining.clone());
    let verdict = report.verdict(fail_on);
    let done = match mode {
        FixMode::Diff => "in the diff",
        FixMode::Write => "written",
    };
    eprintln!(
        "{} audit --fix: {fixed} fix(es) in {changed} file(s) {done}; {} finding(s) left in {files} file(s) (failing at {fail_on}): {}",
        crate::TOOL,
        remaining.len(),
        verdict.as_str()
    );
    env.set_output("result", verdict.as_str())?;
    env.set_output("findings", &remaining.len().to_string())?;
    env.set_output("fixes", &fixed.to_string())?;
    Ok(verdict.exit_code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Persona;

    const TEXT: &str =
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make\n";

    fn check(edits: Vec<Edit>, changes: Vec<Change>) -> Result<(String, Vec<Finding>), String> {
        let opts = Options::defaults(Persona::Regular);
        let doc = yaml::load(TEXT).unwrap().unwrap();
        let before = audit::audit_file("w.yml", TEXT, None, &opts).findings;
        let fixes = before
            .iter()
            .filter(|f| f.rule_id == "excessive-permissions")
            .map(|f| f.fingerprint.clone())
            .collect();
        let proposal = Proposal {
            rule: "excessive-permissions",
            line: 3,
            what: "test".into(),
            fixes,
            edits,
            changes,
        };
        verify(
            "w.yml",
            TEXT,
            &doc,
            DocKind::Workflow,
            &before,
            &proposal,
            &opts,
        )
    }

    fn permissions(value: &str) -> Change {
        Change::Insert {
            at: vec![Seg::Key("jobs".into()), Seg::Key("a".into())],
            key: "permissions".into(),
            value: map(&[("contents", value)]),
        }
    }

    #[test]
    fn a_repair_is_kept_only_when_the_file_reads_as_intended() {
        let at = TEXT.find("    runs-on").unwrap();
        let good = Edit::insert(at, "    permissions:\n      contents: read\n");
        assert!(check(vec![good.clone()], vec![permissions("read")]).is_ok());
        // The text says one thing, the intended change another.
        let err = check(vec![good.clone()], vec![permissions("write")]).unwrap_err();
        assert!(err.contains("same document"), "{err}");
        // An edit that also changes something else.
        let also = Edit {
            start: TEXT.find("make").unwrap(),
            end: TEXT.find("make").unwrap() + 4,
            text: "make all".into(),
        };
        let err = check(vec![good, also], vec![permissions("read")]).unwrap_err();
        assert!(err.contains("same document"), "{err}");
        // An edit that breaks the YAML.
        let broken = Edit::insert(at, "    permissions: [\n");
        let err = check(vec![broken], vec![permissions("read")]).unwrap_err();
        assert!(err.contains("would not parse"), "{err}");
        // An edit that leaves the finding in place.
        let err = check(Vec::new(), Vec::new()).unwrap_err();
        assert!(err.contains("still reports"), "{err}");
    }
}
