//! `audit`: the workflow, action and dependabot.yml rules.
//!
//! [`discover`] finds the files, [`audit_text`] runs every rule on one file
//! (a file that does not parse is a `parse-error` finding, never an abort),
//! [`audit_paths`] does both for many files in parallel, and [`run_cli`] is
//! the `ci-intel-policy audit` command.

pub mod data;
pub mod expr;
pub mod facts;
pub mod model;
#[cfg(feature = "pin")]
pub mod online;
pub mod rules;
pub mod schema;
pub mod shell;
pub mod source;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use globset::{Glob, GlobMatcher, GlobSet, GlobSetBuilder};

use crate::config::{IgnoreEntry, Persona, PinPolicy, PinRule, PolicyConfig};
use ci_intel_core::checkout::Checkout;
use ci_intel_core::config::{self, Sections};
use ci_intel_core::{
    ExitCode, Failure, Finding, Location, OutputFormat, Report, RuleMeta, RunnerEnv, Severity,
    ToolInfo, render,
};

use model::{Ctx, DocKind, Hit, Uses, UsesTarget};
use source::Source;
use yaml::{Node, Pos};

/// Command-line arguments of `audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Files or directories to audit: a repository root, `.github`, a folder
    /// of workflow files, or single files. Default: the current directory.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// Rule set, as zizmor's personas: `regular`, `pedantic` (adds
    /// hardening and code-quality rules), `auditor` (adds findings that
    /// need a human to judge). Default: `policy.persona` from the
    /// configuration.
    #[arg(long, value_enum)]
    pub persona: Option<PersonaArg>,
    /// Repository configuration (`.ci-intel/config.yml` format). Default:
    /// `.ci-intel/config.yml` in the current directory, if present.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Org policy overlay, applied below the repository configuration.
    #[arg(long, env = "CI_INTEL_ORG_POLICY")]
    pub org_policy: Option<PathBuf>,
    /// zizmor's configuration file (zizmor.yml), translated into `policy:`
    /// settings laid over the repository configuration's (docs/policy.md,
    /// "zizmor's config file"). Default: discovered as zizmor does
    /// (`zizmor.yml` or `zizmor.yaml` in the audited directory or its
    /// `.github/`, then in its parents up to the repository root).
    #[arg(long, conflicts_with = "no_zizmor_config")]
    pub zizmor_config: Option<PathBuf>,
    /// Do not discover a zizmor.yml.
    #[arg(long)]
    pub no_zizmor_config: bool,
    /// Pass when no workflow, action or dependabot.yml is found (by default
    /// that is a denial).
    #[arg(long)]
    pub allow_empty: bool,
    /// Also write the SARIF log to this file (for code scanning upload).
    #[arg(long)]
    pub sarif_output: Option<PathBuf>,
    /// More detail on standard error: `-v` lists the findings that ignore
    /// comments silenced, `-vv` also lists every audited file.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Also run the rules that ask the forge (`impostor-commit`,
    /// `ref-confusion`, `known-vulnerable-actions`, `stale-action-refs`,
    /// `unresolvable-ref`). Off by default: without it they are not run, and
    /// the report says so. A failed call ends the run with exit 3.
    #[arg(long)]
    pub online: bool,
    #[cfg(feature = "pin")]
    #[command(flatten)]
    pub forge: crate::pin::remote::ForgeArgs,
    /// Repair what can be repaired safely (docs/policy.md, `--fix`):
    /// `--fix` prints a unified diff, `--fix=write` writes the files.
    #[arg(long, value_enum, num_args = 0..=1, require_equals = true, default_missing_value = "diff", conflicts_with_all = ["sarif_output", "online"])]
    pub fix: Option<crate::fix::FixMode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PersonaArg {
    Regular,
    Pedantic,
    Auditor,
}

/// Everything the rules read besides the file.
#[derive(Debug)]
pub struct Options {
    pub persona: Persona,
    pub policy: PolicyConfig,
    /// `OWNER/REPO` of the audited repository (`$GITHUB_REPOSITORY`), if known.
    pub repository: Option<String>,
    /// Today (UTC), for allowlist expiry.
    pub today: NaiveDate,
    pins: Vec<PinRule>,
    allow: Vec<(GlobMatcher, NaiveDate, String)>,
    exclude: GlobSet,
    ignores: BTreeMap<&'static str, Vec<IgnoreEntry>>,
}

/// `*`, `owner/*`, `owner/repo`, `owner/repo/*` or `owner/repo/sub/path`:
/// no empty segment, `*` only as the whole pattern or the whole last
/// segment after `owner/` or `owner/repo/`, no `@ref`.
pub fn valid_pin_pattern(p: &str) -> bool {
    if p == "*" {
        return true;
    }
    let segments: Vec<&str> = p.split('/').collect();
    if segments.len() < 2 || segments.iter().any(|s| s.is_empty()) {
        return false;
    }
    let name = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    };
    let last = segments.len() - 1;
    segments
        .iter()
        .enumerate()
        .all(|(i, s)| name(s) || (*s == "*" && i == last && (i == 1 || i == 2)))
}

