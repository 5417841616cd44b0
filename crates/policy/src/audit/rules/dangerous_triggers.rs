//! ## What it does
//! Reports workflows triggered by `pull_request_target` or `workflow_run`,
//! unless the workflow file is listed in `policy.trigger_allowlist` with a
//! reason, an owner and an expiry date that has not passed. An expired entry
//! denies again, and says so.
//!
//! Separately, and whatever the allowlist says, it reports as critical a
//! checkout of the pull request's head in such a workflow
//! (`actions/checkout` with `ref:` set to the head SHA, head ref or
//! `refs/pull/...`, or any head of a `workflow_run`).
//!
//! ## Why is this bad?
//! Both triggers run in the context of the base repository, with its
//! secrets and a token that can write, for events that anyone with a fork
//! can cause. Running the pull request's code there ("pwn request") hands
//! those secrets and that token to the author of the pull request.
//!
//! ## Example
//! ```yaml
//! on: pull_request_target
//! jobs:
//!   test:
//!     runs-on: ubuntu-24.04
//!     steps:
//!       - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
//!         with:
//!           ref: ${{ github.event.pull_request.head.sha }}
//!       - run: make test
//! ```
//!
//! ## Fix
//! Use `pull_request` (no secrets, read-only token for forks). Where the
//! privileged trigger is really needed (labelling, commenting), never check
//! out or run the pull request's code in that workflow, and allowlist it:
//! ```yaml
//! policy:
//!   trigger_allowlist:
//!     - path: .github/workflows/label.yml
//!       reason: labels pull requests; never checks out their code
//!       owner: platform-team
//!       expires: 2026-12-31
//! ```
//!
//! ## Ignore
//! The allowlist above is the way to accept the trigger (it expires on
//! purpose). `# ci-intel: ignore[dangerous-triggers]` on the offending line
//! also works, without an owner or an expiry.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::expr;
use crate::audit::model::{Ctx, Hit};
use crate::audit::yaml::Node;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "dangerous-triggers",
    title: "pull_request_target or workflow_run outside the allowlist",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

const DANGEROUS: [&str; 2] = ["pull_request_target", "workflow_run"];

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    if !ctx.is_workflow() {
        return;
    }
    let found: Vec<_> = ctx
        .triggers()
        .into_iter()
        .filter(|(name, _)| DANGEROUS.contains(name))
        .collect();
    if found.is_empty() {
        return;
    }
    // Reported at the `on:` line, as zizmor does (an anchored or aliased
    // trigger has no line of its own); a comment on the trigger's line
    // counts too.
    let on_pos = ctx.doc.entry("on").map_or(ctx.doc.pos, |(k, _)| k.pos);
    // zizmor's one exception: every job is only `actions/labeler`, which
    // needs `pull_request_target` to label fork pull requests and runs no
    // code from them.
    let jobs = ctx.jobs();
    let labeler_only = !jobs.is_empty()
        && jobs.iter().all(|(_, _, job)| {
            let steps = job.get("steps").map(Node::items).unwrap_or_default();
            !steps.is_empty()
                && steps.iter().all(|step| {
                    step.get("uses")
                        .and_then(Node::as_str)
                        .is_some_and(|u| u.to_ascii_lowercase().starts_with("actions/labeler@"))
                })
        });
    for (name, node) in &found {
        if labeler_only && *name == "pull_request_target" {
            continue;
        }
        match ctx.opts.trigger_allowance(ctx.file) {
            Some(Ok(())) => {}
            Some(Err(expired)) => hits.push(
                Hit::new(
                    RULE.id,
                    Severity::High,
                    on_pos,
                    *name,
                    format!("`{name}` runs with the base repository's secrets and a writable token for events forks can cause; its allowlist entry {expired}"),
                )
                .also_line(node.pos.line)
                .fix("renew the entry in policy.trigger_allowlist (with its owner) or stop using the trigger"),
            ),
            None => hits.push(
                Hit::new(
                    RULE.id,
                    Severity::High,
                    on_pos,
                    *name,
                    format!("`{name}` runs with the base repository's secrets and a writable token for events forks can cause, and this workflow is not in policy.trigger_allowlist"),
                )
                .also_line(node.pos.line)
                .fix("use `pull_request`, or add this file to policy.trigger_allowlist with a reason, an owner and an expiry date"),
            ),
        }
    }
    for step in ctx.steps() {
        let Some(uses) = step.uses() else { continue };
        if !uses.is_action("actions/checkout") {
            continue;
        }
        let Some(reference) = step.node.get("with").and_then(|w| w.get("ref")) else {
            continue;
        };
        let Some(text) = reference.as_str() else {
            continue;
        };
        let paths: Vec<String> = expr::expressions(text)
            .iter()
            .flat_map(|e| expr::context_paths(e.inner))
            .collect();
        let head = paths.iter().any(|p| {
            p.starts_with("github.event.pull_request.head.")
                || p == "github.head_ref"
                || p.starts_with("github.event.workflow_run.head_")
                || p.starts_with("github.event.workflow_run.pull_requests")
        }) || text.contains("refs/pull/");
        if head {
            hits.push(
                Hit::new(
                    RULE.id,
                    Severity::Critical,
                    reference.pos,
                    format!("checkout-head:{}", step.describe()),
                    format!(
                        "{} checks out the pull request's head (`{}`) in a workflow triggered by {}: untrusted code runs with the base repository's secrets and token",
                        step.describe(),
                        text,
                        found.iter().map(|(n, _)| format!("`{n}`")).collect::<Vec<_>>().join(" and ")
                    ),
                )
                .fix("do not check out or run pull request code here; test it in a `pull_request` workflow and pass results as artifacts"),
            );
        }
    }
}
