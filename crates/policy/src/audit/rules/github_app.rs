//! ## What it does
//! zizmor's `github-app`. Reports risky requests for a GitHub App
//! installation token through `actions/create-github-app-token`:
//! - `skip-token-revoke` true (or chosen by an expression): the token is
//!   not revoked when the job ends;
//! - no `permission-*` input: the token gets every permission the App was
//!   installed with;
//! - `owner:` without `repositories:` while asking for a repository
//!   permission (or for all permissions): the token reaches every
//!   repository of that owner.
//!
//! Not reported: `owner:` without `repositories:` when every permission
//! asked for is an organization one (`permission-members`,
//! `permission-organization-*`), and tokens for the current repository only
//! (no `owner:`).
//!
//! ## Why is this bad?
//! An App token is usually far stronger than the job's `GITHUB_TOKEN`. A
//! token that outlives the job, reaches more repositories than the one
//! being worked on, or carries every permission of the App turns any leak
//! or compromised step into access to all of it.
//!
//! ## Example
//! ```yaml
//!       - uses: actions/create-github-app-token@1b10c78c7865c340bc4f6099eb2f838309f1e8c3 # v3.1.1
//!         with:
//!           owner: acme
//!           client-id: ${{ vars.APP_CLIENT_ID }}
//!           private-key: ${{ secrets.APP_PRIVATE_KEY }}
//! ```
//!
//! ## Fix
//! ```yaml
//!         with:
//!           owner: acme
//!           repositories: app
//!           permission-contents: write
//!           client-id: ${{ vars.APP_CLIENT_ID }}
//!           private-key: ${{ secrets.APP_PRIVATE_KEY }}
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[github-app]` on the reported line (the
//! `skip-token-revoke:`, `owner:` or `uses:` line).

use ci_intel_core::{Confidence, Severity};

use super::Rule;
use crate::audit::facts::{is_expression, truthy};
use crate::audit::model::{Ctx, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "github-app",
    title: "GitHub App token that outlives the job or reaches too far",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

/// Permissions of an App that are about the organization, not repositories.
fn organization_permission(name: &str) -> bool {
    name == "members" || name.starts_with("organization-")
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for step in ctx.steps() {
        let Some(uses) = step.uses() else { continue };
        if !uses.is_action("actions/create-github-app-token") {
            continue;
        }
        let with = step.node.get("with");
        let input = |k: &str| with.and_then(|w| w.get(k));
        let what = step.describe();
        if let Some(skip) = input("skip-token-revoke")
            && (truthy(Some(skip)) || is_expression(skip))
        {
            let confidence = if is_expression(skip) {
                Confidence::Medium
            } else {
                Confidence::High
            };
            hits.push(
                Hit::new(
                    RULE.id,
                    Severity::High,
                    skip.pos,
                    format!("{what}:skip-token-revoke"),
                    format!("{what} may skip revoking its App token: it stays valid after the job"),
                )
                .confidence(confidence)
                .fix("remove `skip-token-revoke`"),
            );
        }
        let permissions: Vec<&str> = with
            .map(|w| {
                w.entries()
                    .iter()
                    .filter_map(|(k, _)| k.as_str()?.strip_prefix("permission-"))
                    .collect()
            })
            .unwrap_or_default();
        if permissions.is_empty() {
            hits.push(
                Hit::new(
                    RULE.id,
                    Severity::High,
                    uses.pos,
                    format!("{what}:permissions"),
                    format!("{what} asks for no `permission-*`: its token gets every permission of the App"),
                )
                .also_line(step.node.pos.line)
                .fix("add the `permission-<name>: read|write` inputs the later steps need"),
            );
        }
        if let Some(owner) = input("owner")
            && input("repositories").is_none()
            && (permissions.is_empty() || permissions.iter().any(|p| !organization_permission(p)))
        {
            hits.push(
                Hit::new(
                    RULE.id,
                    Severity::High,
                    owner.pos,
                    format!("{what}:owner"),
                    format!(
                        "{what} sets `owner:` without `repositories:`: its token reaches every repository of `{}`",
                        owner.as_str().unwrap_or("the owner")
                    ),
                )
                .fix("list the repositories the token needs in `repositories:`"),
            );
        }
    }
}
