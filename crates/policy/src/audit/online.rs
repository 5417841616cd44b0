//! `audit --online`: the rules that ask the forge (zizmor's online audits).
//!
//! They share one [`Forge`]: the `pin` command's client (git protocol v2
//! `ls-refs` over smart HTTP for refs, octocrab for the REST calls), with
//! its timeout, bounded retries and per-run cache, so a repository's refs
//! are listed once however many files and rules use it. The rules run
//! after the offline pass, one file at a time (the client is not shared
//! between threads), through the same ignore comments, `if: false` ranges
//! and `policy.rules` settings as every other rule.
//!
//! A call that fails (unreachable host, 5xx or 429 after the retries, 401
//! or 403) ends the run with exit 3 and a message naming the repository,
//! the URL and what to do: an online rule is never skipped silently. A
//! repository that does not exist (404) is an `unresolvable-ref` finding.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use ci_intel_core::Failure;

use super::facts::pre_commit_uses;
use super::model::{Ctx, DocKind, RefShape, Uses, UsesTarget, ref_shape};
use super::rules::unpinned_uses::all_uses;
use super::yaml::{Node, Pos};
use crate::pin::remote::{Advisory, Remote, RepoRefs, RepoUnavailable};

/// The forge, as the online rules see it.
#[derive(Debug)]
pub struct Forge {
    remote: Remote,
    advisories: RefCell<HashMap<String, Rc<Vec<Advisory>>>>,
}

/// Where a reference sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteKind {
    /// A step's `uses:` (workflow job or composite action).
    Step,
    /// A job's `uses:` (a reusable workflow).
    Job,
    /// A `.pre-commit-config.yaml` hook repository (`repo:` and `rev:`).
    PreCommit,
}

/// A reference to another repository at a ref, as the online rules check it.
#[derive(Debug, Clone)]
pub struct Site {
    pub kind: SiteKind,
    /// As written (`owner/repo/path@ref`, or `owner/repo@rev` for pre-commit).
    pub raw: String,
    pub owner: String,
    pub repo: String,
    pub git_ref: String,
    /// Where findings point: the `uses:` value, or the hook's `rev:`.
    pub pos: Pos,
    /// The version comment (first word) after the value, if any.
    pub label: Option<String>,
}

impl Site {
    pub fn repository(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }

    /// A full commit SHA (lower case), if the ref is one.
    pub fn sha(&self) -> Option<String> {
        (ref_shape(&self.git_ref) == RefShape::Sha).then(|| self.git_ref.to_ascii_lowercase())
    }

    /// A branch or tag name (not a SHA, abbreviated SHA or expression).
    pub fn symbolic(&self) -> Option<&str> {
        (!matches!(
            ref_shape(&self.git_ref),
            RefShape::Sha | RefShape::ShortSha | RefShape::Expression
        ))
        .then_some(self.git_ref.as_str())
    }
}

impl Forge {
    pub fn new(remote: Remote) -> Forge {
        Forge {
            remote,
            advisories: RefCell::new(HashMap::new()),
        }
    }

    pub fn remote(&self) -> &Remote {
        &self.remote
    }

    /// The refs of `owner/repo`. `Ok(Err(..))`: the repository does not
    /// exist (404); 401 and 403 are failures (exit 3), never a skip.
    pub fn refs(
        &self,
        owner: &str,
        repo: &str,
    ) -> Result<Rc<Result<RepoRefs, RepoUnavailable>>, Failure> {
        let listed = self.remote.refs(owner, repo)?;
        if let Err(unavailable) = listed.as_ref()
            && unavailable.status != 404
        {
            return Err(Failure::infra(format!(
                "{owner}/{repo}: GET {} answered HTTP {}: the token is missing, invalid or may not read it (GitHub also answers 401 to an anonymous request for a repository that does not exist or is private); set GH_TOKEN or GITHUB_TOKEN (or --token) to a token that can read it, or run without --online",
                unavailable.url, unavailable.status
            )));
        }
        Ok(listed)
    }

    /// The refs of an existing repository, or `None` for a 404 (which
    /// `unresolvable-ref` reports).
    pub fn existing_refs(
        &self,
        site: &Site,
    ) -> Result<Option<Rc<Result<RepoRefs, RepoUnavailable>>>, Failure> {
        let listed = self.refs(&site.owner, &site.repo)?;
        Ok(listed.as_ref().is_ok().then_some(listed))
    }

