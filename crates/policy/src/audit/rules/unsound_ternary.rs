//! ## What it does
//! Reports expressions that use `cond && value || fallback` as a ternary
//! while `value` is a falsy literal (`''`, `0`, `false`, `null`), such as
//! `${{ foo && '' || 'bar' }}` (zizmor's `unsound-ternary` audit, low
//! severity).
//!
//! ## Why is this bad?
//! `&&`/`||` only behave like a ternary when the middle value is truthy.
//! With a falsy one the expression always yields the fallback, whatever the
//! condition: `foo && '' || 'bar'` is `'bar'` even when `foo` is true, so a
//! flag meant to be empty in one case never is.
//!
//! ## Example
//! ```yaml
//!       - run: echo "value=${VALUE}"
//!         env:
//!           VALUE: ${{ foo && '' || 'bar' }}
//! ```
//!
//! ## Fix
//! ```yaml
//!       - run: echo "value=${VALUE}"
//!         env:
//!           VALUE: ${{ case(foo, '', 'bar') }}
//! ```
//! or turn the condition around (`!foo && 'bar' || ''`). It does not flag a
//! middle value it cannot see to be falsy (a context, a call).
//!
//! ## Ignore
//! `# ci-intel: ignore[unsound-ternary]` on the expression's line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::expr::{Ast, BinOp};
use crate::audit::model::{Ctx, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "unsound-ternary",
    title: "cond && falsy || fallback always yields the fallback",
    default_severity: Severity::Low,
    persona: Persona::Regular,
    check,
};

fn unsound(node: &Ast) -> bool {
    let Ast::Bin {
        op: BinOp::Or, lhs, ..
    } = node
    else {
        return false;
    };
    matches!(lhs.as_ref(), Ast::Bin { op: BinOp::And, rhs, .. } if rhs.lit().is_some_and(|l| l.is_falsy()))
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for (site, ast) in ctx.parsed_expressions() {
        let Some(ast) = ast else { continue };
        if !ast.walk().into_iter().any(unsound) {
            continue;
        }
        let mut hit = Hit::new(
            RULE.id,
            Severity::Low,
            site.pos,
            format!("expr:{}", site.text),
            "this `cond && value || fallback` has a falsy `value`, so it always yields the fallback",
        )
        .fix("use `case(cond, value, fallback)`, or rewrite it so the middle value is truthy");
        if let Some(key) = site.key {
            hit = hit.also_line(key.pos.line);
        }
        hits.push(hit);
    }
}
