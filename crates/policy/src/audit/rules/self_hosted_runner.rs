//! ## What it does
//! Reports jobs that run on a self-hosted runner (`runs-on` names the
//! `self-hosted` label) in a workflow triggered by `pull_request` or
//! `pull_request_target`, unless the job's `if:` restricts it to pull
//! requests from this repository.
//!
//!
//! In the `auditor` persona, as zizmor, it also reports (medium) every other
//! job that runs on a self-hosted runner whatever its triggers: one that
//! names the `self-hosted` label, a runner `group:` (groups hold
//! self-hosted runners), or a matrix value of `self-hosted` that no
//! `exclude:` entry removes (`runs-on: ${{ matrix.os }}`). Such runners
//! keep state between jobs and sit in someone's network, which an auditor
//! wants listed.
//!
//! Deliberately not flagged: `runs-on` given by an expression that is not a
//! static matrix value (a reusable workflow's `inputs.os`): which runner it
//! names is the caller's choice.
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
use crate::audit::model::{Ctx, Hit, static_matrix_values};
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

/// Why `runs-on` names a self-hosted runner, if it does.
fn self_hosted(job: &Node, runs_on: &Node) -> Option<&'static str> {
    if labels(runs_on)
        .iter()
        .any(|l| l.eq_ignore_ascii_case("self-hosted"))
    {
        return Some("the `self-hosted` label");
    }
    if runs_on.get("group").is_some() {
        return Some("a runner group");
    }
    let key = runs_on
        .as_str()
        .and_then(|t| t.trim().strip_prefix("${{"))
        .and_then(|t| t.trim().strip_suffix("}}"))
        .map(str::trim)
        .and_then(|t| t.strip_prefix("matrix."))?;
    let values = static_matrix_values(job, key)?;
    // `exclude:` entries that name only this key remove that value.
    let excluded: Vec<&str> = job
        .get("strategy")
        .and_then(|s| s.get("matrix"))
        .and_then(|m| m.get("exclude"))
        .map(|ex| {
            ex.items()
                .iter()
                .filter(|e| e.entries().len() == 1)
                .filter_map(|e| e.get(key).and_then(Node::as_str))
                .collect()
        })
        .unwrap_or_default();
    values
        .iter()
        .any(|v| {
            v.eq_ignore_ascii_case("self-hosted")
                && !excluded.iter().any(|e| e.eq_ignore_ascii_case(v))
        })
        .then_some("a matrix value `self-hosted`")
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    let auditor = ctx.opts.persona >= Persona::Auditor;
    for (name, _, job) in ctx.jobs() {
        let Some((key, runs_on)) = job.entry("runs-on") else {
            continue;
        };
        let Some(why) = self_hosted(job, runs_on) else {
            continue;
        };
        if ctx.fork_reachable(job) {
            hits.push(
                Hit::new(
                    RULE.id,
                    Severity::High,
                    key.pos,
                    name,
                    format!("job `{name}` runs on a self-hosted runner ({why}) and is triggered by pull requests, including from forks"),
                )
                .fix("use a GitHub-hosted runner for pull requests, or add `if: github.event.pull_request.head.repo.full_name == github.repository`"),
            );
        } else if auditor {
            hits.push(
                Hit::new(
                    RULE.id,
                    Severity::Medium,
                    key.pos,
                    name,
                    format!("job `{name}` runs on a self-hosted runner ({why}): it keeps state between jobs and reaches the network it sits in"),
                )
                .confidence(ci_intel_core::Confidence::Medium)
                .fix("prefer ephemeral runners (just-in-time or autoscaled), and keep untrusted triggers off them"),
            );
        }
    }
}
