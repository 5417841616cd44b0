//! ## What it does
//! Reports `if:` conditions that call `contains()` with a string as the
//! first argument and a context as the second, to test membership in a
//! list written as text: `contains('refs/heads/main refs/heads/develop',
//! github.ref)` (zizmor's `unsound-contains` audit). High severity when the
//! context is one a pusher or caller chooses (`github.*`, `env.*`,
//! `inputs.*`), informational otherwise (`runner.name`).
//!
//! ## Why is this bad?
//! On a string, `contains()` is a substring test: a branch named `mai` or
//! `refs/heads/main refs` passes a check meant for `main`, and whatever the
//! condition protects (a deployment, a secret) runs for it.
//!
//! ## Example
//! ```yaml
//!       - run: terraform apply -input=false tfplan
//!         if: contains('refs/heads/main refs/heads/develop', github.ref)
//! ```
//!
//! ## Fix
//! ```yaml
//!       - run: terraform apply -input=false tfplan
//!         if: contains(fromJSON('["refs/heads/main", "refs/heads/develop"]'), github.ref)
//! ```
//! or compare each value with `==` and join the tests with `||`. It does not
//! flag `contains()` on a list (`fromJSON(...)`, `github.event.*.labels`) or
//! with a literal as the second argument, nor `contains()` outside `if:`.
//!
//! ## Ignore
//! `# ci-intel: ignore[unsound-contains]` on the `if:` line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::expr::{Ast, Lit};
use crate::audit::model::{Ctx, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "unsound-contains",
    title: "contains() on a string used as a list",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for (site, ast) in ctx.parsed_expressions() {
        if site.key.and_then(|k| k.as_str()) != Some("if") {
            continue;
        }
        let Some(ast) = ast else { continue };
        for node in ast.walk() {
            let Ast::Call { name, args } = node else {
                continue;
            };
            if name != "contains" || args.len() != 2 {
                continue;
            }
            let (Ast::Lit(Lit::Str(_)), Some(path)) = (&args[0], args[1].ctx()) else {
                continue;
            };
            let chosen = ["github.", "env.", "inputs."]
                .iter()
                .any(|p| path.starts_with(p));
            let severity = if chosen {
                Severity::High
            } else {
                Severity::Info
            };
            let mut hit = Hit::new(
                RULE.id,
                severity,
                site.pos,
                format!("if:{}:{path}", site.text),
                format!(
                    "`contains()` tests whether `{path}` is a substring of a string, not a member of a list: a value that is part of one entry passes"
                ),
            )
            .fix("make the list a list: `contains(fromJSON('[\"a\", \"b\"]'), ...)`, or compare with `==`");
            if let Some(key) = site.key {
                hit = hit.also_line(key.pos.line);
            }
            hits.push(hit);
        }
    }
}