impl Options {
    /// Validate the policy settings; an invalid one is a usage error naming
    /// the key.
    pub fn new(
        policy: &PolicyConfig,
        persona: Persona,
        repository: Option<String>,
        today: NaiveDate,
    ) -> Result<Options, Failure> {
        let mut pins = Vec::new();
        for (i, pin) in policy.pins.iter().enumerate() {
            let p = pin.pattern.as_str();
            if !valid_pin_pattern(p) {
                return Err(Failure::usage(format!(
                    "policy.pins[{i}].pattern: `{p}` is not `owner/repo/sub/path`, `owner/repo/*`, `owner/repo`, `owner/*` or `*`"
                )));
            }
            pins.push(pin.clone());
        }
        let mut allow = Vec::new();
        for (i, entry) in policy.trigger_allowlist.iter().enumerate() {
            let glob = Glob::new(&entry.path).map_err(|e| {
                Failure::usage(format!(
                    "policy.trigger_allowlist[{i}].path: `{}` is not a valid glob: {e}",
                    entry.path
                ))
            })?;
            let expires = NaiveDate::parse_from_str(&entry.expires, "%Y-%m-%d").map_err(|e| {
                Failure::usage(format!(
                    "policy.trigger_allowlist[{i}].expires: `{}` is not a date (YYYY-MM-DD): {e}",
                    entry.expires
                ))
            })?;
            if entry.reason.trim().is_empty() || entry.owner.trim().is_empty() {
                return Err(Failure::usage(format!(
                    "policy.trigger_allowlist[{i}] ({}): `reason` and `owner` must not be empty",
                    entry.path
                )));
            }
            allow.push((glob.compile_matcher(), expires, entry.owner.clone()));
        }
        let mut exclude = GlobSetBuilder::new();
        for (i, pattern) in policy.exclude.iter().enumerate() {
            exclude.add(Glob::new(pattern).map_err(|e| {
                Failure::usage(format!(
                    "policy.exclude[{i}]: `{pattern}` is not a valid glob: {e}"
                ))
            })?);
        }
        let mut ignores = BTreeMap::new();
        for (id, setting) in policy.rules.iter() {
            let mut entries = Vec::new();
            for (i, text) in setting.ignore.iter().enumerate() {
                entries.push(IgnoreEntry::parse(text).map_err(|why| {
                    Failure::usage(format!("policy.rules.{id}.ignore[{i}]: {why}"))
                })?);
            }
            if !entries.is_empty() {
                ignores.insert(id, entries);
            }
        }
        rules::forbidden_uses::validate(&policy.forbidden_uses)?;
        if policy.dependabot_cooldown.days == 0 {
            return Err(Failure::usage(
                "policy.dependabot_cooldown.days: 0 is not a cooldown: choose 1 or more days (the default is 7)",
            ));
        }
        let exclude = exclude
            .build()
            .map_err(|e| Failure::usage(format!("policy.exclude: {e}")))?;
        Ok(Options {
            persona,
            policy: policy.clone(),
            repository,
            today,
            pins,
            allow,
            exclude,
            ignores,
        })
    }

    /// Whether `policy.rules.<rule>.ignore` covers a finding at `file`
    /// (as reported), `line`:`column`.
    pub fn ignored_by_config(&self, rule: &str, file: &str, line: u32, column: u32) -> bool {
        self.ignores
            .get(rule)
            .is_some_and(|entries| entries.iter().any(|e| e.covers(file, line, column)))
    }

    /// Hub defaults, for tests and tools that embed the audit.
    pub fn defaults(persona: Persona) -> Options {
        let today = chrono::Utc::now().date_naive();
        Options::new(&PolicyConfig::default(), persona, None, today)
            .unwrap_or_else(|_| unreachable!("the hub defaults are valid"))
    }

    /// The pin policy for a `uses:` (most specific pattern wins; default
    /// `hash-pin`).
    pub fn pin_policy(&self, uses: &Uses) -> PinPolicy {
        match &uses.target {
            UsesTarget::Remote {
                owner, repo, path, ..
            } => {
                let name = match path {
                    Some(p) if !p.is_empty() => format!("{owner}/{repo}/{p}"),
                    _ => format!("{owner}/{repo}"),
                };
                PinRule::effective(&self.pins, &name)
            }
            // Not a repository reference: only a `*` entry (or the default) applies.
            _ => PinRule::effective(&self.pins, ""),
        }
    }

    /// `None`: not allowlisted; `Some(Ok)`: allowed; `Some(Err(why))`: the
    /// entry expired.
    pub fn trigger_allowance(&self, file: &str) -> Option<Result<(), String>> {
        let mut expired = None;
        for (glob, expires, owner) in &self.allow {
            if glob.is_match(file) {
                if *expires >= self.today {
                    return Some(Ok(()));
                }
                expired = Some(format!(
                    "(owner {owner}) expired on {expires}, so the trigger is denied again"
                ));
            }
        }
        expired.map(Err)
    }

    pub(crate) fn excluded(&self, file: &str) -> bool {
        self.exclude.is_match(file)
    }
}

/// A file to audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub path: PathBuf,
    /// As reported: `/`-separated, without a leading `./`.
    pub display: String,
    /// Known from the file name; `None` means decided from the content.
    pub kind: Option<DocKind>,
}

fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut text = text.as_str();
    while let Some(rest) = text.strip_prefix("./") {
        text = rest;
    }
    text.to_owned()
}

fn kind_from_name(path: &Path) -> Option<DocKind> {
    let name = path.file_name()?.to_str()?;
    match name {
        "action.yml" | "action.yaml" => Some(DocKind::Action),
        "dependabot.yml" | "dependabot.yaml" => Some(DocKind::Dependabot),
        ".pre-commit-config.yaml" | ".pre-commit-config.yml" => Some(DocKind::PreCommit),
        _ => None,
    }
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yml" | "yaml")
    )
}

fn in_workflows_dir(path: &Path) -> bool {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.len() >= 3 && parts[parts.len() - 2] == "workflows" && parts[parts.len() - 3] == ".github"
}

