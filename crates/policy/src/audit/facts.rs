//! Small facts about steps and jobs that several rules ask.

use super::model::{Ctx, DocKind, Step, Uses};
use super::yaml::Node;

/// A step whose `if:` is statically false (`false`, `${{ false }}`) never
/// runs; rules that judge what a step does skip it.
pub fn never_runs(step: &Step<'_>) -> bool {
    let Some(cond) = step.node.get("if") else {
        return false;
    };
    if cond.as_bool() == Some(false) {
        return true;
    }
    let text = cond.as_str().unwrap_or("").trim();
    let inner = text
        .strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .unwrap_or(text)
        .trim();
    inner == "false"
}

/// Is a `with:` input set to true (`true`, `"true"`, any case)?
pub fn truthy(node: Option<&Node>) -> bool {
    node.is_some_and(|n| {
        n.as_bool() == Some(true)
            || n.as_str()
                .is_some_and(|s| s.trim().eq_ignore_ascii_case("true"))
    })
}

/// Is a `with:` input set to false (`false`, `"false"`, any case)?
pub fn falsy(node: Option<&Node>) -> bool {
    node.is_some_and(|n| {
        n.as_bool() == Some(false)
            || n.as_str()
                .is_some_and(|s| s.trim().eq_ignore_ascii_case("false"))
    })
}

/// Is the value an expression (`${{ ... }}`)?
pub fn is_expression(node: &Node) -> bool {
    node.as_str().is_some_and(|s| s.contains("${{"))
}

/// Does the step's job get `id-token: write` (its own `permissions:`, or the
/// workflow's when the job has none)? Composite actions: unknown, false.
pub fn job_has_id_token(ctx: &Ctx<'_>, step: &Step<'_>) -> bool {
    let Some(job) = step.job_node else {
        return false;
    };
    let permissions = job
        .get("permissions")
        .or_else(|| ctx.doc.get("permissions"));
    match permissions {
        Some(p) if p.is_map() => p
            .get("id-token")
            .and_then(Node::as_str)
            .is_some_and(|v| v == "write"),
        Some(p) => p.as_str() == Some("write-all"),
        None => false,
    }
}

/// Each `repos[].repo` of a `.pre-commit-config.yaml` (not `local` or
/// `meta`), with its node.
pub fn pre_commit_repos<'a>(ctx: &Ctx<'a>) -> Vec<(&'a str, &'a Node)> {
    if ctx.kind != DocKind::PreCommit {
        return Vec::new();
    }
    ctx.doc
        .get("repos")
        .map(|repos| {
            repos
                .items()
                .iter()
                .filter_map(|r| {
                    let node = r.get("repo")?;
                    let url = node.as_str()?;
                    (url != "local" && url != "meta").then_some((url, node))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The pre-commit hooks hosted on github.com, as `uses:`-like references
/// (`owner/repo@rev`) placed on their `repo:` line, for the rules about
/// which repositories a project trusts.
pub fn pre_commit_uses(ctx: &Ctx<'_>) -> Vec<Uses> {
    let Some(repos) = ctx
        .doc
        .get("repos")
        .filter(|_| ctx.kind == DocKind::PreCommit)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in repos.items() {
        let Some(node) = entry.get("repo") else {
            continue;
        };
        let Some(url) = node.as_str() else { continue };
        let rest = url
            .trim()
            .split_once("://")
            .map(|(_, r)| r)
            .unwrap_or(url.trim());
        let rest = rest.strip_prefix("www.").unwrap_or(rest);
        let Some(path) = rest
            .strip_prefix("github.com/")
            .or_else(|| rest.strip_prefix("git@github.com:"))
        else {
            continue;
        };
        let mut parts = path.trim_end_matches('/').splitn(3, '/');
        let (Some(owner), Some(repo)) = (parts.next(), parts.next()) else {
            continue;
        };
        let repo = repo.strip_suffix(".git").unwrap_or(repo);
        if owner.is_empty() || repo.is_empty() {
            continue;
        }
        let rev = entry.get("rev").and_then(Node::as_str);
        let raw = match rev {
            Some(rev) => format!("{owner}/{repo}@{rev}"),
            None => format!("{owner}/{repo}"),
        };
        out.push(Uses::parse(&raw, node.pos));
    }
    out
}
