//! ## What it does
//! zizmor's `archived-uses`. Reports `uses:` of an action or reusable
//! workflow whose repository GitHub shows as archived (the list, with its
//! source, is in `crates/policy/data/actions.txt`; names match in any case).
//!
//! The `repos[].repo` of a `.pre-commit-config.yaml` hosted on github.com
//! are judged the same way.
//!
//! Not reported: archived repositories missing from the list (it is
//! offline data, refreshed with zizmor's), local and Docker references.
//!
//! ## Why is this bad?
//! An archived repository is read-only: nobody fixes its vulnerabilities or
//! those of the dependencies it vendors, and it will not follow runner
//! changes. It only decays.
//!
//! ## Example
//! ```yaml
//!       - uses: actions/setup-ruby@e932e7af67fc4a8fc77bd86b744acd4e42fe3543 # v1.1.3
//! ```
//!
//! ## Fix
//! Use the maintained replacement, or the command the action wrapped:
//! ```yaml
//!       - uses: ruby/setup-ruby@a4effe49ee8ee5b8b5091268c473a4628afb5651 # v1.245.0
//! ```
//! (`actions-rs/cargo` becomes `run: cargo ...`; API wrappers become `gh`.)
//!
//! ## Ignore
//! `# ci-intel: ignore[archived-uses]` on the `uses:` (or `repo:`) line.

use ci_intel_core::Severity;

use super::Rule;
use super::unpinned_uses::all_uses;
use crate::audit::data::lists;
use crate::audit::facts::pre_commit_uses;
use crate::audit::model::{Ctx, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "archived-uses",
    title: "Action or reusable workflow from an archived repository",
    default_severity: Severity::Medium,
    persona: Persona::Regular,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for uses in all_uses(ctx).into_iter().chain(pre_commit_uses(ctx)) {
        let Some(repository) = uses.repository() else {
            continue;
        };
        if !lists().contains("archived", &repository) {
            continue;
        }
        hits.push(
            Hit::new(
                RULE.id,
                Severity::Medium,
                uses.pos,
                &uses.raw,
                format!(
                    "`{}` comes from `{repository}`, an archived repository: it no longer gets fixes",
                    uses.raw
                ),
            )
            .fix("replace it with a maintained action or the command it wraps"),
        );
    }
}