/// What a file found in a tree is to the audit, from where it is and its
/// name: a workflow under `.github/workflows`, an action, a dependabot.yml,
/// or nothing.
fn classify(path: &Path) -> Option<DocKind> {
    if in_workflows_dir(path) && is_yaml(path) {
        Some(DocKind::Workflow)
    } else {
        kind_from_name(path)
    }
}

/// What to audit in a checkout, as [`discover`] finds it in a directory:
/// workflows, actions and dependabot.yml; in a checkout with none of those
/// and no `.github`, its top-level YAML files.
pub fn checkout_targets(checkout: &Checkout) -> Vec<Target> {
    let target = |file: &ci_intel_core::checkout::CheckoutFile, kind| Target {
        path: file.path.clone(),
        display: file.relative.clone(),
        kind,
    };
    let mut found: Vec<Target> = checkout
        .files()
        .iter()
        .filter_map(|file| classify(Path::new(&file.relative)).map(|kind| target(file, Some(kind))))
        .collect();
    if found.is_empty() && !checkout.root().join(".github").exists() {
        found = checkout
            .files()
            .iter()
            .filter(|f| !f.relative.contains('/') && is_yaml(Path::new(&f.relative)))
            .map(|f| target(f, kind_from_name(Path::new(&f.relative))))
            .collect();
    }
    found
}

/// Audit a checkout shared with other gates: files are read through it
/// (once per run) and reported relative to its root.
pub fn audit_checkout(checkout: &Checkout, opts: &Options) -> Result<AuditOutcome, Failure> {
    let targets = checkout_targets(checkout);
    audit_with(
        &targets,
        opts,
        &|target: &Target| match checkout.get(&target.display) {
            Some(file) => checkout.read(file),
            None => read_target(target),
        },
    )
}

fn read_target(target: &Target) -> Result<Arc<[u8]>, Failure> {
    std::fs::read(&target.path)
        .map(Arc::from)
        .map_err(|e| Failure::infra(format!("cannot read {}: {e}", target.path.display())))
}

/// Find what to audit under `paths`. A directory is walked (honouring
/// `.gitignore`) for `.github/workflows/*.y[a]ml`, `action.y[a]ml` and
/// `dependabot.y[a]ml`; a directory with none of those and no `.github` is
/// taken as a folder of workflow files (its `*.y[a]ml`). A missing path is a
/// usage error.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Target>, Failure> {
    let mut out = Vec::new();
    for root in paths {
        let meta = std::fs::metadata(root)
            .map_err(|e| Failure::usage(format!("cannot audit {}: {e}", root.display())))?;
        if meta.is_file() {
            out.push(Target {
                path: root.clone(),
                display: display_path(root),
                kind: kind_from_name(root),
            });
            continue;
        }
        let mut found = Vec::new();
        for path in ci_intel_core::walk::files(root)? {
            let path = path.as_path();
            let kind = classify(path);
            if kind.is_some() {
                found.push(Target {
                    path: path.to_path_buf(),
                    display: display_path(path),
                    kind,
                });
            }
        }
        if found.is_empty() && !root.join(".github").exists() {
            let entries = std::fs::read_dir(root)
                .map_err(|e| Failure::infra(format!("cannot list {}: {e}", root.display())))?;
            for entry in entries {
                let entry = entry
                    .map_err(|e| Failure::infra(format!("cannot list {}: {e}", root.display())))?;
                let path = entry.path();
                if path.is_file() && is_yaml(&path) {
                    found.push(Target {
                        display: display_path(&path),
                        kind: kind_from_name(&path),
                        path,
                    });
                }
            }
        }
        out.extend(found);
    }
    out.sort_by(|a, b| a.display.cmp(&b.display));
    out.dedup_by(|a, b| a.display == b.display);
    Ok(out)
}

fn parse_hit(pos: Pos, message: impl Into<String>) -> Hit {
    Hit::new("parse-error", Severity::High, pos, "parse-error", message).fix(
        "fix the file so GitHub can load it (see the position), or exclude it with policy.exclude",
    )
}

fn at(line: u32, col: u32) -> Pos {
    Pos {
        line,
        col,
        end_line: line,
        end_col: col,
    }
}

/// Decide the kind from the content when the name did not.
pub(crate) fn sniff(doc: &Node) -> DocKind {
    if doc.get("jobs").is_some() || doc.get("on").is_some() {
        DocKind::Workflow
    } else if doc.get("runs").is_some() {
        DocKind::Action
    } else if doc.get("updates").is_some() {
        DocKind::Dependabot
    } else if doc.get("repos").is_some() {
        DocKind::PreCommit
    } else {
        DocKind::Workflow
    }
}

