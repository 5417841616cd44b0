//! ## What it does
//! Reports a component whose licence expression cannot be satisfied
//! without a licence listed in `vuln.licenses.deny`.
//!
//! ## Why is this bad?
//! The organisation decided it cannot ship code under that licence.
//!
//! ## Example
//! `GPL-3.0-only` with `deny: [GPL-3.0-only]`; `MIT AND GPL-3.0-only` too,
//! but not `MIT OR GPL-3.0-only`.
//!
//! ## Fix
//! Replace the component, or obtain it under another licence.
//!
//! ## Ignore
//! Not applicable.

use ci_intel_core::Severity;

use super::{Rule, Weight};

pub const RULE: Rule = Rule {
    id: "license-denied",
    title: "A component's licence is denied",
    default_severity: Severity::High,
    weight: Weight::FailOn,
};
