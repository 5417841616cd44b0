//! ## What it does
//! Reports a cache restored where a release is built: in a workflow
//! triggered by `release`, by `push` of tags, or by `push` to a branch
//! whose name contains `release`, or in a job that publishes (a known
//! publisher action such as `pypa/gh-action-pypi-publish`,
//! `softprops/action-gh-release`, `goreleaser/goreleaser-action`, or
//! `docker/build-push-action` with `push:`; or a publish command: `npm
//! publish`, `cargo publish`, `twine upload`, ...).
//!
//! A step restores a cache when it uses a caching action and its cache is
//! on. zizmor's table of caching actions, their toggles and defaults:
//! `actions/cache` and `Swatinem/rust-cache` (on unless `lookup-only:
//! true`), `actions/cache/restore`, `Mozilla-Actions/sccache-action` and
//! `nix-community/cache-nix-action` (always), `actions/setup-go`,
//! `actions-rust-lang/setup-rust-toolchain`, `jdx/mise-action` and
//! `DeterminateSystems/magic-nix-cache-action` (on unless their toggle is
//! false), `actions/setup-python`, `actions/setup-java`,
//! `graalvm/setup-graalvm` (`cache:` names a package manager),
//! `actions/setup-node` (`cache:`, or `package-manager-cache`, on by
//! default at medium confidence), `actions/setup-dotnet`,
//! `ruby/setup-ruby` (`bundler-cache`), `PyO3/maturin-action`
//! (`sccache`), `mlugg/setup-zig` (`use-cache`), `oven-sh/setup-bun`
//! (on unless `no-cache`), `gradle/actions/setup-gradle` (on unless
//! `cache-disabled`), `ramsey/composer-install` (on unless `ignore-cache`
//! is true or `yes`), `docker/setup-buildx-action` (`cache-binary`, with a
//! `version`), and `astral-sh/setup-uv` (`enable-cache`; on by default
//! before v10, whose default leaves the cache off for releases;
//! `package-manager-cache` likewise exists from setup-node v5 on). A toggle
//! written as an expression may be on: it counts, at medium confidence;
//! one that tests for a tag turns the cache on for releases
//! (`${{ startsWith(github.ref, 'refs/tags/') }}`), and one that is off
//! for tags (`${{ !startsWith(github.ref, 'refs/tags/') }}`) is off for
//! releases when every release trigger is a tag (`release`, `push: tags`)
//! and counts when a release branch also triggers the workflow.
//!
//! Deliberately not flagged: caches in workflows that build no release
//! (pull requests, pushes to ordinary branches) and jobs that do not
//! publish; `docker/build-push-action` without `push:` (it builds, it does
//! not publish); caches explicitly turned off.
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
use crate::audit::model::{Ctx, Hit, Step, Uses};
use crate::audit::yaml::Node;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "cache-poisoning",
    title: "Cache restored in a release or publish workflow",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

/// Publisher actions (zizmor's list, plus release-asset uploaders).
const PUBLISHERS: &[&str] = &[
    "pypa/gh-action-pypi-publish",
    "rubygems/release-gem",
    "jreleaser/release-action",
    "goreleaser/goreleaser-action",
    "softprops/action-gh-release",
    "release-drafter/release-drafter",
    "googleapis/release-please-action",
    "redhat-actions/push-to-registry",
    "aws-actions/amazon-ecs-deploy-task-definition",
    "aws-actions/aws-cloudformation-github-deploy",
    "azure/aci-deploy",
    "azure/container-apps-deploy-action",
    "azure/functions-action",
    "azure/sql-action",
    "cloudflare/wrangler-action",
    "google-github-actions/deploy-appengine",
    "google-github-actions/deploy-cloudrun",
    "google-github-actions/deploy-cloud-functions",
    "ncipollo/release-action",
    "actions/create-release",
    "svenstaro/upload-release-action",
];