/// Structural problems that make GitHub refuse the file.
fn validate(doc: &Node, kind: DocKind) -> Option<Hit> {
    if !doc.is_map() {
        return Some(parse_hit(
            doc.pos,
            format!(
                "not a valid {}: the top level must be a mapping",
                kind.as_str()
            ),
        ));
    }
    match kind {
        DocKind::Workflow => {
            if doc.get("on").is_none() {
                return Some(parse_hit(
                    doc.pos,
                    "not a valid workflow: no `on:` (what triggers it?)",
                ));
            }
            let Some((key, jobs)) = doc.entry("jobs") else {
                return Some(parse_hit(doc.pos, "not a valid workflow: no `jobs:`"));
            };
            if !jobs.is_map() || jobs.entries().is_empty() {
                return Some(parse_hit(
                    key.pos,
                    "not a valid workflow: `jobs:` must be a non-empty mapping of job ids",
                ));
            }
            for (name, job) in jobs.entries() {
                let id = name.as_str().unwrap_or("?");
                if !job.is_map() {
                    return Some(parse_hit(
                        name.pos,
                        format!("not a valid workflow: job `{id}` must be a mapping"),
                    ));
                }
                if let Some(steps) = job.get("steps") {
                    if !steps.is_seq() {
                        return Some(parse_hit(
                            steps.pos,
                            format!("not a valid workflow: `jobs.{id}.steps` must be a list"),
                        ));
                    }
                    if let Some(bad) = steps.items().iter().find(|s| !s.is_map()) {
                        return Some(parse_hit(
                            bad.pos,
                            format!(
                                "not a valid workflow: every step of job `{id}` must be a mapping"
                            ),
                        ));
                    }
                }
            }
            None
        }
        DocKind::Action => {
            let Some(runs) = doc.get("runs") else {
                return Some(parse_hit(doc.pos, "not a valid action: no `runs:`"));
            };
            if runs.get("using").and_then(Node::as_str).is_none() {
                return Some(parse_hit(runs.pos, "not a valid action: no `runs.using`"));
            }
            if let Some(steps) = runs.get("steps")
                && (!steps.is_seq() || steps.items().iter().any(|s| !s.is_map()))
            {
                return Some(parse_hit(
                    steps.pos,
                    "not a valid action: `runs.steps` must be a list of mappings",
                ));
            }
            None
        }
        DocKind::Dependabot => {
            if doc.get("updates").is_none_or(|u| !u.is_seq()) {
                return Some(parse_hit(
                    doc.pos,
                    "not a valid dependabot.yml: `updates:` must be a list",
                ));
            }
            None
        }
        DocKind::PreCommit => {
            if doc
                .get("repos")
                .is_none_or(|r| !r.is_seq() || r.items().iter().any(|i| !i.is_map()))
            {
                return Some(parse_hit(
                    doc.pos,
                    "not a valid .pre-commit-config.yaml: `repos:` must be a list of mappings",
                ));
            }
            None
        }
    }
}

/// True for `if: false` (or `${{ false }}`): the job or step never runs.
fn never_runs(node: &Node) -> bool {
    node.get("if").is_some_and(|c| {
        c.as_bool() == Some(false)
            || c.as_str()
                .is_some_and(|t| t.trim() == "false" || t == "${{ false }}")
    })
}

/// The lines of the jobs and steps that never run (`if: false`): zizmor
/// reports nothing inside them, and neither do we. Each range ends where
/// the next sibling starts.
fn disabled_ranges(ctx: &Ctx<'_>) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut push = |items: Vec<(u32, &Node)>, end: u32| {
        for (i, (start, node)) in items.iter().enumerate() {
            if never_runs(node) {
                let stop = items
                    .get(i + 1)
                    .map_or(end, |(next, _)| next.saturating_sub(1));
                out.push((*start, stop.max(*start)));
            }
        }
    };
    if let Some(jobs) = ctx.doc.get("jobs").filter(|_| ctx.is_workflow()) {
        let items = jobs
            .entries()
            .iter()
            .map(|(k, v)| (k.pos.line, v))
            .collect();
        push(items, jobs.pos.end_line);
        for (_, job) in jobs.entries() {
            if let Some(steps) = job.get("steps") {
                let items = steps.items().iter().map(|s| (s.pos.line, s)).collect();
                push(items, steps.pos.end_line);
            }
        }
    }
    if let Some(steps) = ctx.doc.get("runs").and_then(|r| r.get("steps")) {
        let items = steps.items().iter().map(|s| (s.pos.line, s)).collect();
        push(items, steps.pos.end_line);
    }
    out
}

/// What one file yields: the findings, and those an ignore comment
/// silenced (listed by `-v`).
#[derive(Debug, Clone, Default)]
pub struct FileOutcome {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Finding>,
}

/// Run every enabled rule on one file's bytes. Never panics, never fails:
/// unusable input is a `parse-error` finding.
pub fn audit_bytes(
    display: &str,
    bytes: &[u8],
    kind: Option<DocKind>,
    opts: &Options,
) -> FileOutcome {
    match std::str::from_utf8(bytes) {
        Ok(text) => audit_file(display, text, kind, opts),
        Err(e) => {
            let hits = vec![parse_hit(at(1, 1), format!("not UTF-8 text: {e}"))];
            finish(display, &Source::new(""), hits, None, opts)
        }
    }
}

/// Run every enabled rule on one file; the findings only.
pub fn audit_text(
    display: &str,
    text: &str,
    kind: Option<DocKind>,
    opts: &Options,
) -> Vec<Finding> {
    audit_file(display, text, kind, opts).findings
}

/// Run every enabled rule on one file.
pub fn audit_file(display: &str, text: &str, kind: Option<DocKind>, opts: &Options) -> FileOutcome {
    let src = Source::new(text);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let loaded = yaml::load_lenient(text);
    let hits = match &loaded {
        Err(e) => vec![parse_hit(
            at(e.line, e.col),
            format!("invalid YAML: {}", e.message),
        )],
        Ok(None) => vec![parse_hit(at(1, 1), "empty file: no YAML document")],
        Ok(Some(doc)) => {
            let kind = kind.unwrap_or_else(|| sniff(doc));
            match validate(doc, kind) {
                Some(hit) => vec![hit],
                None => {
                    let ctx = Ctx {
                        file: display,
                        src: &src,
                        doc,
                        kind,
                        opts,
                        parsed: Default::default(),
                        commands: Default::default(),
                    };
                    let mut hits = Vec::new();
                    for rule in rules::RULES {
                        if rule.persona > opts.persona {
                            continue;
                        }
                        if !opts.policy.rules.get(rule.id).is_none_or(|s| s.enabled) {
                            continue;
                        }
                        (rule.check)(&ctx, &mut hits);
                    }
                    let off = disabled_ranges(&ctx);
                    hits.retain(|h| !off.iter().any(|(a, b)| (*a..=*b).contains(&h.pos.line)));
                    hits
                }
            }
        }
    };
    let doc = loaded.as_ref().ok().and_then(Option::as_ref);
    finish(display, &src, hits, doc, opts)
}

