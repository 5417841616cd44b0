//! ## What it does
//! zizmor's `self-repository`. Reports `uses: ./path` (an action or
//! reusable workflow of this repository, read from the workspace) where
//! GitHub's self-repository form `uses: $/path` does the same.
//!
//! Not reported: `$/` references, and remote references to this repository
//! (`unpinned-uses` judges those).
//!
//! ## Why is this bad?
//! `./path` is read from the runner's file system when the step starts, so
//! an earlier step that checks out other code (a pull request's head, a
//! clone) decides what runs; and GitHub's "require actions pinned to a SHA"
//! policy cannot cover it. `$/path` always means this repository at the
//! commit of the run.
//!
//! ## Example
//! ```yaml
//!       - uses: ./actions/build
//! ```
//!
//! ## Fix
//! ```yaml
//!       - uses: $/actions/build
//! ```
//! (GitHub Enterprise Server versions without the syntax need the `./` form:
//! ignore the finding there.)
//!
//! ## Ignore
//! `# ci-intel: ignore[self-repository]` on the `uses:` line.

use ci_intel_core::Severity;

use super::Rule;
use super::unpinned_uses::all_uses;
use crate::audit::model::{Ctx, Hit, UsesTarget};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "self-repository",
    title: "Workspace-relative `uses: ./` instead of `uses: $/`",
    default_severity: Severity::Low,
    persona: Persona::Regular,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for uses in all_uses(ctx) {
        if uses.target != UsesTarget::Local {
            continue;
        }
        let path = uses.raw.trim_start_matches("./");
        hits.push(
            Hit::new(
                RULE.id,
                Severity::Low,
                uses.pos,
                &uses.raw,
                format!(
                    "`{}` is read from the workspace at run time; `$/{path}` pins it to this repository's commit",
                    uses.raw
                ),
            )
            .fix(format!("write `uses: $/{path}`")),
        );
    }
}
