//! ## What it does
//! zizmor's `known-vulnerable-actions` (online). Reports a step's `uses:`
//! (workflow job or composite action) whose version of the action is in
//! the vulnerable range of a reviewed advisory of the GitHub Advisory
//! Database (`GET /advisories?ecosystem=actions&affects=OWNER/REPO`, once
//! per repository and run). The version is found as zizmor finds it:
//! - a tag or branch ref is resolved to its commit, and the longest tag
//!   name at that commit is the version (`v4` → `v4.2.2`); without one, the
//!   ref itself (`v1.2.3`);
//! - a SHA pin's version is the longest tag at that commit; without one,
//!   the version its comment names (`# v1.2.3`), at medium confidence.
//!
//! The version is compared with each advisory's `vulnerable_version_range`
//! (`>= 2.0.0, < 2.2.1`: every comparison must hold; `v` prefixes and
//! missing minor or patch numbers count as 0). One finding per advisory,
//! with the advisory's own severity (low, medium, high, critical: zizmor
//! caps critical at high and reports low as unknown) and high confidence.
//! A range that cannot be read is still a finding, at low confidence.
//!
//! Not reported: withdrawn advisories, advisories listed in
//! `policy.known_vulnerable_actions.allow` (GHSA ids, after you judged they
//! do not apply), refs that name no version (a branch with no tag at its
//! head, such as `main`), references that do not resolve or whose
//! repository does not exist (`unresolvable-ref`), reusable workflow jobs
//! and pre-commit hooks (as in zizmor). Runs only with `--online`.
//!
//! ## Why is this bad?
//! A disclosed vulnerability in an action (a token written to the logs, a
//! template injection inside the action) is exploitable in every workflow
//! that runs an affected version, and is public knowledge.
//!
//! ## Example
//! ```yaml
//!       # an advisory of acme/deploy says: vulnerable >= 1.0.0, < 1.4.2
//!       - uses: acme/deploy@v1.3.0
//! ```
//!
//! ## Fix
//! Upgrade to the first patched version (`acme/deploy@<sha> # v1.4.2`) or
//! later, or stop using the action; if the advisory does not apply to your
//! use, allow it by id:
//! ```yaml
//! policy:
//!   known_vulnerable_actions:
//!     allow: [GHSA-xxxx-xxxx-xxxx]
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[known-vulnerable-actions]` on the `uses:` line, or
//! the advisory's id in `policy.known_vulnerable_actions.allow`.

use ci_intel_core::Severity;

use super::OnlineRule;
use crate::config::Persona;

pub const RULE: OnlineRule = OnlineRule {
    id: "known-vulnerable-actions",
    title: "Action version has a known vulnerability (GitHub Advisory Database)",
    default_severity: Severity::High,
    persona: Persona::Regular,
    #[cfg(feature = "pin")]
    check,
};

/// The longest tag at `sha` that is a version (`v1.2.0` before `v1`; a
/// tag such as `latest` at the same commit names no version).
#[cfg(feature = "pin")]
fn version_tag<'r>(refs: &'r crate::pin::remote::RepoRefs, sha: &str) -> Option<&'r str> {
    refs.tags_at(sha)
        .into_iter()
        .find(|t| crate::pin::version::Version::parse(t).is_some())
}

/// The advisory's severity, as ours.
#[cfg(feature = "pin")]
fn severity(text: &str) -> Severity {
    match text.to_ascii_lowercase().as_str() {
        "low" => Severity::Low,
        "high" => Severity::High,
        "critical" => Severity::Critical,
        _ => Severity::Medium,
    }
}

#[cfg(feature = "pin")]
fn check(
    ctx: &crate::audit::model::Ctx<'_>,
    forge: &crate::audit::online::Forge,
    hits: &mut Vec<crate::audit::model::Hit>,
) -> Result<(), ci_intel_core::Failure> {
    use crate::audit::model::Hit;
    use crate::audit::online::SiteKind;
    use crate::pin::remote::in_version_range;
    use crate::pin::version::Version;
    use ci_intel_core::Confidence;

    let allow = &ctx.opts.policy.known_vulnerable_actions.allow;
    for site in crate::audit::online::sites(ctx) {
        if site.kind != SiteKind::Step {
            continue;
        }
        let Some(listed) = forge.existing_refs(&site)? else {
            continue;
        };
        let Ok(refs) = listed.as_ref() else { continue };
        // (version text, how it was found, confidence)
        let found = match site.sha() {
            Some(sha) => match version_tag(refs, &sha) {
                Some(tag) => Some((
                    tag.to_string(),
                    format!("tag {tag} is at that commit"),
                    Confidence::High,
                )),
                None => site.label.clone().map(|label| {
                    (
                        label.clone(),
                        format!("its comment says {label}; no tag is at that commit"),
                        Confidence::Medium,
                    )
                }),
            },
            None => {
                refs.resolve(&site.git_ref)
                    .map(|(_, commit)| match version_tag(refs, commit) {
                        Some(tag) if tag != site.git_ref => (
                            tag.to_string(),
                            format!("`{}` is at tag {tag}", site.git_ref),
                            Confidence::High,
                        ),
                        _ => (
                            site.git_ref.clone(),
                            "the ref itself".to_owned(),
                            Confidence::High,
                        ),
                    })
            }
        };
        let Some((version_text, how, confidence)) = found else {
            continue;
        };
        let Some(version) = Version::parse(&version_text) else {
            continue;
        };
        let advisories = forge.advisories(&site.owner, &site.repo)?;
        let names = [site.repository().to_ascii_lowercase()];
        for advisory in advisories.iter() {
            if advisory.withdrawn_at.is_some()
                || allow
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(&advisory.ghsa_id))
            {
                continue;
            }
            let mut matched: Option<(String, Option<String>, Confidence)> = None;
            for vuln in &advisory.vulnerabilities {
                let package = vuln.package.name.to_ascii_lowercase();
                if !vuln.package.ecosystem.eq_ignore_ascii_case("actions")
                    || !names
                        .iter()
                        .any(|n| package == *n || package.starts_with(&format!("{n}/")))
                {
                    continue;
                }
                let range = vuln.vulnerable_version_range.clone().unwrap_or_default();
                match in_version_range(&version, &range) {
                    Some(true) => {
                        matched = Some((range, vuln.first_patched_version.clone(), confidence));
                        break;
                    }
                    Some(false) => {}
                    None => {
                        matched.get_or_insert((
                            range,
                            vuln.first_patched_version.clone(),
                            Confidence::Low,
                        ));
                    }
                }
            }
            let Some((range, patched, confidence)) = matched else {
                continue;
            };
            let fixed = patched
                .as_deref()
                .map(|p| format!("; fixed in {p}"))
                .unwrap_or_else(|| "; no fixed version".to_owned());
            let range_text = if range.is_empty() {
                "unstated".to_owned()
            } else {
                range
            };
            hits.push(
                Hit::new(
                    RULE.id,
                    severity(&advisory.severity),
                    site.pos,
                    format!("{}@{}#{}", site.repository(), version_text, advisory.ghsa_id),
                    format!(
                        "`{}` is version {version_text} ({how}), affected by {} ({} severity): {} (vulnerable: {range_text}{fixed}); https://github.com/advisories/{}",
                        site.raw,
                        advisory.ghsa_id,
                        advisory.severity,
                        advisory.summary.trim(),
                        advisory.ghsa_id
                    ),
                )
                .confidence(confidence)
                .fix(match &patched {
                    Some(p) => format!("upgrade to {p} or later (`ci-intel-policy pin --update`), or add {} to policy.known_vulnerable_actions.allow if it does not apply", advisory.ghsa_id),
                    None => format!("stop using the action, or add {} to policy.known_vulnerable_actions.allow if it does not apply", advisory.ghsa_id),
                }),
            );
        }
    }
    Ok(())
}
