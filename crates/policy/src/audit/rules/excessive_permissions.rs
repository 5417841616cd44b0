//! ## What it does
//! Reports, in workflows, zizmor's findings (under its name) plus one more:
//! - no top-level `permissions:`: the jobs without their own then get the
//!   repository's default token (read-write on many repositories). Reported
//!   at the workflow, and at each such job;
//! - `permissions: write-all` (high) or `read-all` (medium), at workflow or
//!   job level;
//! - write scopes granted at workflow level, where every job without its
//!   own `permissions:` gets them, instead of on the job that needs them.
//!   Severity by scope, as zizmor rates them: high for `actions`,
//!   `attestations`, `contents`, `deployments`, `id-token`, `issues`,
//!   `packages`, `pages` and `pull-requests`; medium for `checks`,
//!   `discussions`, `repository-projects` and `security-events`; low for
//!   `models` and `statuses`; an unknown scope is medium at low confidence;
//! - a job calling a reusable workflow (`uses:`) with no `permissions:`
//!   where the workflow has none either: the called workflow's jobs can use
//!   the whole default token, so the caller should say what they get;
//! - beyond zizmor: `id-token: write` on a job that someone outside the
//!   repository can start with the base repository's token (no `if:`
//!   restricting it to the same repository): high for
//!   `pull_request_target` (the fork's code is commonly checked out there),
//!   medium for `workflow_run`, `issue_comment`, `issues`, `discussion` and
//!   `discussion_comment` (the base repository's code runs; the token leaks
//!   only through another weakness).
//!
//! Reported only in the `pedantic` persona, as zizmor does, because no job
//! or every job but a formality receives them:
//! - workflow-level permissions (missing, or write scopes) when every job
//!   sets its own `permissions:` (no job receives them), when the workflow
//!   is reusable only (`on: workflow_call`: the caller's job grants the
//!   token), or, for write scopes and a missing block, when the workflow
//!   has a single job (the workflow-level grant is that job's grant, and
//!   whether a job needs a scope cannot be told from the file). A blanket
//!   `write-all` or `read-all` received by a single job stays a regular
//!   finding: no job needs every scope. (zizmor counts only jobs with
//!   steps when it asks whether every job sets its own permissions; a job
//!   calling a reusable workflow receives the workflow-level grant too, so
//!   here it counts.)
//! - a missing job-level block in a reusable-only workflow.
//!
//! Deliberately not flagged: explicit job-level scopes (whether a job needs
//! a scope cannot be told from the file); `permissions: {}`;
//! `id-token: write` on jobs that run for `pull_request` (GitHub gives runs
//! for fork pull requests a read-only token and no OIDC token, unless a
//! private repository opts in to sending write tokens to forks;
//! same-repository branches are pushed by people who already have write
//! access), or for `push`, `schedule`, `workflow_dispatch` and other
//! triggers only people with write access cause; `id-token: write` in a
//! reusable workflow, which its caller's job grants and is judged there.
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

/// How zizmor rates `write` on each scope at workflow level.
const SCOPE_SEVERITY: &[(&str, Severity)] = &[
    ("actions", Severity::High),
    ("attestations", Severity::High),
    ("checks", Severity::Medium),
    ("contents", Severity::High),
    ("deployments", Severity::High),
    ("discussions", Severity::Medium),
    ("id-token", Severity::High),
    ("issues", Severity::High),
    ("models", Severity::Low),
    ("packages", Severity::High),
    ("pages", Severity::High),
    ("pull-requests", Severity::High),
    ("repository-projects", Severity::Medium),
    ("security-events", Severity::Medium),
    ("statuses", Severity::Low),
];

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    if !ctx.is_workflow() {
        return;
    }
    let pedantic = ctx.opts.persona >= Persona::Pedantic;
    let jobs = ctx.jobs();
    let top = ctx.doc.entry("permissions");
    let triggers = ctx.triggers();
    let reusable_only = !triggers.is_empty() && triggers.iter().all(|(t, _)| *t == "workflow_call");
    // Jobs without their own block are the ones the workflow-level grant
    // (or the default token, without one) reaches.
    let receiving: Vec<&str> = jobs
        .iter()
        .filter(|(_, _, job)| job.get("permissions").is_none())
        .map(|(name, _, _)| *name)
        .collect();
    let nobody_receives = receiving.is_empty();
    let single_job = jobs.len() == 1;
    match top {
        None => {
            if !receiving.is_empty() && (pedantic || !(single_job || reusable_only)) {
                hits.push(
                    Hit::new(
                        RULE.id,
                        Severity::Medium,
                        ctx.doc.pos,
                        "no-top-level-permissions",
                        format!(
                            "no top-level `permissions:`, so job(s) {} get the repository's default token permissions (read-write on many repositories)",
                            receiving.iter().map(|j| format!("`{j}`")).collect::<Vec<_>>().join(", ")
                        ),
                    )
                    .fix("add `permissions: {}` (or `contents: read`) at the top and grant write scopes per job"),
                );
            }
        }
        Some((_, value)) => {
            let received = !(nobody_receives || reusable_only);
            if pedantic || received {
                blanket(value, "the workflow", hits);
            }
            if pedantic || (received && !single_job) {
                workflow_write_scopes(value, hits);
            }
        }
    }
    for (name, key, job) in &jobs {
        let calls_workflow = job.get("uses").is_some();
        // In a reusable-only workflow the caller's job grants the token, so
        // its own jobs' blocks matter to pedantic eyes only; a job calling
        // another reusable workflow passes the grant on, which counts.
        let job_level_counts = pedantic || !reusable_only || calls_workflow;
        match job.get("permissions") {
            Some(value) if job_level_counts => {
                blanket(value, &format!("job `{name}`"), hits);
            }
            None if top.is_none() && job_level_counts => {
                let (subject, message) = if calls_workflow {
                    (
                        format!("default:{name}"),
                        format!(
                            "job `{name}` calls a reusable workflow without `permissions:`, and the workflow sets none: the called jobs may use the repository's default token"
                        ),
                    )
                } else {
                    (
                        format!("default:{name}"),
                        format!(
                            "job `{name}` has no `permissions:` and the workflow sets none: it gets the repository's default token permissions"
                        ),
                    )
                };
                hits.push(
                    Hit::new(RULE.id, Severity::Medium, key.pos, subject, message)
                        .fix("give the job a `permissions:` block with the scopes it needs (`contents: read` for most)"),
                );
            }
            _ => {}
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

/// Each `SCOPE: write` of a workflow-level block, rated by scope.
fn workflow_write_scopes(value: &Node, hits: &mut Vec<Hit>) {
    for (scope, level) in value.entries() {
        if level.as_str() != Some("write") {
            continue;
        }
        let scope = scope.as_str().unwrap_or("?");
        let known = SCOPE_SEVERITY.iter().find(|(s, _)| *s == scope);
        let (severity, confidence) = known
            .map_or((Severity::Medium, Confidence::Low), |(_, sev)| {
                (*sev, Confidence::High)
            });
        let unknown = if known.is_none() {
            " (not a scope GitHub documents)"
        } else {
            ""
        };
        hits.push(
            Hit::new(
                RULE.id,
                severity,
                level.pos,
                format!("workflow-write:{scope}"),
                format!("`{scope}: write`{unknown} is granted at workflow level, so every job without its own `permissions:` can write; grant it on the job that needs it"),
            )
            .confidence(confidence)
            .fix("move the write scope to the `permissions:` of the job that needs it"),
        );
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
