//! ## What it does
//! Reports a suppression that lasts longer than `sarif.max_suppression_days`
//! (30 by default; an org may lock a lower value): its `expires` is more
//! than that many days after its `created`, one of the two dates is
//! missing, or `created` is in the future.
//!
//! ## Why is this bad?
//! A suppression without a near expiry is a permanent exception in
//! disguise; a future `created` date stretches the window. Short windows
//! keep accepted risks under review. A too-long suppression does not apply.
//!
//! ## Example
//! ```yaml
//! suppressions:
//!   - rule: template-injection
//!     path: .github/workflows/ci.yml
//!     owner: alice
//!     justification: input is validated upstream
//!     created: 2025-01-01
//!     expires: 2025-12-31
//! ```
//!
//! ## Fix
//! Set `expires` at most `sarif.max_suppression_days` after `created`, and
//! renew the entry when it runs out if the risk is still accepted.

use ci_intel_core::{Finding, RuleMeta, Severity};

use crate::suppressions::{Context, Entry, finding};

pub const RULE: RuleMeta = RuleMeta {
    id: "suppression-too-long",
    title: "A suppression lasts longer than sarif.max_suppression_days",
    default_severity: Severity::High,
    help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/evidence.md#suppressions"),
};

pub fn check(entry: &Entry, line: u32, ctx: &Context<'_>) -> Option<Finding> {
    let what = crate::suppressions::describe(entry);
    let why = match (entry.created, entry.expires) {
        (None, _) => {
            format!("suppression of {what} has no `created` date, so its length cannot be checked")
        }
        (_, None) => format!("suppression of {what} has no `expires` date: it would never end"),
        (Some(created), _) if created > ctx.today => {
            format!("suppression of {what} is created in the future ({created})")
        }
        (Some(created), Some(expires)) => {
            let days = (expires - created).num_days();
            if days <= i64::from(ctx.max_days) {
                return None;
            }
            format!(
                "suppression of {what} lasts {days} days ({created} to {expires}), more than sarif.max_suppression_days ({})",
                ctx.max_days
            )
        }
    };
    Some(finding(
        &RULE,
        format!("{why}; it does not apply"),
        entry,
        ctx,
        line,
        "set `created` and an `expires` at most sarif.max_suppression_days later",
    ))
}
