//! ## What it does
//! Pedantic persona only. Reports jobs that run steps without a
//! `timeout-minutes:` (jobs that call a reusable workflow cannot set one and
//! are not reported).
//!
//! ## Why is this bad?
//! The default is 360 minutes. A hung test or a stuck download holds a
//! runner (and, on paid or self-hosted runners, money) for six hours, and
//! the team waits for a result that never comes.
//!
//! ## Example
//! ```yaml
//! jobs:
//!   test:
//!     runs-on: ubuntu-24.04
//!     steps:
//!       - run: make test
//! ```
//!
//! ## Fix
//! ```yaml
//!   test:
//!     runs-on: ubuntu-24.04
//!     timeout-minutes: 20
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[missing-timeout]` on the job's key line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::model::{Ctx, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "missing-timeout",
    title: "Job without timeout-minutes",
    default_severity: Severity::Low,
    persona: Persona::Pedantic,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for (name, key, job) in ctx.jobs() {
        if job.get("uses").is_some() || job.get("timeout-minutes").is_some() {
            continue;
        }
        hits.push(
            Hit::new(
                RULE.id,
                Severity::Low,
                key.pos,
                name,
                format!(
                    "job `{name}` has no `timeout-minutes`, so a hang holds a runner for 6 hours"
                ),
            )
            .fix("add `timeout-minutes:` with a little headroom over the job's usual duration"),
        );
    }
}
