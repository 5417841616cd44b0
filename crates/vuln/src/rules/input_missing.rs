//! ## What it does
//! Reports a configured input (`vuln.sboms`, `vuln.findings`, `vuln.vex`,
//! `vuln.kev`, `vuln.epss`) whose pattern matches no file. It always
//! denies.
//!
//! ## Why is this bad?
//! A gate that silently judges fewer inputs than configured passes exactly
//! when the SBOM or the scan did not run.
//!
//! ## Example
//! `vuln: {sboms: [dist/sbom.cdx.json]}` when the build did not write it.
//!
//! ## Fix
//! Generate the inputs before `ci-intel check` (syft, grype, trivy), or
//! correct the pattern.
//!
//! ## Ignore
//! Not applicable.

use ci_intel_core::Severity;

use super::{Rule, Weight};

pub const RULE: Rule = Rule {
    id: "input-missing",
    title: "A configured input matches no file",
    default_severity: Severity::High,
    weight: Weight::Blocks,
};
