//! Fix for `template-injection` in a `run:` script: each flagged
//! `${{ expr }}` moves into the step's `env:` under a new variable named
//! after it (`${{ github.event.issue.title }}` → `GITHUB_EVENT_ISSUE_TITLE`,
//! with `_2`, `_3`... when the name is taken in the step's, job's or
//! workflow's `env:`, appears in the script, is assigned (`NAME=`, as
//! written to `$GITHUB_ENV`) in any script of the file, or is one of the
//! runner's default variables, which `env:` cannot override:
//! `${{ github.head_ref }}` → `GITHUB_HEAD_REF_2`), and the script reads
//! the variable:
//! - bash and sh: `$NAME` (`${NAME}` before a name character) where the
//!   expression stood unquoted or inside double quotes, and `"$NAME"`
//!   between the closed and reopened single quotes inside single quotes
//!   (`'a ${{ x }} b'` → `'a '"$X"' b'`, `'${{ x }}'` → `"$X"`).
//!   Unquoted stays unquoted: the shell split the expanded text into words
//!   before (`cargo build ${{ matrix.flags }}`,
//!   `for f in ${{ steps.x.outputs.files }}`) and still does, so a value
//!   that was harmless means the same; what changes is that quotes, `$`,
//!   `;` and backticks in the value are no longer shell syntax. Whether to
//!   quote it (`"$NAME"`, one word) is left to a human;
//! - pwsh and powershell: `$env:NAME` (`${env:NAME}` before a name
//!   character) inside double quotes; unquoted it is left (PowerShell read
//!   the expanded text as several arguments, a variable is one).
//!
//! The shell is the step's `shell:`, else the job's or workflow's
//! `defaults.run.shell`, else the runner's default (bash on `ubuntu-*`,
//! `macos-*` and `linux` labels, pwsh on `windows*`). Left reported but
//! unfixed: other shells (python, cmd, custom), runners whose OS the file
//! does not show, expressions inside backticks, arithmetic (`$(( ))`),
//! here-documents, PowerShell single quotes and here-strings, expressions
//! written over several lines, a YAML alias as the script, and expressions
//! in other sinks (`actions/github-script` and the other code inputs: what
//! is safe there depends on the language).

use std::collections::BTreeMap;

use super::{Change, FixCtx, Outcome, Proposal, Seg, Skip, plain};
use crate::audit::expr;
use crate::audit::model::Step;
use crate::audit::yaml::{Kind, Node};
use crate::fix::text::{self, Edit};

const RULE: &str = "template-injection";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shell {
    /// bash or sh: the same quoting.
    Posix,
    Pwsh,
}

/// Where in the script an expression stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    Unquoted,
    Double,
    Single,
}

fn shell_name(node: Option<&Node>) -> Option<Option<Shell>> {
    let name = node?.as_str().map(str::trim);
    Some(match name {
        Some("bash" | "sh") => Some(Shell::Posix),
        Some("pwsh" | "powershell") => Some(Shell::Pwsh),
        _ => None,
    })
}

/// The step's shell, when it is one whose quoting this fix knows.
fn shell_of(cx: &FixCtx<'_>, step: &Step<'_>) -> Result<Shell, String> {
    fn defaults(n: Option<&Node>) -> Option<&Node> {
        n.and_then(|n| n.get("defaults"))
            .and_then(|d| d.get("run"))
            .and_then(|r| r.get("shell"))
    }
    let explicit = shell_name(step.node.get("shell"))
        .or_else(|| shell_name(defaults(step.job_node)))
        .or_else(|| shell_name(defaults(Some(cx.ctx.doc))));
    if let Some(shell) = explicit {
        return shell.ok_or_else(|| "the step's shell is not bash, sh or pwsh".to_owned());
    }
    let Some(job) = step.job_node else {
        return Err("the step names no shell".into());
    };
    let labels: Vec<&str> = match job.get("runs-on") {
        Some(n) if n.as_str().is_some() => n.as_str().into_iter().collect(),
        Some(n) if n.is_seq() => n.items().iter().filter_map(Node::as_str).collect(),
        _ => Vec::new(),
    };
    if labels.is_empty() || labels.iter().any(|l| l.contains("${{")) {
        return Err("the runner (and so the default shell) is not known from the file".into());
    }
    let lower: Vec<String> = labels.iter().map(|l| l.to_ascii_lowercase()).collect();
    if lower.iter().any(|l| l.starts_with("windows")) {
        Ok(Shell::Pwsh)
    } else if lower
        .iter()
        .any(|l| l.starts_with("ubuntu") || l.starts_with("macos") || l == "linux")
    {
        Ok(Shell::Posix)
    } else {
        Err("the runner (and so the default shell) is not known from the file".into())
    }
}

