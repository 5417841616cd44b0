//! ## What it does
//! Reports the components of an SBOM that have no version or no (valid)
//! purl, one finding per SBOM and kind with the count and the first names.
//!
//! ## Why is this bad?
//! Without a version no advisory can match; without a purl findings and
//! VEX statements cannot be tied to the component.
//!
//! ## Example
//! A CycloneDX component `{"type": "library", "name": "left-pad"}`.
//!
//! ## Fix
//! Generate the SBOM from lockfiles or installed metadata, which carry
//! versions, with a generator that writes purls.
//!
//! ## Ignore
//! Not applicable.

use ci_intel_core::Severity;

use super::{Rule, Weight};

pub const RULE: Rule = Rule {
    id: "sbom-incomplete",
    title: "SBOM components lack a version or a purl",
    default_severity: Severity::Medium,
    weight: Weight::FailOn,
};
