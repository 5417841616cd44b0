//! ## What it does
//! Reports an SBOM that violates its format's official JSON Schema
//! (CycloneDX 1.2–1.7, SPDX 2.3), with the first violations and their
//! JSON pointers.
//!
//! ## Why is this bad?
//! Consumers that validate will reject it, and fields read from a
//! malformed document may not mean what they seem.
//!
//! ## Example
//! A CycloneDX 1.6 BOM whose `serialNumber` is not a `urn:uuid:`.
//!
//! ## Fix
//! Regenerate the SBOM with a conformant tool, or fix the named fields.
//!
//! ## Ignore
//! Not applicable.

use ci_intel_core::Severity;

use super::{Rule, Weight};

pub const RULE: Rule = Rule {
    id: "sbom-invalid",
    title: "The SBOM violates its schema",
    default_severity: Severity::High,
    weight: Weight::FailOn,
};
