//! ## What it does
//! Reports `egress.mode: audit`.
//!
//! ## Why is this bad?
//! Audit mode records every destination but blocks nothing: it is how an
//! allowlist is drafted (`ci-intel-egress report --suggest`), not a
//! control. Left on, the job is as open as without egress control.
//!
//! ## Example
//! ```yaml
//! egress:
//!   mode: audit
//! ```
//!
//! ## Fix
//! After a few audited runs, copy the suggested names into `egress.allow`
//! and remove `mode` (the default is `block`).

use ci_intel_core::{Finding, Severity};

use super::{Ctx, Rule};
use crate::config::Mode;

pub const RULE: Rule = Rule {
    id: "audit-mode",
    title: "egress runs in audit mode and blocks nothing",
    default_severity: Severity::Low,
    check,
};

fn check(ctx: &Ctx<'_>, findings: &mut Vec<Finding>) {
    if ctx.config.mode == Mode::Audit {
        findings.push(ctx.finding(
            &RULE,
            Severity::Low,
            "mode",
            "audit",
            "egress.mode is audit: connections are recorded, none is blocked".to_owned(),
            "move to block mode once the allowlist is drafted",
        ));
    }
}
