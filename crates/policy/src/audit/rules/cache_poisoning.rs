//! ## What it does
//! Reports a cache restored in a release, tag or publish job: a workflow
//! triggered by `release` or by `push` of tags, or a job that publishes
//! (`pypa/gh-action-pypi-publish`, `softprops/action-gh-release`,
//! `goreleaser/goreleaser-action`, `npm publish`, `cargo publish`, ...),
//! that restores `actions/cache`, `Swatinem/rust-cache`, or a `setup-*`
//! action with its `cache:` input enabled (`actions/setup-go` caches by
//! default; medium confidence when it is not disabled).
//!
//! ## Why is this bad?
//! Caches are shared with every other workflow of the repository, including
//! ones that run untrusted code (pull requests). Whatever wrote the cache
//! can place a poisoned dependency or build output there, and the release
//! then ships it, signed.
//!
//! ## Example
//! ```yaml
//! on:
//!   push:
//!     tags: ['v*']
//! jobs:
//!   release:
//!     steps:
//!       - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0
//!         with:
//!           cache: npm
//!       - run: npm publish
//! ```
//!
//! ## Fix
//! Do not restore caches in release jobs: build from a clean state (it is
//! slower, and it is what you sign). Remove `cache:` or the cache step.
//!
//! ## Ignore
//! `# ci-intel: ignore[cache-poisoning]` on the cache step's `uses:` line.

use ci_intel_core::{Confidence, Severity};

use super::Rule;
use crate::audit::model::{Ctx, Hit, Step};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "cache-poisoning",
    title: "Cache restored in a release or publish workflow",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

const PUBLISHERS: &[&str] = &[
    "pypa/gh-action-pypi-publish",
    "softprops/action-gh-release",
    "goreleaser/goreleaser-action",
    "ncipollo/release-action",
    "docker/build-push-action",
    "actions/create-release",
    "svenstaro/upload-release-action",
];

const PUBLISH_COMMANDS: &[&str] = &[
    "npm publish",
    "yarn publish",
    "pnpm publish",
    "cargo publish",
    "twine upload",
    "gh release create",
    "goreleaser release",
    "mvn deploy",
    "gradle publish",
    "./gradlew publish",
    "docker push",
    "poetry publish",
];

fn publishes(step: &Step<'_>) -> bool {
    if let Some(uses) = step.uses()
        && let Some(name) = uses.action_name()
        && PUBLISHERS.iter().any(|p| name.starts_with(p))
    {
        return true;
    }
    step.node
        .get("run")
        .and_then(|r| r.as_str())
        .is_some_and(|run| PUBLISH_COMMANDS.iter().any(|c| run.contains(c)))
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    if !ctx.is_workflow() {
        return;
    }
    let tag_push = ctx
        .trigger_config("push")
        .is_some_and(|push| push.get("tags").is_some());
    let release_trigger = ctx.has_trigger("release") || tag_push;
    let steps = ctx.steps();
    for step in &steps {
        let Some(uses) = step.uses() else { continue };
        let Some(name) = uses.action_name() else {
            continue;
        };
        let with = step.node.get("with");
        let cache_input = with.and_then(|w| w.get("cache"));
        let (restores, confidence) = if name == "actions/cache"
            || name == "actions/cache/restore"
            || name == "swatinem/rust-cache"
        {
            (true, Confidence::High)
        } else if name == "actions/setup-go" {
            match cache_input {
                Some(c) if c.as_bool() == Some(false) || c.as_str() == Some("false") => {
                    (false, Confidence::High)
                }
                Some(_) => (true, Confidence::High),
                None => (true, Confidence::Medium),
            }
        } else if name.starts_with("actions/setup-") {
            match cache_input {
                Some(c) => (
                    !(c.as_bool() == Some(false)
                        || c.as_str().is_some_and(|s| s.is_empty() || s == "false")),
                    Confidence::High,
                ),
                None => (false, Confidence::High),
            }
        } else {
            (false, Confidence::High)
        };
        if !restores {
            continue;
        }
        let job_publishes = steps
            .iter()
            .any(|other| other.job == step.job && publishes(other));
        if !(release_trigger || job_publishes) {
            continue;
        }
        let why = if release_trigger {
            "a workflow triggered by releases or tags"
        } else {
            "a job that publishes"
        };
        hits.push(
            Hit::new(
                RULE.id,
                Severity::High,
                uses.pos,
                step.describe(),
                format!("{} restores a cache (`{}`) in {why}: a cache written by an untrusted run could end up in the release", step.describe(), uses.raw),
            )
            .confidence(confidence)
            .fix("do not restore caches when building releases: remove the cache step or its `cache:` input"),
        );
    }
}
