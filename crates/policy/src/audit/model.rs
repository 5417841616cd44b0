//! What the rules see: the parsed document, its kind, its source text and
//! the options, with helpers to walk workflows and actions.

use ci_intel_core::{Confidence, Severity};

use super::Options;
use super::source::Source;
use super::yaml::{Node, Pos};

/// What kind of file a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Workflow,
    /// `action.yml`: composite, Docker or JavaScript action metadata.
    Action,
    Dependabot,
    /// `.pre-commit-config.yaml`: only its `repos[].repo`/`rev` are read.
    PreCommit,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Workflow => "workflow",
            DocKind::Action => "action",
            DocKind::Dependabot => "dependabot",
            DocKind::PreCommit => "pre-commit",
        }
    }
}

/// The values `matrix.KEY` takes in `job`'s static matrix: every scalar of
/// the `KEY` dimension and of `include` entries (which may themselves hold
/// expressions). `None` when the matrix is computed at run time
/// (`fromJSON`), or names no such key.
pub fn static_matrix_values<'a>(job: &'a Node, key: &str) -> Option<Vec<&'a str>> {
    let matrix = job.get("strategy")?.get("matrix")?;
    if !matrix.is_map() {
        return None;
    }
    let mut values: Vec<&'a str> = Vec::new();
    let mut found = false;
    if let Some(dimension) = matrix.get(key) {
        if !dimension.is_seq() {
            return None;
        }
        for item in dimension.items() {
            values.push(item.as_str()?);
        }
        found = true;
    }
    if let Some(include) = matrix.get("include") {
        if !include.is_seq() {
            return None;
        }
        for entry in include.items() {
            if let Some(value) = entry.get(key) {
                values.push(value.as_str()?);
                found = true;
            }
        }
    }
    values.dedup();
    found.then_some(values)
}

/// One result of a rule, before configuration and ignore comments apply.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rule: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: String,
    pub pos: Pos,
    /// Identifies the offending thing independently of its line.
    pub subject: String,
    pub fix: Option<String>,
    /// Another line whose ignore comment also silences this hit (the line of
    /// the enclosing key when the hit points inside a block scalar).
    pub also_line: Option<u32>,
}

impl Hit {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        pos: Pos,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Hit {
            rule,
            severity,
            confidence: Confidence::High,
            message: message.into(),
            pos,
            subject: subject.into(),
            fix: None,
            also_line: None,
        }
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    pub fn confidence(mut self, confidence: Confidence) -> Self {
        self.confidence = confidence;
        self
    }

    pub fn also_line(mut self, line: u32) -> Self {
        self.also_line = Some(line);
        self
    }
}

/// A step and where it lives.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    /// The job id (workflows) or `None` (composite actions).
    pub job: Option<&'a str>,
    pub job_node: Option<&'a Node>,
    pub index: usize,
    pub node: &'a Node,
}

impl Step<'_> {
    /// `job 'build' step 3` or `step 3`, for messages and subjects.
    pub fn describe(&self) -> String {
        let name = self
            .node
            .get("name")
            .or_else(|| self.node.get("id"))
            .and_then(Node::as_str)
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        match self.job {
            Some(job) => format!("job `{job}` step {}{name}", self.index + 1),
            None => format!("step {}{name}", self.index + 1),
        }
    }

    pub fn uses(&self) -> Option<Uses> {
        self.node
            .get("uses")
            .and_then(|n| n.as_str().map(|s| Uses::parse(s, n.pos)))
    }
}

/// Everything a rule gets.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// The file as reported (relative, `/`-separated).
    pub file: &'a str,
    pub src: &'a Source<'a>,
    pub doc: &'a Node,
    pub kind: DocKind,
    pub opts: &'a Options,
    /// Every expression of the document with its parse, computed once for
    /// all the rules that read them ([`Ctx::parsed_expressions`]).
    pub parsed: std::cell::OnceCell<Vec<(ExprSite<'a>, Option<super::expr::Ast>)>>,
    /// The commands of every `run:` step, read once for all the rules that
    /// look for programs ([`super::shell::step_commands`]), by the address
    /// of the step's node.
    pub commands: std::cell::OnceCell<std::collections::HashMap<usize, Vec<super::shell::Command>>>,
}

impl<'a> Ctx<'a> {
    pub fn is_workflow(&self) -> bool {
        self.kind == DocKind::Workflow
    }

    /// The workflow's trigger names (`on: push`, `on: [a, b]`, `on: {a: ..}`).
    pub fn triggers(&self) -> Vec<(&'a str, &'a Node)> {
        let Some(on) = self.doc.get("on") else {
            return Vec::new();
        };
        if let Some(name) = on.as_str() {
            return vec![(name, on)];
        }
        if on.is_seq() {
            return on
                .items()
                .iter()
                .filter_map(|n| n.as_str().map(|s| (s, n)))
                .collect();
        }
        on.entries()
            .iter()
            .filter_map(|(k, _)| k.as_str().map(|s| (s, k)))
            .collect()
    }

