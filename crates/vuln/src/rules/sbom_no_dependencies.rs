//! ## What it does
//! Reports an SBOM without its dependency graph (CycloneDX
//! `dependencies`, SPDX relationships other than `DESCRIBES`) when it has
//! more than one component.
//!
//! ## Why is this bad?
//! Without the graph nobody can tell a direct dependency from a deep
//! transitive one, or which component pulls a vulnerable one in.
//!
//! ## Example
//! A CycloneDX BOM with 200 components and no `dependencies` array.
//!
//! ## Fix
//! Use a generator that records dependencies (syft, cyclonedx-npm,
//! cargo-cyclonedx).
//!
//! ## Ignore
//! Not applicable.

use ci_intel_core::Severity;

use super::{Rule, Weight};

pub const RULE: Rule = Rule {
    id: "sbom-no-dependencies",
    title: "The SBOM has no dependency graph",
    default_severity: Severity::Medium,
    weight: Weight::FailOn,
};
