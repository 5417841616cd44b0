//! ## What it does
//! Reports jobs that run on a self-hosted runner (`runs-on` names the
//! `self-hosted` label) in a workflow triggered by `pull_request` or
//! `pull_request_target`, unless the job's `if:` restricts it to pull
//! requests from this repository.
//!
//! ## Why is this bad?
//! In a public repository anyone can open a pull request from a fork, and
//! its code then runs on your machine. Self-hosted runners are not
//! ephemeral by default: the code can persist, read other jobs' secrets
//! and caches, and reach your internal network.
//!
//! ## Example
//! ```yaml
//! on: pull_request
//! jobs:
//!   test:
//!     runs-on: [self-hosted, linux]
//! ```
//!
//! ## Fix
//! Run fork pull requests on GitHub-hosted runners, or guard the job:
//! ```yaml
//!     if: github.event.pull_request.head.repo.full_name == github.repository
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[self-hosted-runner]` on the `runs-on:` line (for a
//! private repository where forks cannot run workflows).

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::model::{Ctx, Hit};
use crate::audit::yaml::Node;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "self-hosted-runner",
    title: "Self-hosted runner reachable from fork pull requests",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

fn labels(node: &Node) -> Vec<&str> {
    if let Some(text) = node.as_str() {
        return vec![text];
    }
    if node.is_seq() {
        return node.items().iter().filter_map(Node::as_str).collect();
    }
    node.get("labels").map(labels).unwrap_or_default()
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for (name, _, job) in ctx.jobs() {
        let Some(runs_on) = job.get("runs-on") else {
            continue;
        };
        if !labels(runs_on)
            .iter()
            .any(|l| l.eq_ignore_ascii_case("self-hosted"))
        {
            continue;
        }
        if !ctx.fork_reachable(job) {
            continue;
        }
        hits.push(
            Hit::new(
                RULE.id,
                Severity::High,
                runs_on.pos,
                name,
                format!("job `{name}` runs on a self-hosted runner and is triggered by pull requests, including from forks"),
            )
            .fix("use a GitHub-hosted runner for pull requests, or add `if: github.event.pull_request.head.repo.full_name == github.repository`"),
        );
    }
}