/// Where `at` stands in a POSIX shell script, skipping the byte ranges of
/// expressions (`skip`). `Err` for what this fix does not rewrite.
fn posix_quote(script: &str, at: usize, skip: &[(usize, usize)]) -> Result<Quote, String> {
    #[derive(PartialEq)]
    enum F {
        Plain,
        Double,
        Single,
        Sub,
        Arith,
    }
    let b = script.as_bytes();
    let mut stack = vec![F::Plain];
    let mut i = 0usize;
    while i < at {
        if let Some((_, end)) = skip.iter().find(|(s, _)| *s == i) {
            i = *end;
            continue;
        }
        let c = b[i];
        let next = b.get(i + 1).copied();
        let top = stack.last().unwrap_or(&F::Plain);
        match top {
            F::Single => {
                if c == b'\'' {
                    stack.pop();
                }
            }
            F::Double => match c {
                b'\\' => i += 1,
                b'"' => {
                    stack.pop();
                }
                b'`' => return Err("it stands after a backtick substitution".into()),
                b'$' if next == Some(b'(') => {
                    if b.get(i + 2) == Some(&b'(') {
                        stack.push(F::Arith);
                        i += 1;
                    } else {
                        stack.push(F::Sub);
                    }
                    i += 1;
                }
                _ => {}
            },
            F::Plain | F::Sub | F::Arith => match c {
                b'\\' => i += 1,
                b'\'' => stack.push(F::Single),
                b'"' => stack.push(F::Double),
                b'`' => return Err("it stands after a backtick substitution".into()),
                b'<' if next == Some(b'<') && b.get(i + 2) != Some(&b'<') => {
                    return Err("the script has a here-document".into());
                }
                b'<' if next == Some(b'<') => i += 2,
                b'#' if i == 0
                    || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b';' | b'|' | b'&' | b'(') =>
                {
                    while i < at && b[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'$' if next == Some(b'\'') => {
                    return Err("it stands after a `$'...'` string".into());
                }
                b'$' if next == Some(b'(') => {
                    if b.get(i + 2) == Some(&b'(') {
                        stack.push(F::Arith);
                        i += 1;
                    } else {
                        stack.push(F::Sub);
                    }
                    i += 1;
                }
                b'(' if next == Some(b'(') => {
                    stack.push(F::Arith);
                    i += 1;
                }
                b')' if *top == F::Sub => {
                    stack.pop();
                }
                b')' if *top == F::Arith && next == Some(b')') => {
                    stack.pop();
                    i += 1;
                }
                _ => {}
            },
        }
        i += 1;
    }
    match stack.last() {
        Some(F::Plain | F::Sub) | None => Ok(Quote::Unquoted),
        Some(F::Double) => Ok(Quote::Double),
        Some(F::Single) => Ok(Quote::Single),
        Some(F::Arith) => Err("it stands in arithmetic".into()),
    }
}

/// Where `at` stands in a PowerShell script.
fn pwsh_quote(script: &str, at: usize, skip: &[(usize, usize)]) -> Result<Quote, String> {
    #[derive(PartialEq)]
    enum F {
        Plain,
        Double,
        Single,
        Sub,
    }
    let b = script.as_bytes();
    let mut stack = vec![F::Plain];
    let mut i = 0usize;
    while i < at {
        if let Some((_, end)) = skip.iter().find(|(s, _)| *s == i) {
            i = *end;
            continue;
        }
        let c = b[i];
        let next = b.get(i + 1).copied();
        let top = stack.last().unwrap_or(&F::Plain);
        match top {
            F::Single => {
                if c == b'\'' {
                    if next == Some(b'\'') {
                        i += 1;
                    } else {
                        stack.pop();
                    }
                }
            }
            F::Double => match c {
                b'`' => i += 1,
                b'"' if next == Some(b'"') => i += 1,
                b'"' => {
                    stack.pop();
                }
                b'$' if next == Some(b'(') => {
                    stack.push(F::Sub);
                    i += 1;
                }
                _ => {}
            },
            F::Plain | F::Sub => match c {
                b'`' => i += 1,
                b'\'' => stack.push(F::Single),
                b'"' => stack.push(F::Double),
                b'@' if matches!(next, Some(b'"' | b'\'')) => {
                    return Err("the script has a here-string".into());
                }
                b'<' if next == Some(b'#') => {
                    return Err("the script has a block comment".into());
                }
                b'#' => {
                    while i < at && b[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'(' if *top == F::Sub => stack.push(F::Sub),
                b')' if *top == F::Sub => {
                    stack.pop();
                }
                _ => {}
            },
        }
        i += 1;
    }
    match stack.last() {
        Some(F::Plain | F::Sub) | None => Ok(Quote::Unquoted),
        Some(F::Double) => Ok(Quote::Double),
        Some(F::Single) => Err("it stands in a single-quoted PowerShell string".into()),
    }
}

fn name_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// What replaces the expression: `with` stands for the expression and the
/// `left` and `right` bytes around it (a single quote that opened or closes
/// the string around it, so `'${{ x }}'` becomes `"$X"`, not `''"$X"''`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rewrite {
    with: String,
    left: usize,
    right: usize,
}

impl Rewrite {
    fn plain(with: String) -> Rewrite {
        Rewrite {
            with,
            left: 0,
            right: 0,
        }
    }
}

/// What replaces the expression at `at..end` of `script`.
fn replacement(
    shell: Shell,
    script: &str,
    at: usize,
    end: usize,
    skip: &[(usize, usize)],
    name: &str,
) -> Result<Rewrite, String> {
    let next = script.get(end..).and_then(|r| r.chars().next());
    let prev = script.get(..at).and_then(|r| r.chars().next_back());
    match shell {
        Shell::Posix => {
            if prev == Some('$') {
                return Err("a `$` stands right before it".into());
            }
            Ok(match posix_quote(script, at, skip)? {
                Quote::Unquoted | Quote::Double if name_char(next) => {
                    Rewrite::plain(format!("${{{name}}}"))
                }
                Quote::Unquoted | Quote::Double => Rewrite::plain(format!("${name}")),
                Quote::Single => {
                    let opens = prev == Some('\'')
                        && posix_quote(script, at - 1, skip).ok() != Some(Quote::Single);
                    let closes = next == Some('\'');
                    Rewrite {
                        with: format!(
                            "{}\"${name}\"{}",
                            if opens { "" } else { "'" },
                            if closes { "" } else { "'" }
                        ),
                        left: usize::from(opens),
                        right: usize::from(closes),
                    }
                }
            })
        }
        Shell::Pwsh => {
            let braces = next.is_some_and(|c| c.is_alphanumeric() || "_:?.[".contains(c));
            match pwsh_quote(script, at, skip)? {
                Quote::Unquoted => Err(
                    "it stands unquoted in PowerShell, which read the expanded text as several arguments; a variable is one"
                        .into(),
                ),
                Quote::Double if braces => Ok(Rewrite::plain(format!("${{env:{name}}}"))),
                Quote::Double => Ok(Rewrite::plain(format!("$env:{name}"))),
                Quote::Single => Err("it stands in a single-quoted PowerShell string".into()),
            }
        }
    }
}

/// `github.event.issue.title` → `GITHUB_EVENT_ISSUE_TITLE`.
fn base_name(inner: &str, paths: &[String]) -> String {
    let simple = inner
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    let source = if simple {
        inner
    } else {
        paths.first().map(String::as_str).unwrap_or("value")
    };
    let mut name = String::new();
    for c in source.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_uppercase());
        } else if !name.ends_with('_') {
            name.push('_');
        }
    }
    let name = name.trim_matches('_').to_owned();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("VALUE_{name}")
    } else {
        name
    }
}

