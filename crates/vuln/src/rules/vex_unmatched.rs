//! ## What it does
//! Reports a VEX statement that applies to nothing here: it names another
//! product, a component the SBOM does not have (with the near miss: another
//! version, a purl qualifier that differs, a component named as the
//! product), or a component that has no finding of that vulnerability. A
//! purl qualifier mismatch never waives silently and never fails silently:
//! it is this finding. High when a risky finding of that vulnerability on
//! that package is left unwaived, medium otherwise.
//!
//! ## Why is this bad?
//! VEX and SBOM must refer to each other consistently. A statement that
//! misses by a qualifier or a version looks like a waiver to a reviewer but
//! waives nothing; a stale statement hides that the product changed.
//!
//! ## Example
//! A statement for `pkg:apk/alpine/libssl3@3.0.8-r3?arch=x86_64` when the
//! SBOM lists `pkg:apk/alpine/libssl3@3.0.8-r3?arch=aarch64`.
//!
//! ## Fix
//! Write the statement for this product and exactly the component's purl
//! as the SBOM gives it (OpenVEX `products[].subcomponents[]`, a
//! CycloneDX BOM-Link to this SBOM's serial number, a CSAF
//! `default_component_of` relationship), or remove the stale statement.
//!
//! ## Ignore
//! Not applicable.

use ci_intel_core::Severity;

use super::{Rule, Weight};

pub const RULE: Rule = Rule {
    id: "vex-unmatched",
    title: "A VEX statement matches no component or finding",
    default_severity: Severity::Medium,
    weight: Weight::FailOn,
};
