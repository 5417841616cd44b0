//! ## What it does
//! On a pull request (with `--base-sbom`/`--base-findings`), reports a
//! risky vulnerability that the base already had on the same package. It
//! does not deny unless `vuln.deny_existing` is true, in which case it is
//! reported as `vuln-risk` instead.
//!
//! ## Why is this bad?
//! The change did not add it, but the product still ships it; hiding it
//! would let old risk go unnoticed forever.
//!
//! ## Example
//! The base findings and the new findings both report `CVE-2022-24775` on
//! `guzzlehttp/psr7`.
//!
//! ## Fix
//! Fix it in its own change, or waive it with a signed VEX statement. Set
//! `vuln.deny_existing: true` to make old risk block too.
//!
//! ## Ignore
//! A signed, unexpired VEX statement waives it.

use ci_intel_core::Severity;

use super::{Rule, Weight};

pub const RULE: Rule = Rule {
    id: "vuln-existing",
    title: "A risky vulnerability the base already had",
    default_severity: Severity::Low,
    weight: Weight::Reports,
};