/// The runner's default variables: a step's `env:` cannot override them
/// (GitHub ignores the assignment), so a new variable never takes one of
/// these names, nor a `RUNNER_` or `ACTIONS_` one.
const DEFAULT_VARIABLES: &[&str] = &[
    "CI",
    "GITHUB_ACTION",
    "GITHUB_ACTION_PATH",
    "GITHUB_ACTION_REPOSITORY",
    "GITHUB_ACTIONS",
    "GITHUB_ACTOR",
    "GITHUB_ACTOR_ID",
    "GITHUB_API_URL",
    "GITHUB_BASE_REF",
    "GITHUB_ENV",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITHUB_GRAPHQL_URL",
    "GITHUB_HEAD_REF",
    "GITHUB_JOB",
    "GITHUB_OUTPUT",
    "GITHUB_PATH",
    "GITHUB_REF",
    "GITHUB_REF_NAME",
    "GITHUB_REF_PROTECTED",
    "GITHUB_REF_TYPE",
    "GITHUB_REPOSITORY",
    "GITHUB_REPOSITORY_ID",
    "GITHUB_REPOSITORY_OWNER",
    "GITHUB_REPOSITORY_OWNER_ID",
    "GITHUB_RETENTION_DAYS",
    "GITHUB_RUN_ATTEMPT",
    "GITHUB_RUN_ID",
    "GITHUB_RUN_NUMBER",
    "GITHUB_SERVER_URL",
    "GITHUB_SHA",
    "GITHUB_STATE",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_TOKEN",
    "GITHUB_TRIGGERING_ACTOR",
    "GITHUB_WORKFLOW",
    "GITHUB_WORKFLOW_REF",
    "GITHUB_WORKFLOW_SHA",
    "GITHUB_WORKSPACE",
    "HOME",
    "PATH",
];

