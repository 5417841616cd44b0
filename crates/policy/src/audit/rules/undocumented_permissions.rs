//! ## What it does
//! Pedantic persona: reports `permissions:` blocks (of the workflow or a
//! job) where a permission has no comment saying why it is needed, pointing
//! at the first such permission (zizmor's `undocumented-permissions` audit,
//! low severity). `contents: read` needs no explanation.
//!
//! ## Why is this bad?
//! A permission nobody can explain is one nobody dares remove: scopes grow
//! with each change and never shrink. A short reason next to each grant lets
//! a reviewer check it against what the job does.
//!
//! ## Example
//! ```yaml
//! permissions:
//!   contents: write
//!   issues: write
//! ```
//!
//! ## Fix
//! ```yaml
//! permissions:
//!   contents: write  # creates the release
//!   issues: write    # comments on the issues a release closes
//! ```
//! It does not flag `permissions: read-all`, `write-all` or `{}` (there is
//! nothing to document per scope: `excessive-permissions` judges those),
//! nor an empty comment as documentation (a bare `#` is undocumented).
//!
//! ## Ignore
//! `# ci-intel: ignore[undocumented-permissions]` on the permission's line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::model::{Ctx, Hit};
use crate::audit::yaml::Node;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "undocumented-permissions",
    title: "Permission without a comment saying why",
    default_severity: Severity::Low,
    persona: Persona::Pedantic,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    if !ctx.is_workflow() {
        return;
    }
    let mut blocks: Vec<(String, &Node)> = Vec::new();
    if let Some(p) = ctx.doc.get("permissions") {
        blocks.push(("the workflow's".to_owned(), p));
    }
    for (name, _, job) in ctx.jobs() {
        if let Some(p) = job.get("permissions") {
            blocks.push((format!("job `{name}`'s"), p));
        }
    }
    for (owner, block) in blocks {
        let undocumented = block.entries().iter().find(|(scope, level)| {
            let (Some(name), Some(value)) = (scope.as_str(), level.as_str()) else {
                return false;
            };
            if name == "contents" && value == "read" {
                return false;
            }
            ctx.src
                .trailing_comment(level.pos.line, value)
                .is_none_or(|c| c.trim_start_matches('#').trim().is_empty())
        });
        let Some((scope, level)) = undocumented else {
            continue;
        };
        let name = scope.as_str().unwrap_or("?");
        let value = level.as_str().unwrap_or("?");
        hits.push(
            Hit::new(
                RULE.id,
                Severity::Low,
                scope.pos,
                format!("{owner}:{name}"),
                format!("{owner} permissions grant `{name}: {value}` without a comment saying why"),
            )
            .fix("add a comment after each permission: `issues: write  # comments on the PR`"),
        );
    }
}
