//! ## What it does
//! zizmor's `use-trusted-publishing`. Reports publishing to an index that
//! supports Trusted Publishing (OIDC, no stored token) with a long-lived
//! token instead:
//! - `pypa/gh-action-pypi-publish` with a `password` for PyPI or TestPyPI;
//! - `rubygems/release-gem` with `setup-trusted-publisher: false`, and
//!   `rubygems/configure-rubygems-credentials` with an `api-token` for
//!   rubygems.org;
//! - `actions/setup-node` with `always-auth` for registry.npmjs.org (or no
//!   `registry-url`);
//! - `run:` commands that publish (`cargo publish`, `npm`/`pnpm`/`bun
//!   publish`, `yarn npm publish`, `lerna publish`, `changeset publish`,
//!   `gem push`, `twine upload`, `uv publish`, `poetry publish`, `nuget
//!   push`, `dotnet nuget push`) in a job without `id-token: write`.
//!
//! The finding is informational: the workflow is not vulnerable as written,
//! it holds a credential it could do without.
//!
//! Not reported: package scripts that may publish (`npm run publish`,
//! `yarn release publish`: what they run is not in the workflow), dry runs (`--dry-run`, `cargo publish -n`), indexes that
//! do not support Trusted Publishing (a custom `repository-url`,
//! `gem-server` or `registry-url`), and commands in jobs that already have
//! `id-token: write` (they may be using it).
//!
//! ## Why is this bad?
//! A stored API token lives until someone revokes it, works from anywhere,
//! and leaks with any step that can read secrets. Trusted Publishing trades
//! it for a token minted per run, bound to this repository and workflow,
//! valid for minutes.
//!
//! ## Example
//! ```yaml
//!       - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4
//!         with:
//!           password: ${{ secrets.PYPI_TOKEN }}
//! ```
//!
//! ## Fix
//! Register the workflow as a trusted publisher on the index, give the job
//! `permissions: {id-token: write}`, and drop the token:
//! ```yaml
//!       - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4
//! ```
//! (crates.io: `rust-lang/crates-io-auth-action`; npm: `npm publish` with
//! `id-token: write`; nuget.org: `NuGet/login`.)
//!
//! ## Ignore
//! `# ci-intel: ignore[use-trusted-publishing]` on the `uses:` line or the
//! command's line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::facts::{falsy, job_has_id_token, never_runs, truthy};
use crate::audit::model::{Ctx, Hit};
use crate::audit::shell::{Command, ignore_line, step_commands};
use crate::audit::yaml::Node;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "use-trusted-publishing",
    title: "Publishing with a stored token where Trusted Publishing works",
    default_severity: Severity::Info,
    persona: Persona::Regular,
    check,
};

/// Does a URL input name an index we know (absent means the default one)?
fn known_index(value: Option<&Node>, hosts: &[&str]) -> bool {
    let Some(value) = value else { return true };
    let Some(url) = value.as_str() else {
        return false;
    };
    let host = url
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    hosts.contains(&host.as_str())
}

/// What a command publishes to, if it publishes.
fn publishes(cmd: &Command) -> Option<&'static str> {
    let args = cmd.args();
    let sub = |i: usize| args.get(i).map(String::as_str);
    let dry = cmd.has_flag(&["--dry-run"]);
    match cmd.program() {
        "cargo" => {
            let rest: Vec<&str> = args
                .iter()
                .map(String::as_str)
                .filter(|a| !a.starts_with('+'))
                .collect();
            (rest.first() == Some(&"publish") && !dry && !cmd.has_flag(&["-n"]))
                .then_some("crates.io")
        }
        "npm" | "bun" => (sub(0) == Some("publish") && !dry).then_some("npm"),
        "pnpm" => ((sub(0) == Some("publish")
            || matches!(sub(0), Some("lerna" | "changeset")) && sub(1) == Some("publish"))
            && !dry)
            .then_some("npm"),
        "yarn" => ((sub(0) == Some("npm") && sub(1) == Some("publish")
            || sub(0) == Some("publish")
            || matches!(sub(0), Some("lerna" | "changeset")) && sub(1) == Some("publish"))
            && !dry)
            .then_some("npm"),
        "lerna" | "changeset" => (sub(0) == Some("publish") && !dry).then_some("npm"),
        "poetry" => (sub(0) == Some("publish") && !dry).then_some("PyPI"),
        "gem" => (sub(0) == Some("push")).then_some("RubyGems"),
        "twine" => (sub(0) == Some("upload")).then_some("PyPI"),
        "uv" => (sub(0) == Some("publish") && !dry).then_some("PyPI"),
        "nuget" => (sub(0) == Some("push")).then_some("nuget.org"),
        "dotnet" => (sub(0) == Some("nuget") && sub(1) == Some("push")).then_some("nuget.org"),
        _ => None,
    }
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for step in ctx.steps() {
        if never_runs(&step) {
            continue;
        }
        if let Some(uses) = step.uses() {
            let with = step.node.get("with");
            let input = |k: &str| with.and_then(|w| w.get(k));
            let index = if uses.is_action("pypa/gh-action-pypi-publish") {
                let url = input("repository-url").or_else(|| input("repository_url"));
                (input("password").is_some()
                    && known_index(url, &["upload.pypi.org", "test.pypi.org"]))
                .then_some("PyPI")
            } else if uses.is_action("rubygems/release-gem") {
                falsy(input("setup-trusted-publisher")).then_some("RubyGems")
            } else if uses.is_action("rubygems/configure-rubygems-credentials") {
                (input("api-token").is_some()
                    && known_index(input("gem-server"), &["rubygems.org"]))
                .then_some("RubyGems")
            } else if uses.is_action("actions/setup-node") {
                (truthy(input("always-auth"))
                    && known_index(input("registry-url"), &["registry.npmjs.org"]))
                .then_some("npm")
            } else {
                None
            };
            if let Some(index) = index {
                hits.push(
                    Hit::new(
                        RULE.id,
                        Severity::Info,
                        uses.pos,
                        format!("{}:{}", step.describe(), uses.raw),
                        format!(
                            "{} publishes to {index} with a stored token; {index} supports Trusted Publishing",
                            step.describe()
                        ),
                    )
                    .also_line(step.node.pos.line)
                    .fix("configure a trusted publisher on the index, grant `id-token: write` and drop the token input"),
                );
            }
            continue;
        }
        if job_has_id_token(ctx, &step) {
            continue;
        }
        for cmd in step_commands(ctx, &step).iter() {
            let Some(index) = publishes(cmd) else {
                continue;
            };
            hits.push(
                Hit::new(
                    RULE.id,
                    Severity::Info,
                    cmd.pos,
                    format!("{}:{}", step.describe(), cmd.words.join(" ")),
                    format!(
                        "`{}` in {} publishes to {index} with a stored token; {index} supports Trusted Publishing",
                        cmd.words.iter().take_while(|w| !w.starts_with('-')).take(3).cloned().collect::<Vec<_>>().join(" "),
                        step.describe()
                    ),
                )
                .also_line(ignore_line(&step, cmd))
                .fix("configure a trusted publisher on the index and grant the job `id-token: write`"),
            );
        }
    }
}
