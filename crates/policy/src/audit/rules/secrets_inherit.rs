//! ## What it does
//! Reports a job that calls a reusable workflow in another repository with
//! `secrets: inherit`. Calls to this repository (`./.github/workflows/...`,
//! `$/...`, or `OWNER/REPO/...` equal to `$GITHUB_REPOSITORY`) are fine.
//!
//! ## Why is this bad?
//! `inherit` hands every secret of the caller (organisation, repository and
//! environment secrets) to code you do not control, including secrets that
//! workflow never needs. If it is compromised, or its ref moves, all of them
//! leak.
//!
//! ## Example
//! ```yaml
//! jobs:
//!   deploy:
//!     uses: other-org/workflows/.github/workflows/deploy.yml@0123456789abcdef0123456789abcdef01234567 # v1.0.0
//!     secrets: inherit
//! ```
//!
//! ## Fix
//! Pass only the secrets the workflow declares:
//! ```yaml
//!     secrets:
//!       DEPLOY_TOKEN: ${{ secrets.DEPLOY_TOKEN }}
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[secrets-inherit]` on the `secrets: inherit` line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::model::{Ctx, Hit, Uses, UsesTarget};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "secrets-inherit",
    title: "`secrets: inherit` passed to a workflow outside this repository",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for (name, _, job) in ctx.jobs() {
        let (Some(uses_node), Some(secrets)) = (job.get("uses"), job.get("secrets")) else {
            continue;
        };
        if secrets.as_str() != Some("inherit") {
            continue;
        }
        let Some(raw) = uses_node.as_str() else {
            continue;
        };
        let uses = Uses::parse(raw, uses_node.pos);
        let external = match &uses.target {
            UsesTarget::Local | UsesTarget::SelfRepository => false,
            UsesTarget::Docker { .. } => true,
            UsesTarget::Remote { .. } => match (&ctx.opts.repository, uses.repository()) {
                (Some(own), Some(theirs)) => !own.eq_ignore_ascii_case(&theirs),
                _ => true,
            },
        };
        if external {
            hits.push(
                Hit::new(
                    RULE.id,
                    Severity::High,
                    // At the `uses:` it hands them to, as zizmor points;
                    // an ignore comment on the `secrets:` line counts too.
                    uses.pos,
                    format!("{name}:{}", uses.repository().unwrap_or_default()),
                    format!("job `{name}` hands every secret of this repository to `{}`, a workflow outside it", uses.raw),
                )
                .also_line(secrets.pos.line)
                .fix("replace `secrets: inherit` with the secrets the workflow declares, one by one"),
            );
        }
    }
}
