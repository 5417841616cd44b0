//! ## What it does
//! The online check that every other online rule relies on: a `uses:` (a
//! step, a reusable workflow job, a composite action step) or a pre-commit
//! hook whose repository does not exist (the forge answers 404 to `ls-refs`
//! with the token given), or whose tag or branch name the repository does
//! not have. `ci-intel-policy pin` reports the same under the same name.
//! Severity high, confidence high. zizmor has no such audit: its online
//! audits stop with an error on a missing repository; a finding names the
//! line instead and lets the other files be judged.
//!
//! Not reported: SHA pins of an existing repository (GitHub resolves any
//! commit of the fork network: `impostor-commit` judges them), expressions,
//! local and `docker://` references. A 401 or 403 is not a finding but a
//! failure (exit 3): without a token GitHub answers 401 for a repository
//! that does not exist *or* is private, and only a token can tell them
//! apart. Runs only with `--online`.
//!
//! ## Why is this bad?
//! The job fails when it reaches the step; and a missing repository's name
//! can be registered by anyone (repojacking), after which the workflow runs
//! their code.
//!
//! ## Example
//! ```yaml
//!       - uses: renamed-org/deleted-action@v1
//! ```
//!
//! ## Fix
//! Point the reference at the action's current repository and an existing
//! release, pinned by SHA (`ci-intel-policy pin`).
//!
//! ## Ignore
//! `# ci-intel: ignore[unresolvable-ref]` on the `uses:` line.

use ci_intel_core::Severity;

use super::OnlineRule;
use crate::config::Persona;

pub const RULE: OnlineRule = OnlineRule {
    id: "unresolvable-ref",
    title: "Reference names a repository, tag or branch that does not exist",
    default_severity: Severity::High,
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
        let listed = forge.refs(&site.owner, &site.repo)?;
        let message = match listed.as_ref() {
            Err(missing) => format!(
                "`{}`: {} does not exist or is not visible to the token (HTTP {} from {}); the step cannot run, and whoever registers the name can serve it",
                site.raw,
                site.repository(),
                missing.status,
                missing.url
            ),
            Ok(refs) => match site.symbolic() {
                Some(name) if refs.resolve(name).is_none() => format!(
                    "`{}`: {} has no tag or branch `{name}` ({})",
                    site.raw,
                    site.repository(),
                    refs.url
                ),
                _ => continue,
            },
        };
        hits.push(
            Hit::new(RULE.id, Severity::High, site.pos, &site.raw, message)
                .confidence(Confidence::High)
                .fix("point it at the action's current repository and an existing release, pinned by SHA (`ci-intel-policy pin`)"),
        );
    }
    Ok(())
}