    pub fn has_trigger(&self, name: &str) -> bool {
        self.triggers().iter().any(|(t, _)| *t == name)
    }

    /// The configuration of a trigger (`on.push`), if written as a mapping.
    pub fn trigger_config(&self, name: &str) -> Option<&'a Node> {
        self.doc.get("on").and_then(|on| on.get(name))
    }

    /// `(job id, key node, job node)` for every job of a workflow.
    pub fn jobs(&self) -> Vec<(&'a str, &'a Node, &'a Node)> {
        if !self.is_workflow() {
            return Vec::new();
        }
        self.doc
            .get("jobs")
            .map(|jobs| {
                jobs.entries()
                    .iter()
                    .filter_map(|(k, v)| k.as_str().map(|name| (name, k, v)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every step: workflow job steps, or a composite action's steps.
    pub fn steps(&self) -> Vec<Step<'a>> {
        let mut out = Vec::new();
        match self.kind {
            DocKind::Workflow => {
                for (name, _, job) in self.jobs() {
                    if let Some(steps) = job.get("steps") {
                        for (index, node) in steps.items().iter().enumerate() {
                            out.push(Step {
                                job: Some(name),
                                job_node: Some(job),
                                index,
                                node,
                            });
                        }
                    }
                }
            }
            DocKind::Action => {
                if let Some(steps) = self.doc.get("runs").and_then(|r| r.get("steps")) {
                    for (index, node) in steps.items().iter().enumerate() {
                        out.push(Step {
                            job: None,
                            job_node: None,
                            index,
                            node,
                        });
                    }
                }
            }
            DocKind::Dependabot | DocKind::PreCommit => {}
        }
        out
    }

    /// True for a composite action.
    pub fn is_composite(&self) -> bool {
        self.kind == DocKind::Action
            && self
                .doc
                .get("runs")
                .and_then(|r| r.get("using"))
                .and_then(Node::as_str)
                == Some("composite")
    }

    /// Does a job run for pull requests from forks? True when the workflow
    /// triggers on `pull_request`/`pull_request_target` and the job's `if:`
    /// does not restrict it to the same repository.
    pub fn fork_reachable(&self, job: &Node) -> bool {
        if !(self.has_trigger("pull_request") || self.has_trigger("pull_request_target")) {
            return false;
        }
        !self.restricted_to_same_repository(job)
    }

    /// Does the job's `if:` keep it to events from this repository (not
    /// from forks)?
    pub fn restricted_to_same_repository(&self, job: &Node) -> bool {
        let guard = job.get("if").and_then(Node::as_str).unwrap_or("");
        ((guard.contains("head.repo.full_name") || guard.contains("head_repository.full_name"))
            && guard.contains("github.repository"))
            || guard.contains("head.repo.fork == false")
            || guard.contains("!github.event.pull_request.head.repo.fork")
    }
}

/// One expression in a document: a `${{ ... }}` in any value, or the whole
/// value of an `if:` written without the fence.
#[derive(Debug, Clone)]
pub struct ExprSite<'a> {
    /// The expression's text, without the fence.
    pub text: &'a str,
    /// Where it is: its own line inside a block scalar.
    pub pos: Pos,
    /// The scalar it is in.
    pub node: &'a Node,
    /// The key whose value holds it (the nearest mapping key).
    pub key: Option<&'a Node>,
    /// Written as `${{ ... }}` (false for a bare `if:`).
    pub fenced: bool,
}

impl<'a> Ctx<'a> {
    /// Every expression of the document, in document order.
    pub fn expression_sites(&self) -> Vec<ExprSite<'a>> {
        self.expression_sites_in(self.doc)
    }

    /// The first `needle` at or after `from` (line, byte offset) up to line
    /// `last`: its position and where to search on from.
    fn find_from(
        &self,
        from: (u32, usize),
        last: u32,
        needle: &str,
    ) -> Option<(Pos, (u32, usize))> {
        if needle.is_empty() {
            return None;
        }
        for n in from.0..=last.max(from.0) {
            let line = self.src.line(n);
            let skip = if n == from.0 { from.1 } else { 0 };
            let Some(byte) = line.get(skip..).and_then(|rest| rest.find(needle)) else {
                continue;
            };
            let start = skip + byte;
            let col = u32::try_from(line[..start].chars().count() + 1).unwrap_or(u32::MAX);
            let len = u32::try_from(needle.chars().count()).unwrap_or(u32::MAX);
            let pos = Pos {
                line: n,
                col,
                end_line: n,
                end_col: col.saturating_add(len),
            };
            return Some((pos, (n, start + needle.len())));
        }
        None
    }

    /// One hit (of `rule`, at `severity`) for every expression of the
    /// document with a node for which `matches` holds; an ignore comment on
    /// the key holding the expression counts too.
    pub fn report_expressions(
        &self,
        rule: &'static str,
        severity: Severity,
        matches: fn(&super::expr::Ast) -> bool,
        message: &str,
        fix: &str,
        hits: &mut Vec<Hit>,
    ) {
        for (site, ast) in self.parsed_expressions() {
            let Some(ast) = ast else { continue };
            if !ast.walk().into_iter().any(matches) {
                continue;
            }
            let mut hit = Hit::new(
                rule,
                severity,
                site.pos,
                format!("expr:{}", site.text),
                message,
            )
            .fix(fix);
            if let Some(key) = site.key {
                hit = hit.also_line(key.pos.line);
            }
            hits.push(hit);
        }
    }

    /// Every expression of the document with its structure (`None` when it
    /// does not parse), parsed once per file.
    pub fn parsed_expressions(&self) -> &[(ExprSite<'a>, Option<super::expr::Ast>)] {
        self.parsed.get_or_init(|| {
            self.expression_sites()
                .into_iter()
                .map(|site| {
                    let ast = super::expr::parse(site.text);
                    (site, ast)
                })
                .collect()
        })
    }

    /// Every expression under `root`, in document order.
    pub fn expression_sites_in(&self, root: &'a Node) -> Vec<ExprSite<'a>> {
        let mut out = Vec::new();
        // (node, nearest key); a stack, so depth does not recurse.
        let mut stack: Vec<(&'a Node, Option<&'a Node>)> = vec![(root, None)];
        while let Some((node, key)) = stack.pop() {
            match &node.kind {
                super::yaml::Kind::Scalar { value, .. } => {
                    let bare_if = key.and_then(Node::as_str) == Some("if")
                        && !value.contains("${{")
                        && !value.trim().is_empty();
                    if bare_if {
                        // At the `if:` line, as zizmor reports conditions.
                        out.push(ExprSite {
                            text: value.trim(),
                            pos: key.map_or(node.pos, |k| k.pos),
                            node,
                            key,
                            fenced: false,
                        });
                        continue;
                    }
                    // Where to search on from: (line, byte offset in it), so a
                    // repeated expression is found at its own place.
                    let first_line = self.src.line(node.pos.line);
                    let start = first_line
                        .char_indices()
                        .nth(node.pos.col.saturating_sub(1) as usize)
                        .map_or(0, |(i, _)| i);
                    let mut from = (node.pos.line, start);
                    for found in super::expr::expressions(value) {
                        let first = found.raw.lines().next().unwrap_or(found.raw);
                        let pos = match self.find_from(from, node.pos.end_line, first) {
                            Some((pos, next)) => {
                                from = next;
                                pos
                            }
                            None => node.pos,
                        };
                        out.push(ExprSite {
                            text: found.inner,
                            pos,
                            node,
                            key,
                            fenced: true,
                        });
                    }
                }
                super::yaml::Kind::Seq(items) => {
                    stack.extend(items.iter().rev().map(|n| (n, key)));
                }
                super::yaml::Kind::Map(entries) => {
                    stack.extend(entries.iter().rev().map(|(k, v)| (v, Some(k))));
                }
            }
        }
        out
    }
}

/// A `uses:` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uses {
    pub raw: String,
    pub pos: Pos,
    pub target: UsesTarget,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsesTarget {
    /// `./path` in the workspace.
    Local,
    /// `$/path`: this repository at the running commit (ci-intel's convention).
    SelfRepository,
    /// `docker://image[:tag][@sha256:..]`.
    Docker { image: String },
    /// `owner/repo[/path][@ref]`.
    Remote {
        owner: String,
        repo: String,
        path: Option<String>,
        git_ref: Option<String>,
    },
}

impl Uses {
    pub fn parse(raw: &str, pos: Pos) -> Uses {
        let value = raw.trim();
        let target = if value.starts_with("./") || value.starts_with("../") || value == "." {
            UsesTarget::Local
        } else if value.starts_with("$/") {
            UsesTarget::SelfRepository
        } else if let Some(image) = value.strip_prefix("docker://") {
            UsesTarget::Docker {
                image: image.to_owned(),
            }
        } else {
            let (target, git_ref) = match value.split_once('@') {
                Some((t, r)) => (t, Some(r.to_owned())),
                None => (value, None),
            };
            let mut parts = target.splitn(3, '/');
            UsesTarget::Remote {
                owner: parts.next().unwrap_or_default().to_owned(),
                repo: parts.next().unwrap_or_default().to_owned(),
                path: parts.next().map(str::to_owned),
                git_ref,
            }
        };
        Uses {
            raw: value.to_owned(),
            pos,
            target,
        }
    }

    /// `owner/repo` of a remote reference.
    pub fn repository(&self) -> Option<String> {
        match &self.target {
            UsesTarget::Remote { owner, repo, .. } => Some(format!("{owner}/{repo}")),
            _ => None,
        }
    }

    /// `owner/repo[/path]` lower-cased, for matching well-known actions.
    pub fn action_name(&self) -> Option<String> {
        match &self.target {
            UsesTarget::Remote {
                owner, repo, path, ..
            } => Some(
                match path {
                    Some(p) => format!("{owner}/{repo}/{p}"),
                    None => format!("{owner}/{repo}"),
                }
                .to_ascii_lowercase(),
            ),
            _ => None,
        }
    }

    pub fn is_action(&self, name: &str) -> bool {
        self.action_name().as_deref() == Some(name)
    }

    pub fn git_ref(&self) -> Option<&str> {
        match &self.target {
            UsesTarget::Remote { git_ref, .. } => git_ref.as_deref(),
            _ => None,
        }
    }
}

/// What a git ref looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefShape {
    /// A full 40-hex commit SHA (or 64-hex, SHA-256 repositories).
    Sha,
    /// 7 to 39 hex digits: an abbreviated SHA, which can become ambiguous.
    ShortSha,
    /// `v1.2.3`, `1.2.3`, `v1.2.3-rc.1`.
    ExactTag,
    /// `v1`, `1`.
    MajorTag,
    /// `v1.2`.
    MinorTag,
    /// A branch name everyone recognises (`main`, `master`, ...).
    KnownBranch,
    /// Any other name: a branch or a moving tag, as far as we can tell offline.
    OtherName,
    /// `${{ ... }}`.
    Expression,
}

pub fn ref_shape(git_ref: &str) -> RefShape {
    let r = git_ref.trim();
    if r.contains("${{") {
        return RefShape::Expression;
    }
    let hex = !r.is_empty() && r.chars().all(|c| c.is_ascii_hexdigit());
    if hex && (r.len() == 40 || r.len() == 64) {
        return RefShape::Sha;
    }
    let digits = r
        .strip_prefix('v')
        .or_else(|| r.strip_prefix('V'))
        .unwrap_or(r);
    let core = digits.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    let numeric = !core.is_empty()
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if numeric {
        return match parts.len() {
            1 if digits == core => RefShape::MajorTag,
            2 if digits == core => RefShape::MinorTag,
            _ => RefShape::ExactTag,
        };
    }
    if hex && r.len() >= 7 && r.chars().any(|c| c.is_ascii_digit()) {
        return RefShape::ShortSha;
    }
    let lower = r.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "main"
            | "master"
            | "develop"
            | "dev"
            | "trunk"
            | "head"
            | "latest"
            | "stable"
            | "nightly"
            | "next"
            | "edge"
            | "canary"
            | "release"
            | "releases"
            | "default"
    ) || lower.starts_with("releases/")
        || lower.starts_with("release/")
        || lower.starts_with("refs/heads/")
    {
        return RefShape::KnownBranch;
    }
    RefShape::OtherName
}

/// Is `comment` a version in Renovate's format (`v1.2.3`, optionally with a
/// pre-release or build suffix, or `tag=v1.2.3`)?
pub fn is_version_comment(comment: &str) -> bool {
    let first = comment.split_whitespace().next().unwrap_or("");
    let first = first.strip_prefix("tag=").unwrap_or(first);
    let Some(version) = first.strip_prefix('v') else {
        return false;
    };
    let core = version.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_shapes() {
        assert_eq!(ref_shape(&"a".repeat(40)), RefShape::Sha);
        assert_eq!(ref_shape("abc1234"), RefShape::ShortSha);
        assert_eq!(ref_shape("v4"), RefShape::MajorTag);
        assert_eq!(ref_shape("4"), RefShape::MajorTag);
        assert_eq!(ref_shape("v4.1"), RefShape::MinorTag);
        assert_eq!(ref_shape("v4.1.7"), RefShape::ExactTag);
        assert_eq!(ref_shape("v1.0.0-rc.1"), RefShape::ExactTag);
        assert_eq!(ref_shape("main"), RefShape::KnownBranch);
        assert_eq!(ref_shape("releases/v1"), RefShape::KnownBranch);
        assert_eq!(ref_shape("feature-x"), RefShape::OtherName);
        assert_eq!(ref_shape("deadbeef"), RefShape::OtherName);
    }

    #[test]
    fn version_comments() {
        assert!(is_version_comment("v1.2.3"));
        assert!(is_version_comment("v1.2.3-rc.1 more text"));
        assert!(is_version_comment("tag=v1.2.3"));
        assert!(!is_version_comment("v1"));
        assert!(!is_version_comment("1.2.3"));
        assert!(!is_version_comment("pinned"));
    }
}
