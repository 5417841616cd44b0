//! ## What it does
//! Reports a step or job `uses:` that is not pinned to a full 40-hex commit
//! SHA: `actions/checkout@v4`, `owner/repo/.github/workflows/x.yml@main`,
//! `owner/repo` without any ref, and `docker://image:tag` without an
//! `@sha256:` digest. Local references (`./path`) and this repository at the
//! running commit (`$/path`) are fine.
//!
//! The pin policy is configurable per pattern (`owner/repo`, `owner/*`,
//! `*`; the most specific wins) in `policy.pins`: `hash-pin` (the default
//! for `*`) needs a SHA, `ref-pin` accepts an explicit tag, `any` accepts
//! anything.
//!
//! ## Why is this bad?
//! Tags and branches move. Whoever controls the referenced repository (or
//! steals its credentials) can change the code your pipeline runs, with your
//! secrets and your token, without any change in your repository. A commit
//! SHA is immutable.
//!
//! ## Example
//! ```yaml
//! steps:
//!   - uses: actions/checkout@v4
//!   - uses: docker://alpine:3.20
//! ```
//!
//! ## Fix
//! Pin to the commit the tag points at, with the tag as a Renovate version
//! comment (`ci-intel-policy pin` does this, see docs/policy-pin.md):
//! ```yaml
//!   - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
//!   - uses: docker://alpine:3.20@sha256:<digest>
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[unpinned-uses]` (or `# zizmor: ignore[unpinned-uses]`)
//! on the `uses:` line, or a `policy.pins` entry such as
//! `{pattern: "my-org/*", policy: ref-pin}`.

use crate::config::PinPolicy;
use ci_intel_core::Severity;

use super::Rule;
use crate::audit::model::{Ctx, Hit, RefShape, Uses, UsesTarget, ref_shape};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "unpinned-uses",
    title: "Action or reusable workflow not pinned to a full commit SHA",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

/// Every `uses:` of the document (steps and reusable-workflow jobs).
pub(crate) fn all_uses(ctx: &Ctx<'_>) -> Vec<Uses> {
    let mut out: Vec<Uses> = ctx.steps().iter().filter_map(|s| s.uses()).collect();
    for (_, _, job) in ctx.jobs() {
        if let Some(node) = job.get("uses")
            && let Some(raw) = node.as_str()
        {
            out.push(Uses::parse(raw, node.pos));
        }
    }
    out.sort_by_key(|u| (u.pos.line, u.pos.col));
    out
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for uses in all_uses(ctx) {
        let policy = ctx.opts.pin_policy(&uses);
        if policy == PinPolicy::Any {
            continue;
        }
        match &uses.target {
            UsesTarget::Local | UsesTarget::SelfRepository => {}
            UsesTarget::Docker { image } => {
                if !image.contains("@sha256:") {
                    hits.push(
                        Hit::new(
                            RULE.id,
                            Severity::High,
                            uses.pos,
                            &uses.raw,
                            format!("`{}` is a Docker image without an `@sha256:` digest: the image behind the tag can change", uses.raw),
                        )
                        .fix("append the image digest: docker://IMAGE:TAG@sha256:DIGEST"),
                    );
                }
            }
            UsesTarget::Remote { git_ref, .. } => {
                let Some(git_ref) = git_ref else {
                    hits.push(
                        Hit::new(
                            RULE.id,
                            Severity::High,
                            uses.pos,
                            &uses.raw,
                            format!("`{}` has no ref at all", uses.raw),
                        )
                        .fix("pin to a full commit SHA with a `# vX.Y.Z` comment"),
                    );
                    continue;
                };
                let shape = ref_shape(git_ref);
                let ok = match policy {
                    PinPolicy::HashPin => shape == RefShape::Sha,
                    // Floating refs are floating-ref's business.
                    PinPolicy::RefPin => true,
                    PinPolicy::Any => true,
                };
                if ok {
                    continue;
                }
                let what = match shape {
                    RefShape::ShortSha => "an abbreviated SHA, which can become ambiguous",
                    RefShape::ExactTag => "a tag, which can be moved",
                    RefShape::MajorTag | RefShape::MinorTag => "a moving tag",
                    RefShape::KnownBranch | RefShape::OtherName => {
                        "a branch or tag, which can move"
                    }
                    RefShape::Expression => {
                        "an expression, so the code that runs is chosen at run time"
                    }
                    RefShape::Sha => "a commit",
                };
                hits.push(
                    Hit::new(
                        RULE.id,
                        Severity::High,
                        uses.pos,
                        &uses.raw,
                        format!("`{}` is pinned to `{git_ref}`, {what}, not to a full commit SHA", uses.raw),
                    )
                    .fix("pin to the 40-hex commit SHA with a `# vX.Y.Z` comment (`ci-intel-policy pin`)"),
                );
            }
        }
    }
}
