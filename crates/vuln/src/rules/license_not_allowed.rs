//! ## What it does
//! With an allowlist (`vuln.licenses.allow`), reports a component whose
//! licence expression cannot be satisfied with allowed licences only.
//!
//! ## Why is this bad?
//! Licences off the allowlist have not been reviewed for this product.
//!
//! ## Example
//! `BSD-3-Clause` with `allow: [MIT, Apache-2.0]`.
//!
//! ## Fix
//! Have the licence reviewed and added to the allowlist, or replace the
//! component.
//!
//! ## Ignore
//! Not applicable.

use ci_intel_core::Severity;

use super::{Rule, Weight};

pub const RULE: Rule = Rule {
    id: "license-not-allowed",
    title: "A component's licence is not on the allowlist",
    default_severity: Severity::High,
    weight: Weight::FailOn,
};