/// A check over one file's document that may fail (a network call).
#[cfg(feature = "pin")]
pub(crate) type DocumentCheck<'a> = dyn FnMut(&Ctx<'_>, &mut Vec<Hit>) -> Result<(), Failure> + 'a;

/// Run `check` (the online rules) on one file as the offline rules see it:
/// the same kind detection, `if: false` ranges, rule settings and ignore
/// comments. A file that does not load or is not a valid document yields
/// nothing here: the offline pass reports it as `parse-error`.
#[cfg(feature = "pin")]
pub(crate) fn check_document(
    display: &str,
    bytes: &[u8],
    kind: Option<DocKind>,
    opts: &Options,
    check: &mut DocumentCheck<'_>,
) -> Result<FileOutcome, Failure> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(FileOutcome::default());
    };
    let src = Source::new(text);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Ok(Some(doc)) = yaml::load_lenient(text) else {
        return Ok(FileOutcome::default());
    };
    let kind = kind.unwrap_or_else(|| sniff(&doc));
    if validate(&doc, kind).is_some() {
        return Ok(FileOutcome::default());
    }
    let ctx = Ctx {
        file: display,
        src: &src,
        doc: &doc,
        kind,
        opts,
        parsed: Default::default(),
        commands: Default::default(),
    };
    let mut hits = Vec::new();
    check(&ctx, &mut hits)?;
    let off = disabled_ranges(&ctx);
    hits.retain(|h| !off.iter().any(|(a, b)| (*a..=*b).contains(&h.pos.line)));
    Ok(finish(display, &src, hits, Some(&doc), opts))
}

/// The lines, besides a finding's own, where zizmor honours an ignore
/// comment for it because the finding is about that block: the `- name:`
/// (first) line of the step holding it, the `with:` line of the inputs
/// holding it, and the `on:` line of the triggers holding it. Found by
/// descending from the root into the last child that starts at or before
/// `line` (document order), so no end positions are needed.
fn ignore_block_lines(doc: &Node, line: u32) -> Vec<u32> {
    let mut lines = Vec::new();
    let mut node = doc;
    let mut parent_key: Option<&str> = None;
    // Bounded by the document's depth, which the loader bounds.
    loop {
        if node.is_map() {
            let Some((key, value)) = node
                .entries()
                .iter()
                .take_while(|(k, _)| k.pos.line <= line)
                .last()
            else {
                break;
            };
            let name = key.as_str();
            if matches!(name, Some("with" | "on")) {
                lines.push(key.pos.line);
            }
            parent_key = name;
            node = value;
        } else if node.is_seq() {
            let Some(item) = node
                .items()
                .iter()
                .take_while(|i| i.pos.line <= line)
                .last()
            else {
                break;
            };
            if parent_key == Some("steps") {
                lines.push(item.pos.line);
            }
            parent_key = None;
            node = item;
        } else {
            break;
        }
    }
    lines.retain(|&l| l != line);
    lines
}

/// An ignore comment on the finding's line, its other line, or the line of
/// a block it sits in (`on:`, `with:`, a step's first line).
fn ignored_by_comment(src: &Source<'_>, doc: Option<&Node>, h: &Hit) -> bool {
    src.ignores(h.pos.line, h.rule)
        || h.also_line.is_some_and(|l| src.ignores(l, h.rule))
        || doc.is_some_and(|doc| {
            ignore_block_lines(doc, h.pos.line)
                .into_iter()
                .any(|l| src.ignores(l, h.rule))
        })
}

fn finish(
    display: &str,
    src: &Source<'_>,
    hits: Vec<Hit>,
    doc: Option<&Node>,
    opts: &Options,
) -> FileOutcome {
    let mut out = FileOutcome::default();
    for h in hits {
        if !opts.policy.rules.get(h.rule).is_none_or(|s| s.enabled) {
            continue;
        }
        // A file that cannot be parsed cannot carry a trusted ignore
        // comment (docs/policy.md, `parse-error`): its finding stands.
        let ignored = h.rule != "parse-error"
            && (opts.ignored_by_config(h.rule, display, h.pos.line, h.pos.col)
                || (src.has_ignore_comments() && ignored_by_comment(src, doc, &h)));
        let severity = opts
            .policy
            .rules
            .get(h.rule)
            .and_then(|s| s.severity)
            .unwrap_or(h.severity);
        let location = Location {
            file: display.to_owned(),
            line: Some(h.pos.line),
            column: Some(h.pos.col),
            end_line: Some(h.pos.end_line.max(h.pos.line)),
            end_column: Some(h.pos.end_col),
        };
        let mut finding = Finding::new(h.rule, severity, h.message, Some(location), &h.subject)
            .with_confidence(h.confidence);
        finding.fix_hint = h.fix;
        if ignored {
            out.suppressed.push(finding);
        } else {
            out.findings.push(finding);
        }
    }
    // Sorted here, in the workers, so the report's sort of every finding
    // is a merge of runs already in order.
    out.findings.sort_by(Finding::report_order);
    out
}

/// The outcome of auditing many files.
#[derive(Debug, Clone, Default)]
pub struct AuditOutcome {
    /// Files audited (after excludes).
    pub files: usize,
    pub excluded: usize,
    pub findings: Vec<Finding>,
    /// Findings an ignore comment silenced.
    pub suppressed: Vec<Finding>,
    /// The files audited, as reported.
    pub audited: Vec<String>,
    /// Rules of the persona that did not run (the online rules without
    /// `--online`).
    pub not_run: Vec<&'static str>,
}

