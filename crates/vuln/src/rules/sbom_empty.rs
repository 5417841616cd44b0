//! ## What it does
//! Reports an SBOM with zero components.
//!
//! ## Why is this bad?
//! An empty SBOM matches no finding and no VEX statement: every check
//! passes vacuously. It usually means the generator looked at the wrong
//! directory or image.
//!
//! ## Example
//! `{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []}`.
//!
//! ## Fix
//! Point the SBOM generator at the build output (syft dir:., trivy fs .).
//!
//! ## Ignore
//! Not applicable.

use ci_intel_core::Severity;

use super::{Rule, Weight};

pub const RULE: Rule = Rule {
    id: "sbom-empty",
    title: "The SBOM has no components",
    default_severity: Severity::High,
    weight: Weight::FailOn,
};
