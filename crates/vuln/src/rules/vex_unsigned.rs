//! ## What it does
//! Reports a VEX document that is not signed, whose signature does not
//! verify, or that a signer not listed in `vuln.vex_signers` signed. Such a
//! document waives nothing (unless `vuln.require_signed_vex` is false, when
//! this is reported at low severity and the statements count).
//!
//! ## Why is this bad?
//! Anyone who can write a file into the pipeline could otherwise silence
//! any finding with a three-line `not_affected` statement.
//!
//! ## Example
//! `vex.json` with no `vex.json.sigstore.json` beside it and no DSSE
//! envelope around it.
//!
//! ## Fix
//! Sign the document: `cosign sign-blob --bundle vex.json.sigstore.json
//! vex.json` in a workflow whose identity is in `vuln.vex_signers`, or wrap
//! it in a DSSE envelope signed with a key listed there.
//!
//! ## Ignore
//! `vuln.require_signed_vex: false` (not recommended; org-lockable).

use ci_intel_core::Severity;

use super::{Rule, Weight};

pub const RULE: Rule = Rule {
    id: "vex-unsigned",
    title: "A VEX document is not signed by a configured signer",
    default_severity: Severity::High,
    weight: Weight::FailOn,
};
