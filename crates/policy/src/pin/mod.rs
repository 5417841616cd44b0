//! `pin`: resolve tag and branch references to commit SHAs, rewrite them as
//! `@<sha> # <tag>` (Renovate's format), move pins with `--update`, and verify
//! existing pins with `--online`.
//!
//! - [`uses`] finds `uses:` references with byte spans and rewrites them in
//!   place, leaving every other byte of the file as it was;
//! - [`pktline`] is the git pkt-line codec and the protocol v2 `ls-refs`
//!   exchange; [`remote`] speaks it over smart HTTP (and the few REST calls
//!   ls-refs cannot answer);
//! - [`version`] orders release tags for `--update`.

pub mod pktline;
pub mod remote;
pub mod uses;
pub mod version;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use ci_intel_core::render::render;
use ci_intel_core::{
    Confidence, ExitCode, Failure, Finding, Location, OutputFormat, Report, RuleMeta, RunnerEnv,
    Severity, ToolInfo,
};

use remote::{Remote, RepoRefs};
use uses::{Rewrite, Target, UsesSite};
use version::Version;

#[derive(Debug, clap::Args)]
pub struct PinArgs {
    /// Files or directories whose references to pin (default: the current
    /// directory). A directory contributes `.github/workflows/*.y{a,}ml` and
    /// every `action.y{a,}ml` under it.
    pub paths: Vec<PathBuf>,
    /// Only report what would change (exit 1 when anything would); write nothing.
    #[arg(long)]
    pub check: bool,
    /// Move references to the newest release tag of the same major version.
    #[arg(long)]
    pub update: bool,
    /// With --update: allow moving to a newer major version.
    #[arg(long, requires = "update")]
    pub allow_major: bool,
    /// With --update: only move to releases published at least DAYS ago.
    #[arg(long, value_name = "DAYS", requires = "update")]
    pub min_age: Option<u32>,
    /// Verify existing SHA pins: the version comment names a tag at that SHA
    /// (`ref-version-mismatch`) and the SHA is on a branch or tag of the named
    /// repository (`impostor-commit`). Uses the REST API.
    #[arg(long)]
    pub online: bool,
    #[command(flatten)]
    pub forge: remote::ForgeArgs,
    /// Output format of the findings.
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// Let an input without workflow or action files pass.
    #[arg(long)]
    pub allow_empty: bool,
}

pub const RULE_UNPINNED: &str = "unpinned-ref";
pub const RULE_OUTDATED: &str = "outdated-pin";
pub const RULE_UNRESOLVABLE: &str = "unresolvable-ref";
pub const RULE_MISMATCH: &str = "ref-version-mismatch";
pub const RULE_IMPOSTOR: &str = "impostor-commit";

const HELP: &str = "https://github.com/ci-intel/ci-intel/blob/main/docs/policy-pin.md";

pub fn rules() -> Vec<RuleMeta> {
    let rule = |id, title, default_severity| RuleMeta {
        id,
        title,
        default_severity,
        help_uri: Some(HELP),
    };
    vec![
        rule(
            RULE_UNPINNED,
            "A reference uses a tag or branch instead of a commit SHA",
            Severity::High,
        ),
        rule(
            RULE_OUTDATED,
            "A pinned reference has a newer release",
            Severity::Medium,
        ),
        rule(
            RULE_UNRESOLVABLE,
            "A reference names a repository or ref that does not exist",
            Severity::High,
        ),
        rule(
            RULE_MISMATCH,
            "A pinned SHA's version comment names a tag that points elsewhere",
            Severity::High,
        ),
        rule(
            RULE_IMPOSTOR,
            "A pinned SHA is on no branch or tag of the named repository",
            Severity::Critical,
        ),
    ]
}

/// Everything `pin` needs besides the files.
#[derive(Debug, Clone)]
pub struct Options {
    pub check: bool,
    pub update: bool,
    pub allow_major: bool,
    pub min_age_days: Option<u32>,
    pub online: bool,
    /// "Now", for `--min-age` (a parameter so tests can fix it).
    pub now: DateTime<Utc>,
}

/// A file to pin: where it is and how findings name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    pub path: PathBuf,
    pub display: String,
}

/// One change to a reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub old: String,
    pub new: String,
    /// `unpinned-ref` or `outdated-pin`.
    pub rule: &'static str,
}

/// What a run found and changed.
#[derive(Debug, Default)]
pub struct Outcome {
    pub changes: Vec<Change>,
    pub findings: Vec<Finding>,
    /// New file contents, for files that change.
    pub rewritten: BTreeMap<PathBuf, String>,
    pub references: usize,
}

