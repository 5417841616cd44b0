//! Postman API key.
//!
//! ## What it finds
//!
//! `PMAK-`, 24 hex digits, `-` and 34 hex digits. The random part must measure
//! at least 3.0 bits of entropy per character.
//!
//! gitleaks: `postman-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the key in Postman (Settings → API keys), remove it from the history,
//! and read it from a secret at run time.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "postman-api-key",
        title: "Postman API key",
        gitleaks: &["postman-api-token"],
        keywords: &["pmak-"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}",
    public_prefix: 5,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("PMAK-"),
        Part::Rand(HEX, 24),
        Part::Lit("-"),
        Part::Rand(HEX, 34),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
