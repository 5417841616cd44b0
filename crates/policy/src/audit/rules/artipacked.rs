//! ## What it does
//! Reports `actions/checkout` steps that do not set
//! `persist-credentials: false`. The finding is high when the same job also
//! uploads an artifact (the credentials can end up inside it), medium
//! otherwise.
//!
//! ## Why is this bad?
//! By default `actions/checkout` writes the job's token into `.git/config`
//! so later `git` commands can push. Every later step, including every
//! third-party action, can read it there, and an upload of the workspace
//! (`actions/upload-artifact` with `path: .`) publishes it.
//!
//! ## Example
//! ```yaml
//!       - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
//! ```
//!
//! ## Fix
//! ```yaml
//!       - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
//!         with:
//!           persist-credentials: false
//! ```
//! A job that must push can pass the token to that one `git push` instead.
//!
//! ## Ignore
//! `# ci-intel: ignore[artipacked]` on the `uses:` line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::model::{Ctx, Hit};
use crate::audit::yaml::Node;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "artipacked",
    title: "actions/checkout persists the token in .git/config",
    default_severity: Severity::Medium,
    persona: Persona::Regular,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    let steps = ctx.steps();
    for step in &steps {
        let Some(uses) = step.uses() else { continue };
        if !uses.is_action("actions/checkout") {
            continue;
        }
        let persist = step
            .node
            .get("with")
            .and_then(|w| w.get("persist-credentials"));
        let safe =
            persist.is_some_and(|p| p.as_bool() == Some(false) || p.as_str() == Some("false"));
        if safe {
            continue;
        }
        let uploads = steps.iter().any(|other| {
            other.job == step.job
                && other.index > step.index
                && other
                    .uses()
                    .is_some_and(|u| u.is_action("actions/upload-artifact"))
        });
        let severity = if uploads {
            Severity::High
        } else {
            Severity::Medium
        };
        let pos = persist.map(|p: &Node| p.pos).unwrap_or(uses.pos);
        let tail = if uploads {
            "; this job also uploads an artifact, which can carry it"
        } else {
            ""
        };
        hits.push(
            Hit::new(
                RULE.id,
                severity,
                pos,
                step.describe(),
                format!(
                    "{} keeps the token in .git/config for every later step{tail}",
                    step.describe()
                ),
            )
            .fix("add `with: {persist-credentials: false}` to the checkout"),
        );
    }
}