    /// The advisories of the action `owner/repo`, once per run.
    pub fn advisories(&self, owner: &str, repo: &str) -> Result<Rc<Vec<Advisory>>, Failure> {
        let key = format!("{owner}/{repo}").to_ascii_lowercase();
        if let Some(hit) = self.advisories.borrow().get(&key) {
            return Ok(Rc::clone(hit));
        }
        let found = Rc::new(self.remote.advisories(owner, repo)?);
        self.advisories.borrow_mut().insert(key, Rc::clone(&found));
        Ok(found)
    }
}

fn first_word(comment: Option<&str>) -> Option<String> {
    let word = comment?.split_whitespace().next()?;
    let word = word.strip_prefix("tag=").unwrap_or(word);
    (!word.is_empty()).then(|| word.to_owned())
}

fn remote_site(ctx: &Ctx<'_>, uses: &Uses, kind: SiteKind, pos: Pos) -> Option<Site> {
    let UsesTarget::Remote {
        owner,
        repo,
        git_ref: Some(git_ref),
        ..
    } = &uses.target
    else {
        return None;
    };
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    if !plain(owner) || !plain(repo) || git_ref.is_empty() {
        return None;
    }
    if ref_shape(git_ref) == RefShape::Expression {
        return None;
    }
    Some(Site {
        kind,
        raw: uses.raw.clone(),
        owner: owner.clone(),
        repo: repo.clone(),
        git_ref: git_ref.clone(),
        pos,
        label: first_word(ctx.src.trailing_comment(pos.line, &uses.raw)),
    })
}

/// Every reference of the document to another repository at a ref: step
/// and job `uses:` of workflows and composite actions, and the hook
/// repositories of a `.pre-commit-config.yaml` hosted on GitHub.
/// Expressions, local paths, `docker://` and references without a ref are
/// not sites.
pub fn sites(ctx: &Ctx<'_>) -> Vec<Site> {
    let mut out = Vec::new();
    match ctx.kind {
        DocKind::Workflow | DocKind::Action => {
            let job_lines: Vec<u32> = ctx
                .jobs()
                .iter()
                .filter_map(|(_, _, job)| job.get("uses").map(|n| n.pos.line))
                .collect();
            for uses in all_uses(ctx) {
                let kind = if job_lines.contains(&uses.pos.line) {
                    SiteKind::Job
                } else {
                    SiteKind::Step
                };
                out.extend(remote_site(ctx, &uses, kind, uses.pos));
            }
        }
        DocKind::PreCommit => {
            let entries: Vec<&Node> = ctx
                .doc
                .get("repos")
                .map(|r| r.items().iter().collect())
                .unwrap_or_default();
            for uses in pre_commit_uses(ctx) {
                // Point at the entry's `rev:` (what to change), as zizmor does.
                let rev_pos = entries
                    .iter()
                    .find(|e| e.get("repo").is_some_and(|r| r.pos == uses.pos))
                    .and_then(|e| e.get("rev"))
                    .map_or(uses.pos, |r| r.pos);
                if let Some(mut site) = remote_site(ctx, &uses, SiteKind::PreCommit, rev_pos) {
                    site.label = None;
                    out.push(site);
                }
            }
        }
        DocKind::Dependabot => {}
    }
    out
}

/// Run the online rules of the persona on every target (after excludes),
/// one file at a time.
pub fn audit_targets(
    targets: &[super::Target],
    opts: &super::Options,
    forge: &Forge,
) -> Result<super::FileOutcome, Failure> {
    let rules: Vec<&super::rules::OnlineRule> = super::rules::ONLINE_RULES
        .iter()
        .filter(|r| r.persona <= opts.persona)
        .filter(|r| opts.policy.rules.get(r.id).is_none_or(|s| s.enabled))
        .collect();
    let mut out = super::FileOutcome::default();
    if rules.is_empty() {
        return Ok(out);
    }
    for target in targets.iter().filter(|t| !opts.excluded(&t.display)) {
        let bytes = std::fs::read(&target.path)
            .map_err(|e| Failure::infra(format!("cannot read {}: {e}", target.path.display())))?;
        let file = super::check_document(
            &target.display,
            &bytes,
            target.kind,
            opts,
            &mut |ctx, hits| {
                for rule in &rules {
                    (rule.check)(ctx, forge, hits)?;
                }
                Ok(())
            },
        )?;
        out.findings.extend(file.findings);
        out.suppressed.extend(file.suppressed);
    }
    Ok(out)
}
