//! ## What it does
//! Reports, in workflows:
//! - no top-level `permissions:` while some job has none either (the token
//!   then gets the repository default, which is read-write on many
//!   repositories);
//! - `permissions: write-all` or `read-all`, at workflow or job level;
//! - write scopes granted at workflow level, where every job gets them,
//!   instead of on the job that needs them;
//! - `id-token: write` on a job that someone outside the repository can
//!   start with the base repository's token (no `if:` restricting it to the
//!   same repository): high for `pull_request_target` (the fork's code is
//!   commonly checked out there), medium for `workflow_run`,
//!   `issue_comment`, `issues`, `discussion` and `discussion_comment` (the
//!   base repository's code runs; the token leaks only through another
//!   weakness).
//!
//! Deliberately not flagged: `id-token: write` on jobs that run for
//! `pull_request` (GitHub gives runs for fork pull requests a read-only
//! token and no OIDC token, unless a private repository opts in to sending
//! write tokens to forks; same-repository branches are pushed by people
//! who already have write access), or for `push`, `schedule`,
//! `workflow_dispatch` and other triggers only people with write access
//! cause; `id-token: write` in a reusable workflow (`on: workflow_call`),
//! which its caller's job grants and is judged there; a missing top-level
//! `permissions:` when every job sets its own.
//!
//! ## Why is this bad?
//! `GITHUB_TOKEN` is available to every step of a job, including every
//! third-party action. Whatever it may do, a compromised dependency may do.
//! Least privilege limits the damage to what each job really needs.
//!
//! ## Example
//! ```yaml
//! on: push
//! permissions: write-all
//! jobs:
//!   build:
//!     runs-on: ubuntu-24.04
//!     steps:
//!       - run: make
//! ```
//!
//! ## Fix
//! Deny everything at workflow level and grant per job:
//! ```yaml
//! permissions: {}
//! jobs:
//!   release:
//!     permissions:
//!       contents: write
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[excessive-permissions]` on the reported line.

use ci_intel_core::{Confidence, Severity};

use super::Rule;
use crate::audit::model::{Ctx, Hit};
use crate::audit::yaml::Node;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "excessive-permissions",
    title: "GITHUB_TOKEN permissions broader than the jobs need",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    if !ctx.is_workflow() {
        return;
    }
    let jobs = ctx.jobs();
    let top = ctx.doc.entry("permissions");
    match top {
        None => {
            let bare: Vec<&str> = jobs
                .iter()
                .filter(|(_, _, job)| job.get("permissions").is_none())
                .map(|(name, _, _)| *name)
                .collect();
            if !bare.is_empty() {
                let at = ctx
                    .doc
                    .entry("jobs")
                    .map(|(k, _)| k.pos)
                    .unwrap_or(ctx.doc.pos);
                hits.push(
                    Hit::new(
                        RULE.id,
                        Severity::Medium,
                        at,
                        "no-top-level-permissions",
                        format!(
                            "no top-level `permissions:`, so job(s) {} get the repository's default token permissions (read-write on many repositories)",
                            bare.iter().map(|j| format!("`{j}`")).collect::<Vec<_>>().join(", ")
                        ),
                    )
                    .fix("add `permissions: {}` (or `contents: read`) at the top and grant write scopes per job"),
                );
            }
        }
        Some((_, value)) => {
            blanket(value, "the workflow", hits);
            for (scope, level) in value.entries() {
                if level.as_str() == Some("write") {
                    let scope = scope.as_str().unwrap_or("?");
                    hits.push(
                        Hit::new(
                            RULE.id,
                            Severity::Medium,
                            level.pos,
                            format!("workflow-write:{scope}"),
                            format!("`{scope}: write` is granted at workflow level, so every job's token can write; grant it on the job that needs it"),
                        )
                        .fix("move the write scope to the `permissions:` of the job that needs it"),
                    );
                }
            }
        }
    }
    for (name, _, job) in &jobs {
        if let Some(value) = job.get("permissions") {
            blanket(value, &format!("job `{name}`"), hits);
        }
        if let Some((trigger, severity)) = outsider_trigger(ctx)
            && !ctx.restricted_to_same_repository(job)
        {
            let id_token = job
                .get("permissions")
                .or_else(|| top.map(|(_, v)| v))
                .and_then(|p| p.get("id-token"));
            if let Some(node) = id_token
                && node.as_str() == Some("write")
            {
                hits.push(
                    Hit::new(
                        RULE.id,
                        severity,
                        node.pos,
                        format!("id-token:{name}"),
                        format!("job `{name}` can mint OIDC tokens (`id-token: write`) and runs for `{trigger}`, which someone outside the repository can cause, with the base repository's token"),
                    )
                    .confidence(Confidence::Medium)
                    .fix("grant `id-token: write` only to jobs outsiders cannot start (split the job, or add an `if:` restricting it to this repository)"),
                );
            }
        }
    }
}

/// The first trigger of the workflow that someone without write access can
/// cause and that runs with the base repository's token (OIDC included),
/// with the severity of an OIDC grant there. `pull_request` is not one:
/// GitHub gives runs for fork pull requests a read-only token and no OIDC
/// token, and same-repository branches are pushed by people with write
/// access.
fn outsider_trigger(ctx: &Ctx<'_>) -> Option<(&'static str, Severity)> {
    // The fork's own code is commonly checked out and run here.
    if ctx.has_trigger("pull_request_target") {
        return Some(("pull_request_target", Severity::High));
    }
    // Started by outsiders, but running the base repository's code: the
    // token is exposed only through another weakness (an injection).
    [
        "workflow_run",
        "issue_comment",
        "issues",
        "discussion",
        "discussion_comment",
    ]
    .into_iter()
    .find(|t| ctx.has_trigger(t))
    .map(|t| (t, Severity::Medium))
}

fn blanket(value: &Node, owner: &str, hits: &mut Vec<Hit>) {
    let Some(text) = value.as_str() else { return };
    let (severity, what) = match text {
        "write-all" => (Severity::High, "every scope with write access"),
        "read-all" => (
            Severity::Medium,
            "read access to every scope, including ones no job needs",
        ),
        _ => return,
    };
    hits.push(
        Hit::new(
            RULE.id,
            severity,
            value.pos,
            format!("{owner}:{text}"),
            format!("{owner} grants `permissions: {text}`: {what}"),
        )
        .fix("list only the scopes the job needs, e.g. `contents: read`"),
    );
}
