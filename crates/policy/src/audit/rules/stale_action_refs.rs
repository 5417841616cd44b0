//! ## What it does
//! zizmor's `stale-action-refs` (online, pedantic persona). Reports a step's
//! `uses:` (workflow job or composite action) pinned to a full commit SHA
//! that no tag of the action's repository points at: a commit taken from a
//! branch between releases, which no release notes describe and no update
//! tool can name. A tag object's SHA counts as tagged. Severity low,
//! confidence high, as in zizmor. One `ls-refs` per repository answers it.
//!
//! Not reported: tag and branch refs, reusable workflow jobs and pre-commit
//! hooks (as in zizmor), and a repository that does not exist
//! (`unresolvable-ref`). A commit on no ref at all is reported here and as
//! an `impostor-commit`, as zizmor does. Runs only with `--online`.
//!
//! ## Why is this bad?
//! An untagged commit was never released: it may be a work in progress or
//! carry a bug fixed before the release, and its pin has no version that
//! Renovate or Dependabot can move forward from.
//!
//! ## Example
//! ```yaml
//!       - uses: actions/checkout@009b9ae9e446ad8d9b8c809870b0fbcc5e03573e
//! ```
//!
//! ## Fix
//! Pin the commit of a release tag (`ci-intel-policy pin --update` moves the
//! pin to the newest release):
//! ```yaml
//!       - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[stale-action-refs]` on the `uses:` line.

use ci_intel_core::Severity;

use super::OnlineRule;
use crate::config::Persona;

pub const RULE: OnlineRule = OnlineRule {
    id: "stale-action-refs",
    title: "Pinned commit is not the commit of any tag",
    default_severity: Severity::Low,
    persona: Persona::Pedantic,
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
    use crate::audit::online::SiteKind;
    use ci_intel_core::Confidence;

    for site in crate::audit::online::sites(ctx) {
        if site.kind != SiteKind::Step {
            continue;
        }
        let Some(sha) = site.sha() else { continue };
        let Some(listed) = forge.existing_refs(&site)? else {
            continue;
        };
        let Ok(refs) = listed.as_ref() else { continue };
        if !refs.tags_at(&sha).is_empty() {
            continue;
        }
        hits.push(
            Hit::new(
                RULE.id,
                Severity::Low,
                site.pos,
                format!("{}@{sha}", site.repository()),
                format!(
                    "`{}`: no tag of {} points at commit {sha}; it is not a release",
                    site.raw,
                    site.repository()
                ),
            )
            .confidence(Confidence::High)
            .fix("pin the commit of a release tag (`ci-intel-policy pin --update` moves it to the newest release)"),
        );
    }
    Ok(())
}
