//! ## What it does
//! Reports `actions/checkout` steps that do not set
//! `persist-credentials: false`, at the step's first line, as zizmor does.
//! The finding is high when the same job also uploads an artifact (the
//! credentials can end up inside it), medium otherwise. By persona, as
//! zizmor:
//! - regular: `persist-credentials` not set (the default keeps the token);
//! - pedantic: `persist-credentials` given by an expression (medium, low
//!   confidence), or the whole `with:` given by one (informational: what it
//!   holds cannot be read);
//! - auditor: `persist-credentials: true` written out (the author chose it,
//!   typically for a job that pushes; an auditor still wants it listed).
//!
//! Deliberately not flagged: `persist-credentials: false` or `"false"`
//! (GitHub reads string booleans).
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
//! `# ci-intel: ignore[artipacked]` on the step's first line or its
//! `uses:` line.

use ci_intel_core::{Confidence, Severity};

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
    let persona = ctx.opts.persona;
    let steps = ctx.steps();
    for step in &steps {
        let Some(uses) = step.uses() else { continue };
        if !uses.is_action("actions/checkout") {
            continue;
        }
        let with = step.node.get("with");
        let persist = with.and_then(|w| w.get("persist-credentials"));
        let text = persist.and_then(|p| {
            p.as_bool()
                .map(|b| if b { "true" } else { "false" })
                .or_else(|| p.as_str().map(str::trim))
        });
        let with_is_expression = with
            .and_then(Node::as_str)
            .is_some_and(|w| w.contains("${{"));
        // (least persona, confidence, what was written)
        let (needs, confidence, written) = match text {
            _ if with_is_expression => (
                Persona::Pedantic,
                Confidence::Low,
                Some("an expression as `with:`"),
            ),
            Some(t) if t.eq_ignore_ascii_case("false") => continue,
            Some(t) if t.eq_ignore_ascii_case("true") => (
                Persona::Auditor,
                Confidence::High,
                Some("`persist-credentials: true`"),
            ),
            Some(t) if t.contains("${{") => (
                Persona::Pedantic,
                Confidence::Low,
                Some("`persist-credentials` from an expression"),
            ),
            _ => (Persona::Regular, Confidence::High, None),
        };
        if persona < needs {
            continue;
        }
        let uploads = steps.iter().any(|other| {
            other.job == step.job
                && other.index > step.index
                && other
                    .uses()
                    .is_some_and(|u| u.is_action("actions/upload-artifact"))
        });
        let severity = if with_is_expression {
            Severity::Info
        } else if uploads {
            Severity::High
        } else {
            Severity::Medium
        };
        let tail = if uploads {
            "; this job also uploads an artifact, which can carry it"
        } else {
            ""
        };
        let how = written.map(|w| format!(" ({w})")).unwrap_or_default();
        // An opaque `with:` is reported where it is written.
        let pos = if with_is_expression {
            step.node
                .entry("with")
                .map_or(step.node.pos, |(k, _)| k.pos)
        } else {
            step.node.pos
        };
        hits.push(
            Hit::new(
                RULE.id,
                severity,
                pos,
                step.describe(),
                format!(
                    "{}{how} keeps the token in .git/config for every later step{tail}",
                    step.describe()
                ),
            )
            .confidence(confidence)
            .also_line(uses.pos.line)
            .fix("add `with: {persist-credentials: false}` to the checkout"),
        );
    }
}
