//! ## What it does
//! Reports a component whose licence is unknown: none declared,
//! `NOASSERTION`, a free-text name that is not an SPDX identifier, or an
//! expression that does not parse (with the parser's reason).
//!
//! ## Why is this bad?
//! An unknown licence cannot be checked against the policy, so it could be
//! anything, including a denied one.
//!
//! ## Example
//! A CycloneDX component with `{"license": {"name": "Apache License 2.0"}}`.
//!
//! ## Fix
//! Declare the SPDX identifier (`Apache-2.0`) or expression in the SBOM
//! (most generators read it from package metadata).
//!
//! ## Ignore
//! Not applicable.

use ci_intel_core::Severity;

use super::{Rule, Weight};

pub const RULE: Rule = Rule {
    id: "license-unknown",
    title: "A component's licence is unknown",
    default_severity: Severity::Medium,
    weight: Weight::FailOn,
};
