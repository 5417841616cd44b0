//! ## What it does
//! Reports a VEX statement that matches a finding but has expired: its
//! timestamp (or `last_updated`) plus `vuln.vex_ttl_days`, or its explicit
//! `ci-intel:expires` if earlier, is before now. A statement without any
//! timestamp has no age and counts as expired. It waives nothing.
//!
//! ## Why is this bad?
//! A `not_affected` judgement is true of the code and knowledge of its
//! day; new exploits and new call paths make old statements stale.
//!
//! ## Example
//! An OpenVEX statement with `"timestamp": "2023-07-17T18:28:47Z"` read in
//! 2025 with the default 90-day TTL.
//!
//! ## Fix
//! Review the statement, update its `timestamp` (or `last_updated`) and
//! re-sign the document.
//!
//! ## Ignore
//! Not possible; raise `vuln.vex_ttl_days` if the org allows.

use ci_intel_core::Severity;

use super::{Rule, Weight};

pub const RULE: Rule = Rule {
    id: "vex-expired",
    title: "A VEX statement has expired",
    default_severity: Severity::Medium,
    weight: Weight::FailOn,
};
