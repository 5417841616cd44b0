//! The suppression rules: one file per rule, its doc comment is its
//! documentation (What / Why / Example / Fix).

pub mod suppression_expired;
pub mod suppression_ownerless;
pub mod suppression_too_long;
pub mod suppression_unjustified;
pub mod suppression_untargeted;
pub mod suppression_unused;

use ci_intel_core::{Finding, RuleMeta};

use super::{Context, Entry};

/// Every rule, in the order they run.
pub fn all() -> Vec<RuleMeta> {
    vec![
        suppression_expired::RULE,
        suppression_ownerless::RULE,
        suppression_too_long::RULE,
        suppression_unjustified::RULE,
        suppression_untargeted::RULE,
        suppression_unused::RULE,
    ]
}

/// Every finding about one entry at `line`.
pub fn check(entry: &Entry, line: u32, ctx: &Context<'_>) -> Vec<Finding> {
    [
        suppression_expired::check(entry, line, ctx),
        suppression_ownerless::check(entry, line, ctx),
        suppression_too_long::check(entry, line, ctx),
        suppression_unjustified::check(entry, line, ctx),
        suppression_untargeted::check(entry, line, ctx),
    ]
    .into_iter()
    .flatten()
    .collect()
}
