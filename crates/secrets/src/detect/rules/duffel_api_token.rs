//! Duffel API token.
//!
//! ## What it finds
//!
//! `duffel_live_` or `duffel_test_` followed by 43 characters. The random part
//! must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `duffel-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the token in the Duffel dashboard (Developers → Access tokens),
//! remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "duffel-api-token",
        title: "Duffel API token",
        gitleaks: &["duffel-api-token"],
        keywords: &["duffel_test_", "duffel_live_"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"duffel_(?:test|live)_[A-Za-z0-9_=\-]{43}",
    public_prefix: 12,
    validate: None,
    context: &[],
    fake: &[Part::Lit("duffel_live_"), Part::Rand(BASE64URL, 43)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