/// Audit every target, in parallel. Unreadable files are infrastructure
/// errors; everything about their content is a finding.
pub fn audit_targets(targets: &[Target], opts: &Options) -> Result<AuditOutcome, Failure> {
    audit_with(targets, opts, &read_target)
}

/// A worker's findings, or the index of the first file it could not read.
type WorkerResult = Result<FileOutcome, (usize, Failure)>;

type ReadTarget<'a> = dyn Fn(&Target) -> Result<Arc<[u8]>, Failure> + Sync + 'a;

fn audit_with(
    targets: &[Target],
    opts: &Options,
    read: &ReadTarget<'_>,
) -> Result<AuditOutcome, Failure> {
    let selected: Vec<&Target> = targets
        .iter()
        .filter(|t| !opts.excluded(&t.display))
        .collect();
    let excluded = targets.len() - selected.len();
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(selected.len().max(1));
    // Files are handed out one at a time, not in fixed chunks: a few large
    // workflows in one chunk left the other worker idle for a fifth of the
    // run. A worker moves each file's findings into its own list at once
    // (keeping every file's list until the end cost a fifth more peak
    // memory); the lists are then put in report order, so the outcome does
    // not depend on the scheduling. Each worker takes files in order, so its
    // list is already sorted and the sort is a merge of as many runs as
    // there are workers.
    let next = AtomicUsize::new(0);
    let results: Vec<WorkerResult> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = FileOutcome::default();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(target) = selected.get(index) else {
                            return Ok(out);
                        };
                        let bytes = read(target).map_err(|failure| (index, failure))?;
                        let file = audit_bytes(&target.display, &bytes, target.kind, opts);
                        out.findings.extend(file.findings);
                        out.suppressed.extend(file.suppressed);
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err((0, Failure::infra("an audit worker panicked"))))
            })
            .collect()
    });
    let mut parts = Vec::with_capacity(results.len());
    // The failure of the first file in order: every file before it was
    // handed out (files go in order) and read without one.
    let mut first_failure: Option<(usize, Failure)> = None;
    for result in results {
        match result {
            Ok(part) => parts.push(part),
            Err((index, failure)) => {
                if first_failure
                    .as_ref()
                    .is_none_or(|(first, _)| index < *first)
                {
                    first_failure = Some((index, failure));
                }
            }
        }
    }
    if let Some((_, failure)) = first_failure {
        return Err(failure);
    }
    let mut findings = Vec::with_capacity(parts.iter().map(|p| p.findings.len()).sum());
    let mut suppressed = Vec::with_capacity(parts.iter().map(|p| p.suppressed.len()).sum());
    for part in parts {
        findings.extend(part.findings);
        suppressed.extend(part.suppressed);
    }
    findings.sort_by(Finding::report_order);
    suppressed.sort_by(Finding::report_order);
    Ok(AuditOutcome {
        files: selected.len(),
        excluded,
        findings,
        suppressed,
        audited: selected.iter().map(|t| t.display.clone()).collect(),
        not_run: Vec::new(),
    })
}

/// Audit a repository checkout: files are reported relative to `dir`, as
/// code scanning and annotations need.
pub fn audit_repository(dir: &Path, opts: &Options) -> Result<AuditOutcome, Failure> {
    let mut targets = discover(&[dir.to_path_buf()])?;
    for target in &mut targets {
        if let Ok(relative) = target.path.strip_prefix(dir) {
            target.display = display_path(relative);
        }
    }
    audit_targets(&targets, opts)
}

/// Discover and audit.
pub fn audit_paths(paths: &[PathBuf], opts: &Options) -> Result<AuditOutcome, Failure> {
    audit_targets(&discover(paths)?, opts)
}

/// Every rule, for SARIF and listings.
pub fn rule_metas() -> Vec<RuleMeta> {
    let offline = rules::RULES
        .iter()
        .map(|r| (r.id, r.title, r.default_severity));
    let online = rules::ONLINE_RULES
        .iter()
        .map(|r| (r.id, r.title, r.default_severity));
    offline
        .chain(online)
        .map(|(id, title, default_severity)| RuleMeta {
            id,
            title,
            default_severity,
            help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/policy.md"),
        })
        .collect()
}

pub(crate) fn tool_info() -> ToolInfo {
    ToolInfo::new(crate::TOOL, env!("CARGO_PKG_VERSION"))
}

/// One finding in `--format json`: flat, with the position spelled out.
#[derive(Debug, serde::Serialize)]
pub struct JsonFinding<'a> {
    pub rule: &'a str,
    pub severity: Severity,
    pub confidence: ci_intel_core::Confidence,
    pub file: &'a str,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub end_line: Option<u32>,
    pub end_column: Option<u32>,
    pub message: &'a str,
    pub fix: Option<&'a str>,
    pub fingerprint: &'a str,
}

/// `summary` in `--format json`.
#[derive(Debug, serde::Serialize)]
pub struct JsonSummary<'a> {
    pub files: usize,
    pub excluded: usize,
    pub findings: usize,
    pub by_rule: BTreeMap<&'a str, usize>,
    pub by_severity: BTreeMap<&'a str, usize>,
    pub persona: &'a str,
    pub fail_on: Severity,
    pub verdict: &'a str,
    /// Rules of the persona that did not run (the online rules without
    /// `--online`).
    pub not_run: Vec<&'static str>,
}

/// The whole `--format json` document.
#[derive(Debug, serde::Serialize)]
pub struct JsonReport<'a> {
    pub tool: &'a ToolInfo,
    pub findings: Vec<JsonFinding<'a>>,
    pub summary: JsonSummary<'a>,
}

