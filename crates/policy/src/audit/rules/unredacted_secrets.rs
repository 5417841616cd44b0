//! ## What it does
//! Reports expressions that parse a secret as structured data:
//! `${{ fromJSON(secrets.CONFIG).password }}` or `fromJSON(secrets.X)`
//! (zizmor's `unredacted-secrets` audit, medium severity).
//!
//! ## Why is this bad?
//! The runner masks each secret's exact value in the logs. A field taken
//! out of a JSON secret is a different string, which the runner does not
//! know, so it is printed in clear wherever a step echoes it.
//!
//! ## Example
//! ```yaml
//!       - run: ./deploy.sh
//!         env:
//!           PASSWORD: ${{ fromJSON(secrets.MY_SECRET).password }}
//! ```
//!
//! ## Fix
//! ```yaml
//!       - run: ./deploy.sh
//!         env:
//!           PASSWORD: ${{ secrets.MY_SECRET_PASSWORD }}
//! ```
//! Store each field as a secret of its own (or `::add-mask::` each field
//! before anything prints it). It does not flag `fromJSON` of anything but
//! a secret.
//!
//! ## Ignore
//! `# ci-intel: ignore[unredacted-secrets]` on the expression's line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::expr::Ast;
use crate::audit::model::{Ctx, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "unredacted-secrets",
    title: "fromJSON of a secret escapes log masking",
    default_severity: Severity::Medium,
    persona: Persona::Regular,
    check,
};

fn parses_secret(node: &Ast) -> bool {
    let Ast::Call { name, args } = node else {
        return false;
    };
    name == "fromjson"
        && args.iter().any(|a| {
            a.walk()
                .iter()
                .any(|n| n.ctx().is_some_and(|p| p.starts_with("secrets")))
        })
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    ctx.report_expressions(
        RULE.id,
        Severity::Medium,
        parses_secret,
        "this expression parses a secret with `fromJSON`: the parts it takes out are not masked in logs",
        "store each field as its own secret",
        hits,
    );
}
