//! ## What it does
//! Pedantic persona only. Reports workflows without a top-level
//! `concurrency:` where some job has none either. Workflows triggered only
//! by `workflow_call` are not reported: the caller owns concurrency, and a
//! group in the called workflow would compete with the caller's.
//!
//! ## Why is this bad?
//! Without it, every push starts another full run while the previous one
//! for the same branch is still going: wasted runner time, and deployments
//! that can finish out of order.
//!
//! ## Example
//! ```yaml
//! on: push
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
//! `# ci-intel: ignore[missing-concurrency]` on the `on:` line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::model::{Ctx, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "missing-concurrency",
    title: "Workflow without concurrency",
    default_severity: Severity::Low,
    persona: Persona::Pedantic,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    if !ctx.is_workflow() || ctx.doc.get("concurrency").is_some() {
        return;
    }
    let triggers = ctx.triggers();
    if !triggers.is_empty() && triggers.iter().all(|(t, _)| *t == "workflow_call") {
        return;
    }
    let jobs = ctx.jobs();
    if jobs.is_empty() || jobs.iter().all(|(_, _, j)| j.get("concurrency").is_some()) {
        return;
    }
    let at = ctx
        .doc
        .entry("on")
        .map(|(k, _)| k.pos)
        .unwrap_or(ctx.doc.pos);
    hits.push(
        Hit::new(
            RULE.id,
            Severity::Low,
            at,
            "concurrency",
            "no top-level `concurrency:`: overlapping runs for the same ref all run to the end",
        )
        .fix("add `concurrency: {group: ${{ github.workflow }}-${{ github.ref }}, cancel-in-progress: true}`"),
    );
}
