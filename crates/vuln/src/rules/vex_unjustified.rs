//! ## What it does
//! Reports a `not_affected` statement without a justification (OpenVEX
//! `justification` or `impact_statement`, CycloneDX
//! `analysis.justification`, a CSAF flag or impact threat). It waives
//! nothing.
//!
//! ## Why is this bad?
//! Every VEX format requires the reason for `not_affected`; without it
//! nobody can review whether the claim holds.
//!
//! ## Example
//! `{"vulnerability": {"name": "CVE-2023-3446"}, "status": "not_affected"}`.
//!
//! ## Fix
//! Add the justification (`vulnerable_code_not_present`,
//! `vulnerable_code_not_in_execute_path`, ...) and re-sign.
//!
//! ## Ignore
//! Not applicable.

use ci_intel_core::Severity;

use super::{Rule, Weight};

pub const RULE: Rule = Rule {
    id: "vex-unjustified",
    title: "A not_affected VEX statement has no justification",
    default_severity: Severity::Medium,
    weight: Weight::FailOn,
};
