//! ## What it does
//! Reports expressions that hand over the whole `secrets` context:
//! `${{ toJSON(secrets) }}`, `format('{0}', toJSON(secrets))`, or
//! `secrets[...]` with a computed key (zizmor's `overprovisioned-secrets`
//! audit, medium severity).
//!
//! ## Why is this bad?
//! The runner only gives a job the secrets its expressions name. Reading the
//! whole context gives this job every secret of the repository and the
//! organisation, so one compromised step (or a log line) exposes all of
//! them instead of the one it needed.
//!
//! ## Example
//! ```yaml
//!       - run: ./deploy.sh
//!         env:
//!           SECRETS: ${{ toJSON(secrets) }}
//! ```
//!
//! ## Fix
//! ```yaml
//!       - run: ./deploy.sh
//!         env:
//!           API_TOKEN: ${{ secrets.API_TOKEN }}
//! ```
//! It does not flag `secrets.NAME` (one secret), `toJSON(secrets.NAME)`,
//! nor `secrets: inherit` (see `secrets-inherit`).
//!
//! ## Ignore
//! `# ci-intel: ignore[overprovisioned-secrets]` on the expression's line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::expr::Ast;
use crate::audit::model::{Ctx, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "overprovisioned-secrets",
    title: "Expression reads the whole secrets context",
    default_severity: Severity::Medium,
    persona: Persona::Regular,
    check,
};

fn whole_secrets(node: &Ast) -> bool {
    match node {
        Ast::Ctx(path) => path == "secrets",
        Ast::Index { base, .. } => base.ctx() == Some("secrets"),
        _ => false,
    }
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    ctx.report_expressions(
        RULE.id,
        Severity::Medium,
        whole_secrets,
        "this expression reads the whole `secrets` context, which gives the job every secret",
        "name each secret the job needs: `${{ secrets.NAME }}`",
        hits,
    );
}
