//! ## What it does
//! Auditor persona: reports `secrets.NAME` (or `secrets[...]`) read by a
//! workflow job that has
//! no `environment:` (zizmor's `secrets-outside-env` audit, medium
//! severity). `secrets.GITHUB_TOKEN` is never reported: its permissions are
//! the job's `permissions:`, and neither is a secret named in
//! `policy.secrets_outside_env.allow` (any case; zizmor's
//! `secrets-outside-env.config.allow`), for secrets judged fine to read
//! anywhere (a public API's key, a token that grants nothing).
//!
//! ## Why is this bad?
//! Repository and organisation secrets reach every job of every workflow,
//! including ones a pull request or a compromised action can steer.
//! Environment secrets reach only the jobs that name the environment, and
//! only once its protection rules (reviewers, branches) pass.
//!
//! ## Example
//! ```yaml
//! jobs:
//!   deploy:
//!     runs-on: ubuntu-latest
//!     steps:
//!       - run: ./deploy.sh
//!         env:
//!           API_KEY: ${{ secrets.API_KEY }}
//! ```
//!
//! ## Fix
//! ```yaml
//! jobs:
//!   deploy:
//!     runs-on: ubuntu-latest
//!     environment: production
//!     steps:
//!       - run: ./deploy.sh
//!         env:
//!           API_KEY: ${{ secrets.API_KEY }}
//! ```
//! and move the secret into that environment: the rule cannot see where a
//! secret is stored, only whether the job names an environment. It does not
//! flag workflow-level `env:` (read by no job until one uses it) nor
//! composite actions (their caller decides the environment).
//!
//! ## Ignore
//! `# ci-intel: ignore[secrets-outside-env]` on the secret's line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::expr::{self, Ast};
use crate::audit::model::{Ctx, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "secrets-outside-env",
    title: "Secret used by a job without an environment",
    default_severity: Severity::Medium,
    persona: Persona::Auditor,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for (job_name, _, job) in ctx.jobs() {
        if job.get("environment").is_some() {
            continue;
        }
        for site in ctx.expression_sites_in(job) {
            let Some(ast) = expr::parse(site.text) else {
                continue;
            };
            let mut names: Vec<&str> = Vec::new();
            for node in ast.walk() {
                match node {
                    Ast::Ctx(path) => {
                        if let Some(rest) = path.strip_prefix("secrets.") {
                            let name = rest.split('.').next().unwrap_or(rest);
                            if name != "github_token" {
                                names.push(name);
                            }
                        }
                    }
                    // `secrets[format(...)]`: some secret, chosen at run time.
                    Ast::Index { base, .. } if base.ctx() == Some("secrets") => {
                        names.push("(computed name)");
                    }
                    _ => {}
                }
            }
            names.dedup();
            names.retain(|name| !ctx.opts.policy.secrets_outside_env.allows(name));
            for name in names {
                let mut hit = Hit::new(
                    RULE.id,
                    Severity::Medium,
                    site.pos,
                    format!("{job_name}:{name}"),
                    format!(
                        "job `{job_name}` reads secret `{name}` without an `environment:`, so nothing but the workflow guards it"
                    ),
                )
                .fix("store the secret in an environment and name it in the job's `environment:`");
                if let Some(key) = site.key {
                    hit = hit.also_line(key.pos.line);
                }
                hits.push(hit);
            }
        }
    }
}