pub fn run_cli(args: &PinArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let remote = args.forge.remote(env)?;

    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let files = collect_files(&roots)?;
    if files.is_empty() {
        let message = format!(
            "no workflow or action files under {}",
            roots
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        if args.allow_empty {
            eprintln!("ci-intel-policy: {message}; passing because of --allow-empty");
            return Ok(ExitCode::Pass);
        }
        eprintln!("ci-intel-policy: {message}; nothing to pin (pass --allow-empty to accept this)");
        return Ok(ExitCode::Deny);
    }
    let options = Options {
        check: args.check,
        update: args.update,
        allow_major: args.allow_major,
        min_age_days: args.min_age,
        online: args.online,
        now: Utc::now(),
    };
    let outcome = pin_files(&files, &options, &remote)?;

    if !options.check {
        for (path, text) in &outcome.rewritten {
            std::fs::write(path, text)
                .map_err(|e| Failure::infra(format!("cannot write {}: {e}", path.display())))?;
        }
        for change in &outcome.changes {
            eprintln!(
                "{}:{}: {} → {}",
                change.file, change.line, change.old, change.new
            );
        }
    }
    let mut findings = outcome.findings.clone();
    if options.check {
        findings.extend(outcome.changes.iter().map(change_finding));
    }
    let report = Report::new(
        ToolInfo::new(crate::TOOL, env!("CARGO_PKG_VERSION")),
        rules(),
        findings,
    );
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(render(&report, args.format).as_bytes());
    let verb = if options.check {
        "would change"
    } else {
        "changed"
    };
    eprintln!(
        "ci-intel-policy pin: {} file(s), {} reference(s), {} {verb}, {} repository lookup(s)",
        files.len(),
        outcome.references,
        outcome.changes.len(),
        *remote.ls_refs_calls.borrow()
    );
    Ok(report.verdict(Severity::Low).exit_code())
}

/// A `--check` change as a finding.
pub fn change_finding(change: &Change) -> Finding {
    let severity = if change.rule == RULE_UNPINNED {
        Severity::High
    } else {
        Severity::Medium
    };
    let what = if change.rule == RULE_UNPINNED {
        "not pinned to a commit SHA"
    } else {
        "a newer release is available"
    };
    Finding::new(
        change.rule,
        severity,
        format!("{what}: {} → {}", change.old, change.new),
        Some(Location::at(&change.file, change.line, Some(change.column))),
        &change.old,
    )
    .with_fix("run `ci-intel-policy pin` (with the same flags, without --check) to rewrite it")
}

/// The files to pin under `roots`, sorted and de-duplicated.
pub fn collect_files(roots: &[PathBuf]) -> Result<Vec<InputFile>, Failure> {
    let mut files = Vec::new();
    for root in roots {
        let meta = std::fs::metadata(root)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", root.display())))?;
        if meta.is_file() {
            files.push(InputFile {
                path: root.clone(),
                display: slash(root),
            });
            continue;
        }
        let mut found = Vec::new();
        let workflows = root.join(".github/workflows");
        if workflows.is_dir() {
            for entry in read_dir(&workflows)? {
                let path = entry.path();
                if path.is_file() && is_yaml(&path) {
                    found.push(path);
                }
            }
        }
        collect_actions(root, &mut found)?;
        for path in found {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            files.push(InputFile {
                display: slash(&rel),
                path,
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    Ok(files)
}

fn read_dir(dir: &Path) -> Result<Vec<std::fs::DirEntry>, Failure> {
    std::fs::read_dir(dir)
        .and_then(|entries| entries.collect::<Result<Vec<_>, _>>())
        .map_err(|e| Failure::infra(format!("cannot list {}: {e}", dir.display())))
}

fn is_yaml(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yml" || e == "yaml")
}

const SKIPPED_DIRS: [&str; 4] = [".git", "target", "node_modules", ".venv"];

fn collect_actions(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), Failure> {
    for entry in read_dir(dir)? {
        let name = entry.file_name();
        let kind = entry
            .file_type()
            .map_err(|e| Failure::infra(format!("cannot read {}: {e}", entry.path().display())))?;
        if kind.is_dir() {
            if !SKIPPED_DIRS.iter().any(|s| name == *s) {
                collect_actions(&entry.path(), found)?;
            }
        } else if kind.is_file() && (name == "action.yml" || name == "action.yaml") {
            found.push(entry.path());
        }
    }
    Ok(())
}

fn slash(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

/// Pin every reference of `files`; read them, but write nothing.
pub fn pin_files(
    files: &[InputFile],
    options: &Options,
    remote: &Remote,
) -> Result<Outcome, Failure> {
    let mut outcome = Outcome::default();
    for file in files {
        let bytes = std::fs::read(&file.path)
            .map_err(|e| Failure::infra(format!("cannot read {}: {e}", file.path.display())))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            Failure::usage(format!(
                "{} is not UTF-8 (byte {}); workflow files must be UTF-8",
                file.display,
                e.utf8_error().valid_up_to()
            ))
        })?;
        let mut rewrites = Vec::new();
        for site in uses::extract(&text) {
            if let Some(rewrite) = pin_site(file, &site, options, remote, &mut outcome)? {
                rewrites.push(rewrite);
            }
        }
        if !rewrites.is_empty() {
            let new_text = uses::apply(&text, &rewrites);
            if new_text != text {
                outcome.rewritten.insert(file.path.clone(), new_text);
            }
        }
    }
    Ok(outcome)
}

/// The version label of a pin: the first word of its comment (`v1.2.0` in
/// `# v1.2.0`, also `# tag=v1.2.0` as older Renovate wrote it).
fn comment_label(comment: Option<&str>) -> Option<String> {
    let word = comment?.split_whitespace().next()?;
    let word = word.strip_prefix("tag=").unwrap_or(word);
    let word = word.strip_prefix('@').unwrap_or(word);
    (!word.is_empty()).then(|| word.to_owned())
}

fn is_full_sha(text: &str) -> bool {
    pktline::is_oid(&text.to_ascii_lowercase()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn pin_site(
    file: &InputFile,
    site: &UsesSite,
    options: &Options,
    remote: &Remote,
    outcome: &mut Outcome,
) -> Result<Option<Rewrite>, Failure> {
    let location = Location::at(&file.display, site.line, Some(site.column));
    let (owner, repo, git_ref, ref_span) = match &site.target {
        Target::Skipped => return Ok(None),
        Target::Malformed(why) => {
            outcome.findings.push(
                Finding::new(
                    RULE_UNRESOLVABLE,
                    Severity::High,
                    format!("cannot pin {why}"),
                    Some(location),
                    &site.value,
                )
                .with_fix("write the reference as owner/repo[/path]@ref"),
            );
            return Ok(None);
        }
        Target::Remote {
            owner,
            repo,
            git_ref,
            ref_span,
        } => (owner, repo, git_ref, ref_span),
    };
    outcome.references += 1;
    let pinned = is_full_sha(git_ref);
    if pinned && !options.update && !options.online {
        // Already pinned and nothing asked about it: no network needed.
        return Ok(None);
    }
    let looked_up = remote.refs(owner, repo)?;
    let refs = match looked_up.as_ref() {
        Ok(refs) => refs,
        Err(unavailable) => {
            outcome.findings.push(
                Finding::new(
                    RULE_UNRESOLVABLE,
                    Severity::High,
                    format!(
                        "cannot resolve `{}`: {owner}/{repo} is not readable (HTTP {} from {})",
                        site.value, unavailable.status, unavailable.url
                    ),
                    Some(location),
                    &site.value,
                )
                .with_fix("check the repository name; a private repository needs GITHUB_TOKEN"),
            );
            return Ok(None);
        }
    };
    let repo_name = format!("{owner}/{repo}");
    let label = if pinned {
        comment_label(site.comment.as_deref())
    } else {
        Some(git_ref.clone())
    };

    if pinned && options.online {
        verify_pin(
            &repo_name,
            owner,
            repo,
            &git_ref.to_ascii_lowercase(),
            label.as_deref(),
            refs,
            remote,
            &location,
            site,
            outcome,
        )?;
    }

    // Where the reference should point: (commit, label).
    let current: Option<(String, String)> = if pinned {
        label.clone().map(|l| (git_ref.clone(), l))
    } else {
        match refs.resolve(git_ref) {
            Some((_, commit)) => Some((commit.to_owned(), git_ref.clone())),
            None => {
                outcome.findings.push(
                    Finding::new(
                        RULE_UNRESOLVABLE,
                        Severity::High,
                        format!(
                            "cannot resolve `{}`: {repo_name} has no tag or branch `{git_ref}` ({})",
                            site.value, refs.url
                        ),
                        Some(location),
                        &site.value,
                    )
                    .with_fix("use an existing tag (see `git ls-remote --tags`)"),
                );
                return Ok(None);
            }
        }
    };
    let mut target = current.clone();
    let mut rule = RULE_UNPINNED;
    if options.update
        && let Some((_, label)) = &current
    {
        if let Some(newer) = newest_release(owner, repo, label, refs, options, remote)? {
            target = Some(newer);
        } else if pinned && let Some(branch) = refs.branch(label) {
            // A pin that follows a branch moves to the branch's head.
            target = Some((branch.commit().to_owned(), label.clone()));
        }
        if pinned {
            rule = RULE_OUTDATED;
        }
    }
    let Some((commit, new_label)) = target else {
        return Ok(None);
    };
    let unchanged = pinned
        && commit.eq_ignore_ascii_case(git_ref)
        && site.comment.as_deref().map(str::trim) == Some(new_label.as_str());
    if unchanged || (pinned && !options.update) {
        return Ok(None);
    }
    let (target_path, _) = site.value.split_once('@').unwrap_or((&site.value, ""));
    outcome.changes.push(Change {
        file: file.display.clone(),
        line: site.line,
        column: site.column,
        old: format!(
            "{}{}",
            site.value,
            site.comment
                .as_deref()
                .map(|c| format!(" # {c}"))
                .unwrap_or_default()
        ),
        new: format!("{target_path}@{commit} # {new_label}"),
        rule,
    });
    Ok(Some(Rewrite {
        ref_span: ref_span.clone(),
        value_end: site.value_end,
        comment_span: site.comment_span.clone(),
        new_ref: commit,
        new_comment: new_label,
    }))
}

/// The newest release of the same major version as `label` (any major with
/// --allow-major) that is at least as new as `label` and old enough for
/// --min-age: `(commit, tag)`. `None` when `label` is not a version.
fn newest_release(
    owner: &str,
    repo: &str,
    label: &str,
    refs: &RepoRefs,
    options: &Options,
    remote: &Remote,
) -> Result<Option<(String, String)>, Failure> {
    let Some(current) = Version::parse(label) else {
        return Ok(None);
    };
    for (version, tag, commit) in refs.releases() {
        if !options.allow_major && version.major != current.major {
            continue;
        }
        if version.cmp_precedence(&current).is_lt() {
            continue;
        }
        if tag == label {
            // Already there: staying needs no age check.
            return Ok(Some((commit.to_owned(), tag.to_owned())));
        }
        if let Some(days) = options.min_age_days {
            let published = remote.release_time(owner, repo, tag, commit)?;
            let age = options.now.signed_duration_since(published);
            if age < chrono::Duration::days(i64::from(days)) {
                eprintln!(
                    "ci-intel-policy: {owner}/{repo} {tag} was published {published} (less than {days} day(s) ago); skipping it for --min-age"
                );
                continue;
            }
        }
        return Ok(Some((commit.to_owned(), tag.to_owned())));
    }
    Ok(None)
}

/// `--online`: does the version comment name a tag at this SHA, and is the
/// SHA on any branch or tag of the repository?
#[allow(clippy::too_many_arguments)]
fn verify_pin(
    repo_name: &str,
    owner: &str,
    repo: &str,
    sha: &str,
    label: Option<&str>,
    refs: &RepoRefs,
    remote: &Remote,
    location: &Location,
    site: &UsesSite,
    outcome: &mut Outcome,
) -> Result<(), Failure> {
    if let Some(label) = label {
        let subject = format!("{repo_name}@{sha}#{label}");
        match refs.tag(label) {
            Some(tag) if tag.commit() != sha => outcome.findings.push(
                Finding::new(
                    RULE_MISMATCH,
                    Severity::High,
                    format!(
                        "`{}` says `# {label}`, but tag {label} of {repo_name} is commit {}",
                        site.value,
                        tag.commit()
                    ),
                    Some(location.clone()),
                    &subject,
                )
                .with_fix(
                    "pin to the tag's commit, or correct the comment (`ci-intel-policy pin --update` rewrites both)",
                ),
            ),
            Some(_) => {}
            None if refs.branch(label).is_none() && Version::parse(label).is_some() => {
                outcome.findings.push(
                    Finding::new(
                        RULE_MISMATCH,
                        Severity::High,
                        format!(
                            "`{}` says `# {label}`, but {repo_name} has no tag {label}",
                            site.value
                        ),
                        Some(location.clone()),
                        &subject,
                    )
                    .with_fix("correct the version comment to the tag this commit was released as"),
                )
            }
            None => {}
        }
    }
    let (on_refs, checked) = remote.commit_on_refs(owner, repo, refs, sha, label)?;
    if on_refs {
        return Ok(());
    }
    outcome.findings.push(
        Finding::new(
            RULE_IMPOSTOR,
            Severity::Critical,
            format!(
                "`{}`: commit {sha} is on no branch or tag of {repo_name} (checked {} ref commit(s)); it may come from a fork (an impostor commit)",
                site.value, checked
            ),
            Some(location.clone()),
            &format!("{repo_name}@{sha}"),
        )
        .with_confidence(Confidence::High)
        .with_fix("pin a commit of a release of the repository itself (`ci-intel-policy pin` on the tag)"),
    );
    Ok(())
}
