//! ## What it does
//! Records every risky vulnerability that a VEX statement waived: which
//! document and statement, its status and justification, who signed it and
//! until when the waiver holds. It never denies.
//!
//! ## Why is this bad?
//! It is not: it is the evidence that a risky finding was signed off, so a
//! reviewer can see every waiver the decision rests on.
//!
//! ## Example
//! `CVE-2022-23628 on github.com/open-policy-agent/opa@v0.35.0 (risk 10)
//! waived by vex.json /statements/0: not_affected
//! (vulnerable_code_not_in_execute_path), signed by key vex.pub, valid
//! until 2024-10-07`.
//!
//! ## Fix
//! Nothing to fix. Renew the statement before it expires.
//!
//! ## Ignore
//! Not applicable.

use ci_intel_core::Severity;

use super::{Rule, Weight};

pub const RULE: Rule = Rule {
    id: "vex-waiver",
    title: "A VEX statement waived a risky vulnerability",
    default_severity: Severity::Info,
    weight: Weight::Reports,
};
