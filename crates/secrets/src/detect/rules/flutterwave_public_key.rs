//! Flutterwave public key.
//!
//! ## What it finds
//!
//! `FLWPUBK-` or `FLWPUBK_TEST-`, 32 hex digits and `-X`. Public keys are meant
//! for browsers; reported (low) because they sit next to the secret key. The
//! random part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `flutterwave-public-key`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Nothing to rotate by itself; check that the secret key next to it is not
//! committed too.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "flutterwave-public-key",
        title: "Flutterwave public key",
        gitleaks: &["flutterwave-public-key"],
        keywords: &["flwpubk"],
        severity: Severity::Low,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"FLWPUBK(?:_TEST)?-[a-hA-H0-9]{32}-X",
    public_prefix: 8,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("FLWPUBK_TEST-"),
        Part::Rand(HEX, 32),
        Part::Lit("-X"),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