fn reserved(name: &str) -> bool {
    DEFAULT_VARIABLES.contains(&name) || name.starts_with("RUNNER_") || name.starts_with("ACTIONS_")
}

fn env_keys(node: Option<&Node>) -> Vec<String> {
    node.and_then(|n| n.get("env"))
        .map(|env| {
            env.entries()
                .iter()
                .filter_map(|(k, _)| k.as_str().map(str::to_ascii_uppercase))
                .collect()
        })
        .unwrap_or_default()
}

/// The YAML style of the scalar at `pos`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Double,
    Single,
    Block,
}

fn escape(style: Style, text: &str) -> String {
    match style {
        Style::Double => text.replace('\\', "\\\\").replace('"', "\\\""),
        Style::Single => text.replace('\'', "''"),
        Style::Plain | Style::Block => text.to_owned(),
    }
}

/// One flagged expression of the script.
struct Site<'s> {
    raw: &'s str,
    inner: &'s str,
    start: usize,
    end: usize,
    fingerprints: Vec<String>,
    paths: Vec<String>,
}

pub fn propose(cx: &FixCtx<'_>) -> Vec<Outcome> {
    let mut out = Vec::new();
    for step in cx.ctx.steps() {
        if let Some(o) = propose_step(cx, &step) {
            out.extend(o);
        }
    }
    out
}

