//! ## What it does
//! Reports an action or reusable workflow referenced by a branch (`@main`,
//! `@master`, `@releases/v1`) or by a major- or minor-only tag (`@v1`,
//! `@v1.2`). Any other name that is neither a SHA nor a full version is
//! reported with medium confidence: offline, a branch and a tag look alike.
//!
//! It applies whatever the pin policy, except for patterns whose policy is
//! `any`.
//!
//! ## Why is this bad?
//! These references are designed to move: every push to the branch, every
//! re-tag of `v1`, changes what runs in your pipeline. The seed audit of
//! ci-intel's consumers found 30 of 30 references on `@main`.
//!
//! ## Example
//! ```yaml
//! jobs:
//!   ci:
//!     uses: acme/ci-intel/.github/workflows/hub.yml@main
//! ```
//!
//! ## Fix
//! Pin to a commit SHA with its version comment (`ci-intel-policy pin`):
//! ```yaml
//!     uses: acme/ci-intel/.github/workflows/hub.yml@0123456789abcdef0123456789abcdef01234567 # v1.4.0
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[floating-ref]` on the `uses:` line, or
//! `{pattern: "owner/repo", policy: any}` in `policy.pins`.

use crate::config::PinPolicy;
use ci_intel_core::{Confidence, Severity};

use super::Rule;
use super::unpinned_uses::all_uses;
use crate::audit::model::{Ctx, Hit, RefShape, ref_shape};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "floating-ref",
    title: "Reference to a branch or a major-only tag",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for uses in all_uses(ctx) {
        let Some(git_ref) = uses.git_ref() else {
            continue;
        };
        if ctx.opts.pin_policy(&uses) == PinPolicy::Any {
            continue;
        }
        let (what, confidence) = match ref_shape(git_ref) {
            RefShape::KnownBranch => ("a branch", Confidence::High),
            RefShape::MajorTag => (
                "a major-only tag that moves with every release",
                Confidence::High,
            ),
            RefShape::MinorTag => (
                "a minor-only tag that moves with every patch release",
                Confidence::High,
            ),
            RefShape::OtherName => (
                "a name that is neither a SHA nor a full version (a branch?)",
                Confidence::Medium,
            ),
            _ => continue,
        };
        hits.push(
            Hit::new(
                RULE.id,
                Severity::High,
                uses.pos,
                &uses.raw,
                format!("`{}` floats: `@{git_ref}` is {what}", uses.raw),
            )
            .confidence(confidence)
            .fix("pin to a full commit SHA with a `# vX.Y.Z` comment (`ci-intel-policy pin`)"),
        );
    }
}
