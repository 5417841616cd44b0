//! ## What it does
//! Reports workflow features written in a roundabout way that hides what
//! they do (zizmor's `obfuscation` audit, low severity):
//! - a `uses:` path with empty, `.` or `..` components
//!   (`actions/checkout////@…`, `github/codeql-action/./init@…`,
//!   `actions/cache/save/../save@…`);
//! - an expression that only computes a fixed value (`${{ 'a' }}`,
//!   `${{ format('{0}', 'abc') }}`, `${{ 1 > 2 || true }}`), or that contains
//!   such a part (`format('{0}', github.x, format('{0}', 'abc'))`), and the
//!   no-op `fromJSON(toJSON(x))`;
//! - with the pedantic persona, a computed index (`inputs[inputs.name]`),
//!   which reads a key no reader can see.
//!
//! ## Why is this bad?
//! Reviewers and other rules read workflows as written. A `uses:` path with
//! `..` names a different action than it seems to, and an expression that
//! builds a constant the long way can hide a value (a repository, a
//! command) from a search or from a check that matches the plain text.
//!
//! ## Example
//! ```yaml
//!       - uses: actions/checkout/.@8e8c483db84b4bee98b60c0593521ed34d9990e8 # v6.0.1
//!         with:
//!           repository: ${{ format('{0}/{1}', 'octocat', 'hello-world') }}
//! ```
//!
//! ## Fix
//! ```yaml
//!       - uses: actions/checkout@8e8c483db84b4bee98b60c0593521ed34d9990e8 # v6.0.1
//!         with:
//!           repository: octocat/hello-world
//! ```
//! It does not flag a bare `if: true`/`if: false` (the plain way to switch
//! a step off), `fromJSON('["a", "b"]')` (a list, which `contains()`
//! needs and which has no simpler spelling), literals that are arguments of
//! a call reading a context (`format('{0}', github.ref)`), nor expressions it
//! cannot parse.
//!
//! ## Ignore
//! `# ci-intel: ignore[obfuscation]` on the `uses:` line or the expression's
//! line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::expr::Ast;
use crate::audit::model::{Ctx, Hit, UsesTarget};
use crate::audit::yaml::Node;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "obfuscation",
    title: "Obfuscated uses: path or expression",
    default_severity: Severity::Low,
    persona: Persona::Regular,
    check,
};

/// The first constant part of an expression that is not a bare literal
/// argument, looking through everything but computed indices.
fn constant_part(ast: &Ast) -> Option<&Ast> {
    if ast.is_constant() {
        return Some(ast);
    }
    let children = match ast {
        Ast::Index { base, .. } => vec![base.as_ref()],
        other => other.children(),
    };
    children
        .into_iter()
        .filter(|c| !matches!(c, Ast::Lit(_) | Ast::Ctx(_)))
        .find_map(constant_part)
}

fn roundtrip(ast: &Ast) -> bool {
    ast.walk().iter().any(|node| match node {
        Ast::Call { name, args } if name == "fromjson" => args
            .first()
            .is_some_and(|a| matches!(a, Ast::Call { name, .. } if name == "tojson")),
        _ => false,
    })
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    let mut uses_nodes: Vec<&Node> = ctx
        .steps()
        .iter()
        .filter_map(|s| s.node.get("uses"))
        .collect();
    uses_nodes.extend(ctx.jobs().iter().filter_map(|(_, _, job)| job.get("uses")));
    for node in uses_nodes {
        let Some(raw) = node.as_str() else { continue };
        let uses = crate::audit::model::Uses::parse(raw, node.pos);
        let UsesTarget::Remote {
            path: Some(path), ..
        } = &uses.target
        else {
            continue;
        };
        let odd: Vec<&str> = path
            .split('/')
            .filter(|c| c.is_empty() || *c == "." || *c == "..")
            .collect();
        if odd.is_empty() {
            continue;
        }
        let what = if odd.contains(&"..") {
            "`..`"
        } else if odd.contains(&".") {
            "`.`"
        } else {
            "empty components"
        };
        hits.push(
            Hit::new(
                RULE.id,
                Severity::Low,
                node.pos,
                format!("uses:{}", uses.raw),
                format!(
                    "`uses: {}` has {what} in its path, which hides which action runs",
                    uses.raw
                ),
            )
            .fix(
                "write the action's path plainly: `owner/repo/path@ref` without `//`, `.` or `..`",
            ),
        );
    }
    let pedantic = ctx.opts.persona >= Persona::Pedantic;
    for (site, ast) in ctx.parsed_expressions() {
        let Some(ast) = ast else { continue };
        // `if: true` / `if: false` is the plain way to switch a step on or off.
        if !site.fenced && matches!(ast, Ast::Lit(_)) {
            continue;
        }
        let why = if let Some(part) = constant_part(ast) {
            if std::ptr::eq(part, ast) {
                "only computes a fixed value"
            } else {
                "computes part of its value from literals only"
            }
        } else if roundtrip(ast) {
            "contains the no-op `fromJSON(toJSON(...))`"
        } else if pedantic && ast.walk().iter().any(|n| matches!(n, Ast::Index { .. })) {
            "indexes with a computed key"
        } else {
            continue;
        };
        let mut hit = Hit::new(
            RULE.id,
            Severity::Low,
            site.pos,
            format!("expr:{}", site.text),
            format!("this expression {why}"),
        )
        .fix("write the value it computes (or the plain context) instead");
        if let Some(key) = site.key {
            hit = hit.also_line(key.pos.line);
        }
        hits.push(hit);
    }
}
