//! ## What it does
//! Reports a `uses:` pinned to a commit SHA whose line does not end with a
//! version comment in Renovate's format: `# v1.2.3` (a pre-release suffix
//! such as `# v1.2.3-rc.1` is fine; `# tag=v1.2.3` is accepted too).
//!
//! ## Why is this bad?
//! A bare SHA says nothing to the reviewer of a diff, and Renovate cannot
//! tell which release it is, so it cannot propose the next one or describe
//! the bump. Pins without versions rot.
//!
//! ## Example
//! ```yaml
//!   - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1
//!   - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7
//! ```
//!
//! ## Fix
//! Add the full version the SHA is tagged with:
//! ```yaml
//!   - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
//! ```
//! `ci-intel-policy pin` writes these comments (docs/policy-pin.md).
//!
//! ## Ignore
//! `# ci-intel: ignore[pin-comment]` (or zizmor's
//! `# zizmor: ignore[ref-version-mismatch]`) as the comment of the `uses:` line (it
//! takes the place of the version comment), or
//! `policy.rules.pin-comment.enabled: false` if the repository does not use
//! Renovate.

use ci_intel_core::Severity;

use super::Rule;
use super::unpinned_uses::all_uses;
use crate::audit::model::{Ctx, Hit, RefShape, is_version_comment, ref_shape};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "pin-comment",
    title: "SHA pin without a `# vX.Y.Z` version comment",
    default_severity: Severity::Medium,
    persona: Persona::Regular,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for uses in all_uses(ctx) {
        let Some(git_ref) = uses.git_ref() else {
            continue;
        };
        if ref_shape(git_ref) != RefShape::Sha {
            continue;
        }
        let comment = ctx.src.trailing_comment(uses.pos.line, &uses.raw);
        // An ignore comment is not a version comment, but it may follow one.
        let version_ok = comment.is_some_and(is_version_comment);
        if version_ok {
            continue;
        }
        let message = match comment {
            Some(c) if !c.is_empty() => format!(
                "`{}` is pinned to a SHA but its comment `# {c}` is not a full version in Renovate's format (`# v1.2.3`)",
                uses.raw
            ),
            _ => format!(
                "`{}` is pinned to a SHA without a `# vX.Y.Z` version comment: neither reviewers nor Renovate know which release it is",
                uses.raw
            ),
        };
        hits.push(
            Hit::new(RULE.id, Severity::Medium, uses.pos, &uses.raw, message)
                .fix("append the release the SHA is tagged with, e.g. `# v1.2.3`"),
        );
    }
}
