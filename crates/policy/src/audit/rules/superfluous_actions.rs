//! ## What it does
//! zizmor's `superfluous-actions` (pedantic persona). Reports actions that
//! only do what a tool preinstalled on GitHub's runner images already does
//! (`softprops/action-gh-release` for `gh release create`,
//! `dtolnay/rust-toolchain` for `rustup`, ...; the list, with the
//! replacement of each, is in `crates/policy/data/actions.txt`).
//!
//! Not reported: actions that add something the runner's tools lack, and
//! any action missing from the list.
//!
//! ## Why is this bad?
//! It is not a vulnerability in itself, but each action is code and
//! dependencies from another publisher running with the job's token. One
//! command line does the same with nothing more to trust.
//!
//! ## Example
//! ```yaml
//!       - uses: dtolnay/rust-toolchain@086dfa4efe372cfb6b375460a56e26a62a873d2e # 1.93.1
//! ```
//!
//! ## Fix
//! ```yaml
//!       - run: rustup toolchain install 1.93.1
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[superfluous-actions]` on the `uses:` line or the
//! step's first line (`- name:`).

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::data::lists;
use crate::audit::model::{Ctx, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "superfluous-actions",
    title: "Action that a preinstalled runner tool replaces",
    default_severity: Severity::Info,
    persona: Persona::Pedantic,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for step in ctx.steps() {
        let Some(uses) = step.uses() else { continue };
        let Some(repository) = uses.repository() else {
            continue;
        };
        let Some(replacement) = lists().get("superfluous", &repository) else {
            continue;
        };
        hits.push(
            Hit::new(
                RULE.id,
                Severity::Info,
                uses.pos,
                &uses.raw,
                format!(
                    "{} uses `{repository}`, which the runner's own tools replace: {replacement}",
                    step.describe()
                ),
            )
            .also_line(step.node.pos.line)
            .fix(format!("replace the step with a `run:` of {replacement}")),
        );
    }
}