/// How a caching action's cache is turned on or off.
#[derive(Clone, Copy)]
enum Toggle {
    /// Always caches.
    Always,
    /// Caches when `input` is on; `default` when it is absent. A string
    /// input is on when it is not empty and not `false`.
    OptIn { input: &'static str, default: bool },
    /// Caches unless `input` is true (or `yes`, `1`).
    OptOut { input: &'static str },
}

/// Caching actions (lower-case `owner/repo[/path]`) and their toggles.
const CACHING: &[(&str, Toggle)] = &[
    ("actions/cache/restore", Toggle::Always),
    (
        "actions/cache",
        Toggle::OptOut {
            input: "lookup-only",
        },
    ),
    (
        "swatinem/rust-cache",
        Toggle::OptOut {
            input: "lookup-only",
        },
    ),
    ("mozilla-actions/sccache-action", Toggle::Always),
    ("nix-community/cache-nix-action", Toggle::Always),
    (
        "actions/setup-go",
        Toggle::OptIn {
            input: "cache",
            default: true,
        },
    ),
    (
        "actions/setup-java",
        Toggle::OptIn {
            input: "cache",
            default: false,
        },
    ),
    (
        "actions/setup-python",
        Toggle::OptIn {
            input: "cache",
            default: false,
        },
    ),
    (
        "actions/setup-dotnet",
        Toggle::OptIn {
            input: "cache",
            default: false,
        },
    ),
    (
        "graalvm/setup-graalvm",
        Toggle::OptIn {
            input: "cache",
            default: false,
        },
    ),
    (
        "ruby/setup-ruby",
        Toggle::OptIn {
            input: "bundler-cache",
            default: false,
        },
    ),
    (
        "pyo3/maturin-action",
        Toggle::OptIn {
            input: "sccache",
            default: false,
        },
    ),
    (
        "mlugg/setup-zig",
        Toggle::OptIn {
            input: "use-cache",
            default: false,
        },
    ),
    (
        "actions-rust-lang/setup-rust-toolchain",
        Toggle::OptIn {
            input: "cache",
            default: true,
        },
    ),
    (
        "jdx/mise-action",
        Toggle::OptIn {
            input: "cache",
            default: true,
        },
    ),
    (
        "determinatesystems/magic-nix-cache-action",
        Toggle::OptIn {
            input: "use-gha-cache",
            default: true,
        },
    ),
    ("oven-sh/setup-bun", Toggle::OptOut { input: "no-cache" }),
    (
        "gradle/actions/setup-gradle",
        Toggle::OptOut {
            input: "cache-disabled",
        },
    ),
    (
        "ramsey/composer-install",
        Toggle::OptOut {
            input: "ignore-cache",
        },
    ),
];

/// What an input's value says about a toggle.
enum Setting {
    Absent,
    On,
    Off,
    /// An expression: it may be on.
    Maybe,
    /// An expression that is off for tag refs
    /// (`!startsWith(github.ref, 'refs/tags/')`): off when every release
    /// trigger of the workflow is a tag.
    OffForTags,
}

fn setting(with: Option<&Node>, input: &str) -> Setting {
    let Some(value) = with.and_then(|w| w.get(input)) else {
        return Setting::Absent;
    };
    if let Some(b) = value.as_bool() {
        return if b { Setting::On } else { Setting::Off };
    }
    let text = value.as_str().unwrap_or("").trim();
    if text.contains("${{") {
        let compact: String = text
            .trim_start_matches("${{")
            .trim_end_matches("}}")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        let tag_check = compact.contains("'refs/tags/'") || compact.contains("ref_type=='tag'");
        if tag_check && compact.starts_with('!') {
            return Setting::OffForTags;
        }
        // A tag check turns the cache on for releases; any other
        // expression may.
        return if tag_check {
            Setting::On
        } else {
            Setting::Maybe
        };
    }
    match text.to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "0" | "off" => Setting::Off,
        _ => Setting::On,
    }
}

/// Whether `step` (using `name`) restores a cache, and how sure that is.
fn restores(ctx: &Ctx<'_>, step: &Step<'_>, uses: &Uses, name: &str) -> Option<Confidence> {
    let with = step.node.get("with");
    let tags_only = !release_branch_trigger(ctx);
    let setting = |with: Option<&Node>, input: &str| match setting(with, input) {
        Setting::OffForTags if tags_only => Setting::Off,
        Setting::OffForTags => Setting::Maybe,
        other => other,
    };
    // setup-node caches through `cache:` and, since v5, by default through
    // `package-manager-cache` (npm projects that name a package manager).
    if name == "actions/setup-node" {
        let since_v5 = major_version(ctx, uses).is_none_or(|major| major >= 5);
        return match (
            setting(with, "cache"),
            setting(with, "package-manager-cache"),
        ) {
            (Setting::On, _) => Some(Confidence::High),
            (Setting::Maybe, _) | (_, Setting::Maybe) => Some(Confidence::Medium),
            (_, Setting::On) => Some(Confidence::High),
            (_, Setting::Absent) if since_v5 => Some(Confidence::Medium),
            _ => None,
        };
    }
    // setup-buildx caches its own binary when given a version to download.
    if name == "docker/setup-buildx-action" {
        return match (setting(with, "cache-binary"), setting(with, "version")) {
            (Setting::Off, _) | (_, Setting::Absent | Setting::Off) => None,
            (Setting::Maybe, _) | (_, Setting::Maybe) => Some(Confidence::Medium),
            _ => Some(Confidence::High),
        };
    }
    // setup-uv turned its cache off for release events in v10.
    if name == "astral-sh/setup-uv" {
        let since_v10 = major_version(ctx, uses).is_some_and(|major| major >= 10);
        // `auto` is the default spelled out.
        let enable = with
            .and_then(|w| w.get("enable-cache"))
            .and_then(Node::as_str);
        if enable == Some("auto") {
            return (!since_v10).then_some(Confidence::Medium);
        }
        return match setting(with, "enable-cache") {
            Setting::On => Some(Confidence::High),
            Setting::Maybe => Some(Confidence::Medium),
            Setting::Absent if !since_v10 => Some(Confidence::Medium),
            _ => None,
        };
    }
    let (_, toggle) = CACHING.iter().find(|(action, _)| *action == name)?;
    match *toggle {
        Toggle::Always => Some(Confidence::High),
        Toggle::OptIn { input, default } => match setting(with, input) {
            Setting::On => Some(Confidence::High),
            Setting::Maybe | Setting::OffForTags => Some(Confidence::Medium),
            Setting::Absent if default => Some(Confidence::Medium),
            _ => None,
        },
        Toggle::OptOut { input } => match setting(with, input) {
            Setting::On => None,
            Setting::Maybe | Setting::OffForTags => Some(Confidence::Medium),
            Setting::Absent | Setting::Off => Some(Confidence::High),
        },
    }
}

/// The major version a `uses:` names, by its ref (`@v10.0.0`) or its
/// version comment (`@<sha> # v10.0.0`).
fn major_version(ctx: &Ctx<'_>, uses: &Uses) -> Option<u64> {
    let from_ref = uses.git_ref().map(str::to_owned);
    let from_comment = ctx
        .src
        .trailing_comment(uses.pos.line, &uses.raw)
        .map(str::to_owned);
    [from_ref, from_comment]
        .into_iter()
        .flatten()
        .find_map(|v| {
            let digits: String = v
                .trim_start_matches('v')
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
}

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
    {
        if PUBLISHERS.iter().any(|p| name.starts_with(p)) {
            return true;
        }
        // build-push-action publishes unless `push:` is turned off (zizmor
        // counts it whatever its inputs; `push: false` only builds).
        if name == "docker/build-push-action" {
            return !matches!(setting(step.node.get("with"), "push"), Setting::Off);
        }
    }
    step.node
        .get("run")
        .and_then(|r| r.as_str())
        .is_some_and(|run| PUBLISH_COMMANDS.iter().any(|c| run.contains(c)))
}

/// Whether the workflow's triggers build releases: `release`, `push` of
/// tags, or `push` to a branch named like a release branch.
fn release_trigger(ctx: &Ctx<'_>) -> bool {
    ctx.has_trigger("release")
        || ctx
            .trigger_config("push")
            .is_some_and(|push| push.get("tags").is_some())
        || release_branch_trigger(ctx)
}

/// Whether the workflow runs on `push` to a branch named like a release
/// branch: a release trigger that is not a tag.
fn release_branch_trigger(ctx: &Ctx<'_>) -> bool {
    ctx.trigger_config("push")
        .and_then(|push| push.get("branches"))
        .is_some_and(|branches| {
            branches
                .items()
                .iter()
                .chain(std::iter::once(branches))
                .filter_map(Node::as_str)
                .any(|b| b.to_ascii_lowercase().contains("release"))
        })
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    if !ctx.is_workflow() {
        return;
    }
    let release_trigger = release_trigger(ctx);
    let steps = ctx.steps();
    for step in &steps {
        let Some(uses) = step.uses() else { continue };
        let Some(name) = uses.action_name() else {
            continue;
        };
        let Some(confidence) = restores(ctx, step, &uses, &name) else {
            continue;
        };
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
            .fix("do not restore caches when building releases: remove the cache step or turn its cache off"),
        );
    }
}
