//! ## What it does
//! Pedantic persona: reports a workflow or action without a top-level
//! `name:` (low severity) and a workflow job without a `name:`
//! (informational) (zizmor's `anonymous-definition` audit).
//!
//! ## Why is this bad?
//! Without a name, GitHub shows the file path or the job id in the Actions
//! UI and in required-check settings, which makes it harder to see which
//! definition ran and easier to confuse two of them.
//!
//! ## Example
//! ```yaml
//! on: push
//! jobs:
//!   build:
//!     runs-on: ubuntu-latest
//! ```
//!
//! ## Fix
//! ```yaml
//! name: Build
//! on: push
//! jobs:
//!   build:
//!     name: Build
//!     runs-on: ubuntu-latest
//! ```
//! It has no security impact, hence the pedantic persona. It does not flag
//! dependabot.yml (which has no name).
//!
//! ## Ignore
//! `# ci-intel: ignore[anonymous-definition]` on the first line of the
//! document, or on the job's key.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::model::{Ctx, DocKind, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "anonymous-definition",
    title: "Workflow, action or job without a name",
    default_severity: Severity::Low,
    persona: Persona::Pedantic,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    if ctx.kind == DocKind::Dependabot {
        return;
    }
    let named = |v: Option<&crate::audit::yaml::Node>| {
        v.and_then(|n| n.as_str())
            .is_some_and(|s| !s.trim().is_empty())
    };
    if !named(ctx.doc.get("name")) {
        let pos = ctx
            .doc
            .entries()
            .first()
            .map(|(k, _)| k.pos)
            .unwrap_or(ctx.doc.pos);
        hits.push(
            Hit::new(
                RULE.id,
                Severity::Low,
                pos,
                "name",
                format!("this {} has no `name:`", ctx.kind.as_str()),
            )
            .fix("add a top-level `name:`"),
        );
    }
    for (job, key, node) in ctx.jobs() {
        if named(node.get("name")) {
            continue;
        }
        hits.push(
            Hit::new(
                RULE.id,
                Severity::Info,
                key.pos,
                format!("job:{job}"),
                format!("job `{job}` has no `name:`"),
            )
            .fix("add a `name:` to the job"),
        );
    }
}
