//! ## What it does
//! Reports `env:` blocks (of the workflow, a job or a step, in workflows
//! and composite actions) that set `ACTIONS_ALLOW_UNSECURE_COMMANDS` to
//! `true` (or to an expression), which turns the deprecated `::set-env` and
//! `::add-path` workflow commands back on (zizmor's `insecure-commands`
//! audit, high severity). With the auditor persona it also reports `env:`
//! blocks that are a whole expression (`env: ${{ matrix.env }}`), which may
//! set it.
//!
//! ## Why is this bad?
//! With those commands enabled, any program whose output reaches the log
//! (a test printing a pull request's title, a dependency's install script)
//! can set environment variables such as `LD_PRELOAD` or prepend to `PATH`
//! for every later step, and so run code with the job's token.
//!
//! ## Example
//! ```yaml
//!       - run: echo "::add-path::$HOME/.local/my-bin"
//!         env:
//!           ACTIONS_ALLOW_UNSECURE_COMMANDS: true
//! ```
//!
//! ## Fix
//! ```yaml
//!       - run: echo "$HOME/.local/my-bin" >> "$GITHUB_PATH"
//! ```
//! It does not flag the variable set to anything but `true` (the runner
//! ignores `yes` or `1`), nor (outside the auditor
//! persona) `env:` blocks it cannot read.
//!
//! ## Ignore
//! `# ci-intel: ignore[insecure-commands]` on the `env:` line.

use ci_intel_core::{Confidence, Severity};

use super::Rule;
use crate::audit::model::{Ctx, Hit};
use crate::audit::yaml::Node;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "insecure-commands",
    title: "ACTIONS_ALLOW_UNSECURE_COMMANDS re-enables set-env and add-path",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

const VAR: &str = "ACTIONS_ALLOW_UNSECURE_COMMANDS";

/// The runner turns the commands on for `true` (any case); anything else
/// (`false`, `yes`, `1`) leaves them off. An expression may yield `true`.
fn enables(value: &Node) -> bool {
    if let Some(b) = value.as_bool() {
        return b;
    }
    let text = value.as_str().unwrap_or("");
    text.trim().eq_ignore_ascii_case("true") || text.contains("${{")
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    let mut blocks: Vec<(String, &Node)> = Vec::new();
    if ctx.is_workflow() {
        blocks.push(("the workflow".to_owned(), ctx.doc));
        for (name, _, job) in ctx.jobs() {
            blocks.push((format!("job `{name}`"), job));
        }
    }
    for step in ctx.steps() {
        blocks.push((step.describe(), step.node));
    }
    let auditor = ctx.opts.persona >= Persona::Auditor;
    for (owner, node) in blocks {
        let Some((key, env)) = node.entry("env") else {
            continue;
        };
        if env.is_map() {
            let Some(value) = env.get(VAR) else { continue };
            if !enables(value) {
                continue;
            }
            hits.push(
                Hit::new(
                    RULE.id,
                    Severity::High,
                    key.pos,
                    format!("{owner}:env"),
                    format!("{owner} sets {VAR}, which lets any output set environment variables and PATH through `::set-env`/`::add-path`"),
                )
                .fix("remove it and write to $GITHUB_ENV / $GITHUB_PATH instead"),
            );
        } else if auditor && env.as_str().is_some_and(|t| t.contains("${{")) {
            hits.push(
                Hit::new(
                    RULE.id,
                    Severity::High,
                    key.pos,
                    format!("{owner}:env-expression"),
                    format!(
                        "{owner} takes its whole `env:` from an expression, which may set {VAR}"
                    ),
                )
                .confidence(Confidence::Low)
                .fix("list the variables in `env:` so a reviewer can see them"),
            );
        }
    }
}