/// Flagged expressions in an action's code inputs: reported, not fixed.
fn other_sinks(cx: &FixCtx<'_>, step: &Step<'_>) -> Vec<Outcome> {
    let describe = step.describe();
    let mut out = Vec::new();
    for (key, value) in step.node.get("with").map(Node::entries).unwrap_or_default() {
        let Some(text) = value.as_str() else { continue };
        for found in expr::expressions(text) {
            for path in expr::output_paths(found.inner) {
                if let Some(f) = cx.flagged(RULE, &format!("{describe}:{path}")) {
                    out.push(Outcome::Skip(Skip {
                        rule: RULE,
                        line: key.pos.line,
                        fingerprint: f.fingerprint.clone(),
                        why: format!(
                            "{describe}: `{path}` is expanded into the action input `{}:`, whose language decides what is safe; pass it through `env:` by hand",
                            key.as_str().unwrap_or("?")
                        ),
                    }));
                }
            }
        }
    }
    out
}

fn propose_step(cx: &FixCtx<'_>, step: &Step<'_>) -> Option<Vec<Outcome>> {
    let Some((run_key, run)) = step.node.entry("run") else {
        return Some(other_sinks(cx, step));
    };
    let script = run.as_str()?;
    let base = script.as_ptr() as usize;
    let describe = step.describe();
    let all: Vec<expr::Expr<'_>> = expr::expressions(script);
    let skip_ranges: Vec<(usize, usize)> = all
        .iter()
        .map(|e| {
            let s = e.raw.as_ptr() as usize - base;
            (s, s + e.raw.len())
        })
        .collect();
    let mut sites = Vec::new();
    for (found, &(start, end)) in all.iter().zip(&skip_ranges) {
        let paths = expr::output_paths(found.inner);
        let fingerprints: Vec<String> = paths
            .iter()
            .filter_map(|p| cx.flagged(RULE, &format!("{describe}:{p}")))
            .map(|f| f.fingerprint.clone())
            .collect();
        if !fingerprints.is_empty() {
            sites.push(Site {
                raw: found.raw,
                inner: found.inner,
                start,
                end,
                fingerprints,
                paths,
            });
        }
    }
    if sites.is_empty() {
        return None;
    }
    let line = run_key.pos.line;
    let skip_all = |why: &str, sites: &[Site<'_>]| -> Vec<Outcome> {
        let mut fps: Vec<&String> = sites.iter().flat_map(|s| &s.fingerprints).collect();
        fps.sort();
        fps.dedup();
        fps.into_iter()
            .map(|fp| {
                Outcome::Skip(Skip {
                    rule: RULE,
                    line,
                    fingerprint: fp.clone(),
                    why: format!("{describe}: {why}"),
                })
            })
            .collect()
    };
    let shell = match shell_of(cx, step) {
        Ok(shell) => shell,
        Err(why) => return Some(skip_all(&why, &sites)),
    };
    if run.origin.is_some() {
        return Some(skip_all("the script is a YAML alias", &sites));
    }
    // Where the scalar is written, and how.
    let text = cx.text;
    let (Some(src_start), Some(src_end)) = (
        text.start_of(run.pos),
        text.offset(run.pos.end_line, run.pos.end_col)
            .or(Some(text.text.len())),
    ) else {
        return Some(skip_all("its position in the file is not known", &sites));
    };
    let style = match text.text.get(src_start..).and_then(|t| t.chars().next()) {
        Some('"') => Style::Double,
        Some('\'') => Style::Single,
        Some('|' | '>') => Style::Block,
        _ => Style::Plain,
    };
    let region = text.text.get(src_start..src_end.max(src_start))?;
    // Names: one per distinct expression; taken names are avoided.
    let step_env = step.node.get("env");
    if step_env.is_some_and(|e| !e.is_map()) {
        return Some(skip_all("the step's `env:` is not a mapping", &sites));
    }
    // Every script of the file: one that assigns a name (`NAME=...`, as
    // written to `$GITHUB_ENV`) takes it.
    let scripts: Vec<&str> = cx
        .ctx
        .steps()
        .iter()
        .filter_map(|s| s.node.get("run").and_then(Node::as_str))
        .collect();
    let mut taken: Vec<String> = env_keys(Some(step.node));
    taken.extend(env_keys(step.job_node));
    taken.extend(env_keys(Some(cx.ctx.doc)));
    let mut names: BTreeMap<&str, (String, bool)> = BTreeMap::new(); // raw -> (name, new)
    let mut outcomes = Vec::new();
    let mut fixable: Vec<&Site<'_>> = Vec::new();
    let mut refused: Vec<&Site<'_>> = Vec::new();
    for site in &sites {
        if site.raw.contains(['\n', '\r']) {
            refused.push(site);
            outcomes.extend(skip_all(
                "an expression written over several lines",
                std::slice::from_ref(site),
            ));
            continue;
        }
        if !names.contains_key(site.raw) {
            // An entry of the step's own `env:` with this very value is reused.
            let existing = step_env.and_then(|env| {
                env.entries().iter().find_map(|(k, v)| {
                    (v.as_str() == Some(site.raw))
                        .then(|| k.as_str().map(str::to_owned))
                        .flatten()
                })
            });
            let entry = match existing {
                Some(name) if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                    (name, false)
                }
                _ => {
                    let base_name = base_name(site.inner, &site.paths);
                    let mut n = 1;
                    let name = loop {
                        let candidate = if n == 1 {
                            base_name.clone()
                        } else {
                            format!("{base_name}_{n}")
                        };
                        let upper = candidate.to_ascii_uppercase();
                        let assigned = format!("{candidate}=");
                        if !taken.contains(&upper)
                            && !reserved(&upper)
                            && !script.contains(&candidate)
                            && !scripts.iter().any(|s| s.contains(&assigned))
                        {
                            break candidate;
                        }
                        n += 1;
                    };
                    taken.push(name.to_ascii_uppercase());
                    (name, true)
                }
            };
            names.insert(site.raw, entry);
        }
        let name = &names[site.raw].0;
        match replacement(shell, script, site.start, site.end, &skip_ranges, name) {
            Ok(_) => fixable.push(site),
            Err(why) => {
                refused.push(site);
                outcomes.extend(skip_all(&why, std::slice::from_ref(site)));
            }
        }
    }
    // An expression is rewritten everywhere it occurs, or nowhere.
    let refused_raw: Vec<&str> = refused.iter().map(|s| s.raw).collect();
    fixable.retain(|s| !refused_raw.contains(&s.raw));
    // Only expressions the rule flagged are rewritten; every occurrence of
    // the same text is, so count them all in the value and in the file.
    let mut value_edits: Vec<(usize, usize, String)> = Vec::new();
    let mut file_edits: Vec<Edit> = Vec::new();
    let mut done_raw: Vec<&str> = Vec::new();
    for site in &fixable {
        if done_raw.contains(&site.raw) {
            continue;
        }
        done_raw.push(site.raw);
        let name = &names[site.raw].0;
        let occurrences: Vec<(usize, usize)> = skip_ranges
            .iter()
            .copied()
            .filter(|(s, e)| script.get(*s..*e) == Some(site.raw))
            .collect();
        let in_file: Vec<usize> = region
            .match_indices(&escape(style, site.raw))
            .map(|(i, _)| src_start + i)
            .collect();
        if in_file.len() != occurrences.len() {
            outcomes.extend(skip_all(
                "the expression is not written in the file exactly as the script reads it",
                std::slice::from_ref(*site),
            ));
            continue;
        }
        let mut ok = true;
        let mut these = Vec::new();
        for (&(s, e), &at) in occurrences.iter().zip(&in_file) {
            match replacement(shell, script, s, e, &skip_ranges, name) {
                Ok(rw) => {
                    // The quotes around it, as the file writes them.
                    let quote = escape(style, "'");
                    let Some(start) = at.checked_sub(rw.left * quote.len()) else {
                        ok = false;
                        continue;
                    };
                    let end = at + escape(style, site.raw).len() + rw.right * quote.len();
                    let left_ok = rw.left == 0 || text.text.get(start..at) == Some(&quote);
                    let right_ok =
                        rw.right == 0 || text.text.get(end - quote.len()..end) == Some(&quote);
                    if !(left_ok && right_ok) {
                        ok = false;
                        continue;
                    }
                    these.push((s - rw.left, e + rw.right, rw.with.clone()));
                    file_edits.push(Edit {
                        start,
                        end,
                        text: escape(style, &rw.with),
                    });
                }
                Err(_) => ok = false,
            }
        }
        if !ok {
            file_edits.truncate(file_edits.len() - these.len());
            outcomes.extend(skip_all(
                "another occurrence of the same expression cannot be rewritten",
                std::slice::from_ref(*site),
            ));
            continue;
        }
        value_edits.extend(these);
    }
    if file_edits.is_empty() {
        return Some(outcomes);
    }
    // The new script, as the check expects to read it.
    value_edits.sort_by_key(|(s, _, _)| *s);
    let mut new_script = String::new();
    let mut done = 0usize;
    for (s, e, with) in &value_edits {
        new_script.push_str(script.get(done..*s)?);
        new_script.push_str(with);
        done = *e;
    }
    new_script.push_str(script.get(done..)?);
    // The fingerprints fixed: those of the paths whose every flagged
    // expression is rewritten.
    let mut fixes: Vec<String> = Vec::new();
    for site in &sites {
        for fp in &site.fingerprints {
            let all_done = sites
                .iter()
                .filter(|s| s.fingerprints.contains(fp))
                .all(|s| done_raw.contains(&s.raw) && !refused_raw.contains(&s.raw));
            if all_done && !fixes.contains(fp) {
                fixes.push(fp.clone());
            }
        }
    }
    if fixes.is_empty() {
        return Some(outcomes);
    }
    // The new `env:` entries.
    let new_vars: Vec<(String, &str)> = done_raw
        .iter()
        .filter(|raw| names[**raw].1)
        .map(|raw| (names[*raw].0.clone(), *raw))
        .collect();
    let at = cx.step_path(step);
    let eol = text.eol;
    let mut changes = Vec::new();
    let mut run_at = at.clone();
    run_at.push(Seg::Key("run".into()));
    changes.push(Change::SetScalar {
        at: run_at,
        value: new_script,
    });
    let value_node = |raw: &str| {
        let written = text::scalar(raw);
        Node {
            kind: Kind::Scalar {
                value: raw.to_owned(),
                plain: !written.starts_with('"'),
            },
            ..plain("")
        }
    };
    if !new_vars.is_empty() {
        match step_env {
            Some(env) => {
                let Some((first, _)) = env.entries().first() else {
                    return Some(skip_all("the step's `env:` is empty", &sites));
                };
                let flow = text
                    .start_of(env.pos)
                    .and_then(|i| text.text.get(i..))
                    .is_some_and(|t| t.starts_with('{'));
                let start = text.start_of(first.pos)?;
                let insert = if flow {
                    new_vars
                        .iter()
                        .map(|(n, raw)| format!("{n}: {}, ", text::scalar(raw)))
                        .collect::<String>()
                } else {
                    let Some(pad) = text.block_key_indent(first) else {
                        return Some(skip_all(
                            "the step's `env:` is not laid out a line per key",
                            &sites,
                        ));
                    };
                    let pad = " ".repeat(pad);
                    new_vars
                        .iter()
                        .map(|(n, raw)| format!("{n}: {}{eol}{pad}", text::scalar(raw)))
                        .collect::<String>()
                };
                file_edits.push(Edit::insert(start, insert));
                let mut env_at = at;
                env_at.push(Seg::Key("env".into()));
                for (n, raw) in &new_vars {
                    changes.push(Change::Insert {
                        at: env_at.clone(),
                        key: n.clone(),
                        value: value_node(raw),
                    });
                }
            }
            None => {
                let unit = " ".repeat(cx.unit);
                let entries = |pad: &str| {
                    new_vars
                        .iter()
                        .map(|(n, raw)| format!("{pad}{unit}{n}: {}{eol}", text::scalar(raw)))
                        .collect::<String>()
                };
                // Above a key that starts its own line (not `- key:`), else
                // in front of the `run:` key itself.
                let own_line = |key: &Node| {
                    text.block_key_indent(key)
                        .filter(|_| text.before(key.pos).is_some_and(|b| b.trim().is_empty()))
                };
                let anchor = if own_line(run_key).is_some() {
                    Some(run_key)
                } else {
                    step.node
                        .entries()
                        .iter()
                        .map(|(k, _)| k)
                        .find(|k| own_line(k).is_some())
                };
                let edit = match anchor {
                    Some(key) => {
                        let pad = " ".repeat(own_line(key)?);
                        let start = text.line_start(key.pos.line)?;
                        Edit::insert(start, format!("{pad}env:{eol}{}", entries(&pad)))
                    }
                    None => {
                        let Some(pad) = text.block_key_indent(run_key) else {
                            return Some(skip_all(
                                "the step is not written as a block mapping",
                                &sites,
                            ));
                        };
                        let pad = " ".repeat(pad);
                        Edit::insert(
                            text.start_of(run_key.pos)?,
                            format!("env:{eol}{}{pad}", entries(&pad)),
                        )
                    }
                };
                file_edits.push(edit);
                changes.push(Change::Insert {
                    at,
                    key: "env".into(),
                    value: Node {
                        kind: Kind::Map(
                            new_vars
                                .iter()
                                .map(|(n, raw)| (plain(n), value_node(raw)))
                                .collect(),
                        ),
                        ..plain("")
                    },
                });
            }
        }
    }
    let moved: Vec<String> = done_raw
        .iter()
        .map(|raw| format!("`{raw}` → `{}`", names[*raw].0))
        .collect();
    outcomes.insert(
        0,
        Outcome::Fix(Proposal {
            rule: RULE,
            line,
            what: format!(
                "{describe}: moved into `env:` ({}) and the script reads the variable",
                moved.join(", ")
            ),
            fixes,
            edits: file_edits,
            changes,
        }),
    );
    Some(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_quoting_is_read_from_the_start() {
        let q = |s: &str| {
            let at = s.find('@').unwrap_or(0);
            posix_quote(s, at, &[])
        };
        assert_eq!(q("echo @"), Ok(Quote::Unquoted));
        assert_eq!(q("echo \"a @"), Ok(Quote::Double));
        assert_eq!(q("echo 'a @"), Ok(Quote::Single));
        assert_eq!(q("echo \"$(echo \"@"), Ok(Quote::Double));
        assert_eq!(q("echo \"$(x) @"), Ok(Quote::Double));
        assert_eq!(q("# it's\necho @"), Ok(Quote::Unquoted));
        assert!(q("echo $(( 1 + @").is_err());
        assert!(q("cat <<EOF\n@").is_err());
        assert!(q("echo `x @").is_err());
    }

    #[test]
    fn names_come_from_the_expression() {
        assert_eq!(
            base_name("github.event.pull_request.title", &[]),
            "GITHUB_EVENT_PULL_REQUEST_TITLE"
        );
        assert_eq!(
            base_name(
                "github.event.issue.title || 'x'",
                &["github.event.issue.title".into()]
            ),
            "GITHUB_EVENT_ISSUE_TITLE"
        );
    }
}