/// `--format json`: one object with `findings` (flat: rule, severity,
/// confidence, file, line, column, ...) and `summary`.
pub fn json_report<'a>(
    report: &'a Report,
    outcome: &AuditOutcome,
    fail_on: Severity,
    persona: Persona,
) -> JsonReport<'a> {
    JsonReport {
        findings: report.findings.iter().map(json_finding).collect(),
        ..json_report_without_findings(report, outcome, fail_on, persona)
    }
}

/// [`json_report`] with an empty `findings` array, for
/// [`render::print_json_with_items`] to fill.
fn json_report_without_findings<'a>(
    report: &'a Report,
    outcome: &AuditOutcome,
    fail_on: Severity,
    persona: Persona,
) -> JsonReport<'a> {
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_severity: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &report.findings {
        *by_rule.entry(&f.rule_id).or_default() += 1;
        *by_severity.entry(f.severity.as_str()).or_default() += 1;
    }
    JsonReport {
        tool: &report.tool,
        findings: Vec::new(),
        summary: JsonSummary {
            files: outcome.files,
            excluded: outcome.excluded,
            findings: report.findings.len(),
            by_rule,
            by_severity,
            persona: persona.as_str(),
            fail_on,
            verdict: report.verdict(fail_on).as_str(),
            not_run: outcome.not_run.clone(),
        },
    }
}

/// One finding as `--format json` writes it.
fn json_finding(f: &Finding) -> JsonFinding<'_> {
    let loc = f.location.as_ref();
    JsonFinding {
        rule: &f.rule_id,
        severity: f.severity,
        confidence: f.confidence,
        file: loc.map(|l| l.file.as_str()).unwrap_or(""),
        line: loc.and_then(|l| l.line),
        column: loc.and_then(|l| l.column),
        end_line: loc.and_then(|l| l.end_line),
        end_column: loc.and_then(|l| l.end_column),
        message: &f.message,
        fix: f.fix_hint.as_deref(),
        fingerprint: &f.fingerprint,
    }
}

fn load_config(args: &AuditArgs, paths: &[PathBuf]) -> Result<(PolicyConfig, Severity), Failure> {
    let sections = Sections::partial([crate::gate::section()]);
    let loaded = config::load_cli(
        args.config.as_deref(),
        args.org_policy.as_deref(),
        &sections,
    )?;
    let mut policy: PolicyConfig = loaded.section(crate::gate::SECTION)?;
    let zizmor_path = match (&args.zizmor_config, args.no_zizmor_config) {
        (Some(path), _) => Some(path.clone()),
        (None, true) => None,
        (None, false) => crate::zizmor_config::discover(paths)?,
    };
    if let Some(path) = zizmor_path {
        let zizmor = crate::zizmor_config::ZizmorConfig::read(&path)?;
        eprintln!(
            "{}: using zizmor config {} ({} setting(s){})",
            crate::TOOL,
            path.display(),
            zizmor.settings.len(),
            if args.zizmor_config.is_some() {
                ""
            } else {
                "; found by discovery, --no-zizmor-config to ignore it"
            }
        );
        if !loaded.locked.is_empty() {
            // The org layer alone: the repository's own settings were
            // checked against it, and so are the zizmor.yml's.
            let org = match args.org_policy.as_deref() {
                Some(org_path) => {
                    let text = std::fs::read_to_string(org_path).map_err(|e| {
                        Failure::usage(format!(
                            "cannot read org policy {}: {e}",
                            org_path.display()
                        ))
                    })?;
                    config::load_from_texts(Some((org_path, &text)), None, &sections)?.effective
                }
                None => loaded.effective.clone(),
            };
            zizmor.check_locks(&loaded.locked, &org, &sections)?;
        }
        policy = zizmor.apply(&policy)?;
    }
    if let Some(flag) = args.persona {
        let wanted = match flag {
            PersonaArg::Regular => Persona::Regular,
            PersonaArg::Pedantic => Persona::Pedantic,
            PersonaArg::Auditor => Persona::Auditor,
        };
        if wanted < policy.persona && loaded.locked.iter().any(|k| k == "policy.persona") {
            return Err(Failure::usage(format!(
                "--persona {}: policy.persona is locked to `{}` (or wider) by the org policy",
                wanted.as_str(),
                policy.persona.as_str()
            )));
        }
        policy.persona = wanted;
    }
    Ok((policy, loaded.config.fail_on))
}

