//! ## What it does
//! Reports `if:` conditions of a workflow that trust a run because of who
//! the *last* actor was: `github.actor == 'dependabot[bot]'` (any login
//! ending in `[bot]`, any case, `github['actor']` too) or
//! `github.actor_id == 49699333` (any literal id), and the same with
//! `github.triggering_actor` (zizmor's `bot-conditions` audit, high
//! severity). Confidence is high in workflows that pull requests, reviews,
//! comments or `workflow_run` trigger, medium otherwise.
//!
//! ## Why is this bad?
//! `github.actor` is whoever performed the latest action on the triggering
//! context, not who wrote the code. Anyone can open a pull request whose
//! head commit Dependabot happens to have touched last (for example by
//! asking it to rebase their branch), and the job then runs with the
//! privileges meant for the bot, on the attacker's code.
//!
//! ## Example
//! ```yaml
//! on: pull_request_target
//! jobs:
//!   automerge:
//!     if: github.actor == 'dependabot[bot]'
//! ```
//!
//! ## Fix
//! ```yaml
//! on: pull_request
//! jobs:
//!   automerge:
//!     if: github.event.pull_request.user.login == 'dependabot[bot]'
//! ```
//! The pull request's author (`github.event.pull_request.user.login`) is
//! who created it. It does not flag `!=` checks (they exclude the bot),
//! logins without the `[bot]` suffix, nor conditions in composite actions
//! (they have no trigger to judge).
//!
//! ## Ignore
//! `# ci-intel: ignore[bot-conditions]` on the `if:` line.

use ci_intel_core::{Confidence, Severity};

use super::Rule;
use crate::audit::expr::{Ast, BinOp, Lit};
use crate::audit::model::{Ctx, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "bot-conditions",
    title: "Spoofable bot check on github.actor",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

const PR_TRIGGERS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
    "issue_comment",
    "workflow_run",
];

/// The actor context a comparison checks against a bot, if it does.
fn bot_check(lhs: &Ast, rhs: &Ast) -> Option<String> {
    let (path, lit) = match (lhs, rhs) {
        (Ast::Ctx(p), Ast::Lit(l)) | (Ast::Lit(l), Ast::Ctx(p)) => (p.as_str(), l),
        _ => return None,
    };
    let is_bot = match (path, lit) {
        ("github.actor" | "github.triggering_actor", Lit::Str(login)) => {
            login.to_ascii_lowercase().ends_with("[bot]")
        }
        ("github.actor_id", Lit::Num(_)) => true,
        ("github.actor_id", Lit::Str(id)) => {
            !id.is_empty() && id.chars().all(|c| c.is_ascii_digit())
        }
        _ => false,
    };
    is_bot.then(|| path.to_owned())
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    if !ctx.is_workflow() {
        return;
    }
    let confidence = if PR_TRIGGERS.iter().any(|t| ctx.has_trigger(t)) {
        Confidence::High
    } else {
        Confidence::Medium
    };
    for (site, ast) in ctx.parsed_expressions() {
        if site.key.and_then(|k| k.as_str()) != Some("if") {
            continue;
        }
        let Some(ast) = ast else { continue };
        let found = ast.walk().into_iter().find_map(|node| match node {
            Ast::Bin {
                op: BinOp::Eq,
                lhs,
                rhs,
            } => bot_check(lhs, rhs),
            _ => None,
        });
        let Some(path) = found else { continue };
        let mut hit = Hit::new(
            RULE.id,
            Severity::High,
            site.pos,
            format!("if:{}", site.text),
            format!(
                "this condition trusts `{path}`, the last actor on the event, which anyone can arrange to be a bot"
            ),
        )
        .confidence(confidence)
        .fix("check who created the event instead (`github.event.pull_request.user.login`)");
        if let Some(key) = site.key {
            hit = hit.also_line(key.pos.line);
        }
        hits.push(hit);
    }
}
