//! ## What it does
//! Reports a suppression that says neither which finding it accepts by
//! `fingerprint`, nor by `rule` together with a `path` glob, or whose
//! `path` is not a valid glob.
//!
//! ## Why is this bad?
//! A suppression must name exactly what it accepts. A rule without a path
//! would silence the rule everywhere; a path without a rule every rule in
//! the file. Such an entry does not apply.
//!
//! ## Example
//! ```yaml
//! suppressions:
//!   - rule: unpinned-uses      # no path: every workflow
//!     owner: alice
//!     justification: too noisy
//!     created: 2025-01-02
//!     expires: 2025-01-30
//! ```
//!
//! ## Fix
//! Add `path:` (a glob such as `.github/workflows/legacy.yml`), or use the
//! finding's `fingerprint:` instead.

use globset::Glob;

use ci_intel_core::{Finding, RuleMeta, Severity};

use crate::suppressions::{Context, Entry, finding};

pub const RULE: RuleMeta = RuleMeta {
    id: "suppression-untargeted",
    title: "A suppression names neither a fingerprint nor a rule and path",
    default_severity: Severity::High,
    help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/evidence.md#suppressions"),
};

pub fn check(entry: &Entry, line: u32, ctx: &Context<'_>) -> Option<Finding> {
    let present = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    let why = if present(&entry.fingerprint) {
        return None;
    } else if !present(&entry.rule) || !present(&entry.path) {
        "names neither a `fingerprint` nor both a `rule` and a `path`".to_owned()
    } else {
        let path = entry.path.as_deref().unwrap_or_default();
        match Glob::new(path) {
            Ok(_) => return None,
            Err(e) => format!("has a `path` that is not a valid glob ({e})"),
        }
    };
    Some(finding(
        &RULE,
        format!(
            "suppression {} {why}; it does not apply",
            crate::suppressions::describe(entry)
        ),
        entry,
        ctx,
        line,
        "name the finding by `fingerprint:`, or by `rule:` and a `path:` glob",
    ))
}
