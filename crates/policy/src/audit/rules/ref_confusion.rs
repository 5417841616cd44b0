//! ## What it does
//! zizmor's `ref-confusion` (online). Reports a `uses:` (a step, a reusable
//! workflow job, a composite action step) or a pre-commit hook `rev:` whose
//! ref is a name that the repository has as a tag *and* as a branch. GitHub
//! Actions picks the tag; a reader, a reviewer or an update tool may think
//! of the branch, and whoever can push either one decides what runs.
//! Severity medium, confidence high, as in zizmor. One `ls-refs` per
//! repository answers it; no REST call.
//!
//! Not reported: SHA pins (`impostor-commit`), names that exist in only one
//! namespace, expressions, local and `docker://` references, and a
//! repository that does not exist (`unresolvable-ref`). Runs only with
//! `--online`.
//!
//! ## Why is this bad?
//! An attacker with push access to the action's repository (or a
//! compromised maintainer account) can publish a branch or tag that shadows
//! the one consumers meant, and every consumer picks it up without a change
//! on their side.
//!
//! ## Example
//! ```yaml
//!       # `confusable` is both a tag and a branch of woodruffw/gha-hazmat
//!       - uses: woodruffw/gha-hazmat/ref-confusion@confusable
//! ```
//!
//! ## Fix
//! Pin the commit (`ci-intel-policy pin` resolves the tag, as Actions does):
//! ```yaml
//!       - uses: woodruffw/gha-hazmat/ref-confusion@<sha> # confusable
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[ref-confusion]` on the `uses:` line.

use ci_intel_core::Severity;

use super::OnlineRule;
use crate::config::Persona;

pub const RULE: OnlineRule = OnlineRule {
    id: "ref-confusion",
    title: "Ref names both a tag and a branch of the action's repository",
    default_severity: Severity::Medium,
    persona: Persona::Regular,
    #[cfg(feature = "pin")]
    check,
};

#[cfg(feature = "pin")]
fn check(
    ctx: &crate::audit::model::Ctx<'_>,
    forge: &crate::audit::online::Forge,
    hits: &mut Vec<crate::audit::model::Hit>,
) -> Result<(), ci_intel_core::Failure> {
    use crate::audit::model::Hit;
    use ci_intel_core::Confidence;

    for site in crate::audit::online::sites(ctx) {
        let Some(name) = site.symbolic() else {
            continue;
        };
        let Some(listed) = forge.existing_refs(&site)? else {
            continue;
        };
        let Ok(refs) = listed.as_ref() else { continue };
        let (Some(tag), Some(branch)) = (refs.tag(name), refs.branch(name)) else {
            continue;
        };
        let same = tag.commit() == branch.commit();
        hits.push(
            Hit::new(
                RULE.id,
                Severity::Medium,
                site.pos,
                format!("{}@{name}", site.repository()),
                format!(
                    "`{}`: `{name}` is both a tag (commit {}) and a branch (commit {}{}) of {}; Actions runs the tag",
                    site.raw,
                    tag.commit(),
                    branch.commit(),
                    if same { ", the same today" } else { "" },
                    site.repository()
                ),
            )
            .confidence(Confidence::High)
            .fix("pin the commit SHA (`ci-intel-policy pin` resolves the tag as Actions does)"),
        );
    }
    Ok(())
}
