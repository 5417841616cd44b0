//! ## What it does
//! zizmor's `impostor-commit` (online). Reports a `uses:` (a step, a
//! reusable workflow job, a composite action step) or a pre-commit hook
//! `rev:` pinned to a full commit SHA that is on no branch and no tag of the
//! repository it names. GitHub shares commit objects across a repository
//! and all its forks, so `owner/repo@<sha>` runs a commit pushed to *any*
//! fork: an impostor commit looks exactly like a careful hash pin.
//!
//! The check lists the repository's refs once (git `ls-refs`); a SHA that a
//! branch or tag points at (or a tag object's SHA, peeled) is fine without
//! another request. Otherwise it asks the compare API whether the commit is
//! in the history of a ref: first the ref the version comment names, then
//! the default branch, the other branches, release tags newest first and
//! the other tags; the first "identical" or "behind" settles it. Severity
//! high, confidence high, as in zizmor (`ci-intel-policy pin --online` rates
//! the same finding critical because it gates a pinning change).
//!
//! Not reported: tags, branches and abbreviated SHAs (`ref-confusion` and
//! `unpinned-uses` cover those), expressions, local and `docker://`
//! references, and a repository that does not exist (`unresolvable-ref`).
//! Runs only with `--online`.
//!
//! ## Why is this bad?
//! An attacker opens a pull request that "updates" a pin to a commit in
//! their fork; the diff shows a plausible SHA on the right repository, and
//! once merged the workflow runs the attacker's code with the job's
//! secrets and token.
//!
//! ## Example
//! ```yaml
//!       # c7d749a2... exists only in a fork of actions/checkout
//!       - uses: actions/checkout@c7d749a2d57b4b375d1ebcd17cfbfb60c676f18e
//! ```
//!
//! ## Fix
//! Pin a commit of a release of the repository itself
//! (`ci-intel-policy pin` resolves the tag):
//! ```yaml
//!       - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[impostor-commit]` on the `uses:` line (think twice).

use ci_intel_core::Severity;

use super::OnlineRule;
use crate::config::Persona;

pub const RULE: OnlineRule = OnlineRule {
    id: "impostor-commit",
    title: "Pinned commit is on no branch or tag of the repository it names",
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
        let Some(sha) = site.sha() else { continue };
        let Some(listed) = forge.existing_refs(&site)? else {
            continue;
        };
        let Ok(refs) = listed.as_ref() else { continue };
        let (on_refs, checked) = forge.remote().commit_on_refs(
            &site.owner,
            &site.repo,
            refs,
            &sha,
            site.label.as_deref(),
        )?;
        if on_refs {
            continue;
        }
        hits.push(
            Hit::new(
                RULE.id,
                Severity::High,
                site.pos,
                format!("{}@{sha}", site.repository()),
                format!(
                    "`{}`: commit {sha} is on no branch or tag of {} (compared with {checked} ref commit(s)); it may come from a fork (an impostor commit)",
                    site.raw,
                    site.repository()
                ),
            )
            .confidence(Confidence::High)
            .fix("pin a commit of a release of the repository itself (`ci-intel-policy pin` on the tag)"),
        );
    }
    Ok(())
}
