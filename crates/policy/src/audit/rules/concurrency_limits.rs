//! ## What it does
//! zizmor's `concurrency-limits` (pedantic persona; ci-intel called it
//! `missing-concurrency` before: that name still works in ignore comments,
//! and `policy.rules.concurrency-limits` replaces
//! `policy.rules.missing-concurrency`). Reports, for a workflow:
//! - a top-level `concurrency:` without `cancel-in-progress` (on its line);
//! - when there is no top-level `concurrency:`: once if some job has no
//!   `concurrency:` of its own (naming those jobs), and once for each job
//!   whose `concurrency:` has no `cancel-in-progress` (both on the `on:`
//!   line, as zizmor does).
//!
//! Not reported: workflows triggered only by `workflow_call` (the caller
//! owns concurrency, and a group in the called workflow would compete with
//! the caller's), and `cancel-in-progress: false` or an expression: an
//! explicit choice, as deployments and releases need.
//!
//! ## Why is this bad?
//! Without it, every push starts another full run while the previous one
//! for the same branch is still going: wasted runner time (on billed
//! runners, an attacker's lever), and deployments or artifact look-ups that
//! race each other.
//!
//! ## Example
//! ```yaml
//! on: push
//! concurrency: ci
//! jobs:
//!   test:
//!     runs-on: ubuntu-24.04
//! ```
//!
//! ## Fix
//! ```yaml
//! concurrency:
//!   group: ${{ github.workflow }}-${{ github.ref }}
//!   cancel-in-progress: true
//! ```
//! (`cancel-in-progress: false` for deployments and releases.)
//!
//! ## Ignore
//! `# ci-intel: ignore[concurrency-limits]` on the reported line (the
//! `on:` line or the `concurrency:` line).

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::model::{Ctx, Hit};
use crate::audit::yaml::Node;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "concurrency-limits",
    title: "Workflow or job without concurrency that cancels superseded runs",
    default_severity: Severity::Low,
    persona: Persona::Pedantic,
    check,
};

const FIX: &str = "add `concurrency: {group: ${{ github.workflow }}-${{ github.ref }}, cancel-in-progress: true}`";

/// Does a `concurrency:` value say what to do with runs in progress?
fn decides_cancel(concurrency: &Node) -> bool {
    concurrency.get("cancel-in-progress").is_some()
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    if !ctx.is_workflow() {
        return;
    }
    let triggers = ctx.triggers();
    if !triggers.is_empty() && triggers.iter().all(|(t, _)| *t == "workflow_call") {
        return;
    }
    if let Some((key, concurrency)) = ctx.doc.entry("concurrency") {
        if !decides_cancel(concurrency) {
            hits.push(
                Hit::new(
                    RULE.id,
                    Severity::Low,
                    key.pos,
                    "concurrency",
                    "the top-level `concurrency:` has no `cancel-in-progress`: superseded runs of the same group queue up instead of stopping",
                )
                .fix("add `cancel-in-progress: true` (or `false`, deliberately, for deployments)"),
            );
        }
        return;
    }
    let at = ctx
        .doc
        .entry("on")
        .map(|(k, _)| k.pos)
        .unwrap_or(ctx.doc.pos);
    let jobs = ctx.jobs();
    let missing: Vec<&str> = jobs
        .iter()
        .filter(|(_, _, job)| job.get("concurrency").is_none())
        .map(|(name, _, _)| *name)
        .collect();
    if !missing.is_empty() {
        let names = missing
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        hits.push(
            Hit::new(
                RULE.id,
                Severity::Low,
                at,
                "concurrency",
                format!(
                    "no top-level `concurrency:`, and job(s) {names} set none: overlapping runs for the same ref all run to the end"
                ),
            )
            .fix(FIX),
        );
    }
    for (name, _, job) in &jobs {
        let Some(concurrency) = job.get("concurrency") else {
            continue;
        };
        if decides_cancel(concurrency) {
            continue;
        }
        hits.push(
            Hit::new(
                RULE.id,
                Severity::Low,
                at,
                format!("concurrency:{name}"),
                format!(
                    "job `{name}` sets `concurrency:` without `cancel-in-progress`, and the workflow sets none: superseded runs queue up"
                ),
            )
            .fix(FIX),
        );
    }
}
