//! Typeform personal access token.
//!
//! ## What it finds
//!
//! `tfp_` and 59 characters. The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `typeform-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the token in Typeform (Account → Personal tokens), remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "typeform-api-token",
        title: "Typeform personal access token",
        gitleaks: &["typeform-api-token"],
        keywords: &["tfp_"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"tfp_[A-Za-z0-9_=.\-]{59}",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("tfp_"), Part::Rand(BASE64URL, 59)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
