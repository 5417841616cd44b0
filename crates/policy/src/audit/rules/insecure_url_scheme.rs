//! ## What it does
//! zizmor's `insecure-url-scheme`. Reports `repos[].repo` URLs of a
//! `.pre-commit-config.yaml` that use a plaintext scheme: `http://` or
//! `git://`.
//!
//! Not reported: URLs elsewhere (workflow `run:` scripts, action inputs:
//! zizmor limits the audit to pre-commit repositories too), `https://`,
//! `ssh://` and `git@host:` URLs, and `local`/`meta` hooks.
//!
//! ## Why is this bad?
//! Without TLS, anyone on the network path (a coffee-shop Wi-Fi, a
//! compromised proxy) can swap the hook's code, which pre-commit then runs
//! on every developer's machine and in CI.
//!
//! ## Example
//! ```yaml
//! repos:
//!   - repo: git://github.com/pre-commit/pre-commit-hooks
//!     rev: v2.3.0
//! ```
//!
//! ## Fix
//! ```yaml
//!   - repo: https://github.com/pre-commit/pre-commit-hooks
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[insecure-url-scheme]` on the `repo:` line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::facts::pre_commit_repos;
use crate::audit::model::{Ctx, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "insecure-url-scheme",
    title: "Plaintext URL scheme (http://, git://) for fetched code",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for (url, node) in pre_commit_repos(ctx) {
        let lower = url.trim().to_ascii_lowercase();
        let (scheme, secure) = if lower.starts_with("http://") {
            ("http://", "https://")
        } else if lower.starts_with("git://") {
            ("git://", "https:// or ssh://")
        } else {
            continue;
        };
        hits.push(
            Hit::new(
                RULE.id,
                Severity::High,
                node.pos,
                url,
                format!("`{url}` is fetched over `{scheme}`, without transport security: anyone on the path can replace the hook's code"),
            )
            .fix(format!("use {secure}")),
        );
    }
}
