//! ## What it does
//! zizmor's `dependabot-cooldown`. Reports each `updates:` entry of a
//! dependabot.yml without a `cooldown:` (on the entry), with a `cooldown:`
//! but no `default-days` (on `cooldown:`), or with `default-days` below
//! `policy.dependabot_cooldown.days` (7 unless configured; on the value).
//!
//! Not reported: entries whose `default-days` is an expression or not a
//! number (schema validation reports those), and per-semver settings
//! (`semver-major-days`, ...) beside a long enough `default-days`.
//!
//! ## Why is this bad?
//! Compromised releases are usually found and pulled within days. An update
//! bot that proposes a release minutes after it is published is how it
//! reaches your build first; a cooldown lets everyone else find it.
//!
//! ## Example
//! ```yaml
//! version: 2
//! updates:
//!   - package-ecosystem: pip
//!     directory: /
//!     schedule:
//!       interval: daily
//! ```
//!
//! ## Fix
//! ```yaml
//!     cooldown:
//!       default-days: 7
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[dependabot-cooldown]` on the reported line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::model::{Ctx, DocKind, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "dependabot-cooldown",
    title: "Dependabot updates without a long enough cooldown",
    default_severity: Severity::Medium,
    persona: Persona::Regular,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    if ctx.kind != DocKind::Dependabot {
        return;
    }
    let minimum = ctx.opts.policy.dependabot_cooldown.days;
    let Some(updates) = ctx.doc.get("updates") else {
        return;
    };
    for (i, update) in updates.items().iter().enumerate() {
        let ecosystem = update
            .get("package-ecosystem")
            .and_then(|e| e.as_str())
            .unwrap_or("?");
        let what = format!("updates[{i}] ({ecosystem})");
        let fix = format!("set `cooldown: {{default-days: {minimum}}}`");
        let (pos, message) = match update.entry("cooldown") {
            None => (
                update.pos,
                format!(
                    "{what} has no `cooldown:`: new releases are proposed as soon as they are published"
                ),
            ),
            Some((key, cooldown)) => match cooldown.get("default-days") {
                None => (
                    key.pos,
                    format!("{what} has a `cooldown:` without `default-days`"),
                ),
                Some(days) => {
                    let Some(n) = days.as_str().and_then(|s| s.trim().parse::<i64>().ok()) else {
                        continue;
                    };
                    if n >= i64::from(minimum) {
                        continue;
                    }
                    (
                        days.pos,
                        format!(
                            "{what} waits {n} day(s) before proposing a release; the policy asks for at least {minimum}"
                        ),
                    )
                }
            },
        };
        hits.push(
            Hit::new(
                RULE.id,
                Severity::Medium,
                pos,
                format!("cooldown:{what}"),
                message,
            )
            .fix(fix),
        );
    }
}