/// `ci-intel-policy audit`.
pub fn run_cli(args: &AuditArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let (policy, fail_on) = load_config(args, &paths)?;
    let opts = Options::new(
        &policy,
        policy.persona,
        env.var("GITHUB_REPOSITORY").map(str::to_owned),
        chrono::Utc::now().date_naive(),
    )?;
    if let Some(mode) = args.fix {
        return crate::fix::run_cli(&paths, mode, &opts, fail_on, args.allow_empty, env);
    }
    let targets = discover(&paths)?;
    let mut outcome = audit_targets(&targets, &opts)?;
    let online_rules: Vec<&'static str> = rules::ONLINE_RULES
        .iter()
        .filter(|r| r.persona <= opts.persona)
        .filter(|r| opts.policy.rules.get(r.id).is_none_or(|s| s.enabled))
        .map(|r| r.id)
        .collect();
    if args.online {
        #[cfg(feature = "pin")]
        {
            let forge = online::Forge::new(args.forge.remote(env)?);
            let found = online::audit_targets(&targets, &opts, &forge)?;
            outcome.findings.extend(found.findings);
            outcome.suppressed.extend(found.suppressed);
        }
        #[cfg(not(feature = "pin"))]
        return Err(Failure::usage(
            "--online needs the network: this build has no `pin` feature; use the ci-intel-policy binary",
        ));
    } else if !online_rules.is_empty() && outcome.files > 0 {
        eprintln!(
            "{}: not run (they need --online and the network): {}",
            crate::TOOL,
            online_rules.join(", ")
        );
        outcome.not_run = online_rules;
    }
    // The report owns the findings from here on (a copy doubled the peak
    // memory of a large audit).
    let report = Report::new(
        tool_info(),
        rule_metas(),
        std::mem::take(&mut outcome.findings),
    );
    if outcome.files == 0 {
        let what = paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        env.set_output("result", if args.allow_empty { "warn" } else { "deny" })?;
        if args.allow_empty {
            eprintln!(
                "{}: no workflow, action or dependabot.yml found in {what} (--allow-empty)",
                crate::TOOL
            );
            return Ok(ExitCode::Pass);
        }
        eprintln!(
            "{}: no workflow, action or dependabot.yml found in {what}: nothing was checked, which is not a pass (use --allow-empty to accept it)",
            crate::TOOL
        );
        return Ok(ExitCode::Deny);
    }
    if args.format == OutputFormat::Json {
        // Each finding is rendered as it is written: no second list of them.
        let doc = json_report_without_findings(&report, &outcome, fail_on, opts.persona);
        render::print_json_with_items(&doc, "findings", &report.findings, json_finding)?;
    } else {
        render::print_report(
            &report,
            args.format,
            Some(&|| json_report(&report, &outcome, fail_on, opts.persona)),
        )?;
    }
    if let Some(path) = &args.sarif_output {
        render::write_sarif(&report, path)?;
    }
    if args.verbose > 0 {
        let mut quiet = outcome.suppressed.clone();
        quiet.sort_by(|a, b| (&a.location, &a.rule_id).cmp(&(&b.location, &b.rule_id)));
        for f in &quiet {
            let place = f
                .location
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            eprintln!(
                "suppressed: {place}: {} [{}] {}",
                f.severity, f.rule_id, f.message
            );
        }
        if args.verbose > 1 {
            for f in &outcome.audited {
                eprintln!("audited: {f}");
            }
        }
    }
    let verdict = report.verdict(fail_on);
    eprintln!(
        "{} audit: {} file(s), {} finding(s) ({} persona, failing at {fail_on}): {}",
        crate::TOOL,
        outcome.files,
        report.findings.len(),
        opts.persona.as_str(),
        verdict.as_str()
    );
    env.set_output("result", verdict.as_str())?;
    env.set_output("findings", &report.findings.len().to_string())?;
    env.set_output("files", &outcome.files.to_string())?;
    if env.in_actions() {
        let mut md = format!(
            "### ci-intel policy audit\n\n{} file(s), {} finding(s), persona {}, failing at {fail_on}: **{}**\n",
            outcome.files,
            report.findings.len(),
            opts.persona.as_str(),
            verdict.as_str()
        );
        if !outcome.not_run.is_empty() {
            md.push_str(&format!(
                "\nNot run (they need `online: true`): {}\n",
                outcome.not_run.join(", ")
            ));
        }
        if !report.findings.is_empty() {
            md.push_str("\n| rule | severity | where | message |\n|---|---|---|---|\n");
            for f in report.findings.iter().take(100) {
                let place = f
                    .location
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                md.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    f.rule_id,
                    f.severity,
                    place.replace('|', "\\|"),
                    f.message.replace('|', "\\|").replace('\n', " ")
                ));
            }
        }
        env.append_summary(&md)?;
    }
    Ok(verdict.exit_code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{PinRule, TriggerAllow};

    fn opts(policy: &PolicyConfig) -> Options {
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
        Options::new(policy, Persona::Regular, None, today).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_most_specific_pin_pattern_wins() {
        let mut policy = PolicyConfig::default();
        policy.pins.push(PinRule {
            pattern: "acme/*".into(),
            policy: PinPolicy::RefPin,
        });
        policy.pins.push(PinRule {
            pattern: "acme/tool".into(),
            policy: PinPolicy::Any,
        });
        let o = opts(&policy);
        let uses = |raw: &str| Uses::parse(raw, Pos::default());
        assert_eq!(o.pin_policy(&uses("other/x@v1")), PinPolicy::HashPin);
        assert_eq!(o.pin_policy(&uses("ACME/x@v1")), PinPolicy::RefPin);
        assert_eq!(o.pin_policy(&uses("acme/tool/sub@main")), PinPolicy::Any);
    }

    #[test]
    fn allowlist_entries_expire_and_bad_entries_name_their_key() {
        let mut policy = PolicyConfig::default();
        for (path, expires) in [("a.yml", "2026-06-01"), ("b.yml", "2026-05-31")] {
            policy.trigger_allowlist.push(TriggerAllow {
                path: path.into(),
                reason: "r".into(),
                owner: "team".into(),
                expires: expires.into(),
            });
        }
        let o = opts(&policy);
        assert_eq!(
            o.trigger_allowance("a.yml"),
            Some(Ok(())),
            "valid through its last day"
        );
        assert!(
            matches!(o.trigger_allowance("b.yml"), Some(Err(why)) if why.contains("2026-05-31"))
        );
        assert_eq!(o.trigger_allowance("c.yml"), None);
        policy.pins = vec![PinRule {
            pattern: "*/x".into(),
            policy: PinPolicy::Any,
        }];
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
        let err = Options::new(&policy, Persona::Regular, None, today).unwrap_err();
        assert!(
            err.message.contains("policy.pins[0].pattern"),
            "{}",
            err.message
        );
    }
}
