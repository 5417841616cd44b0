//! Scalingo API token.
//!
//! ## What it finds
//!
//! `tk-us-` followed by 48 characters of `A-Za-z0-9_-`. The random part must
//! measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `scalingo-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the token in the Scalingo dashboard (Profile → API tokens), remove it
//! from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "scalingo-api-token",
        title: "Scalingo API token",
        gitleaks: &["scalingo-api-token"],
        keywords: &["tk-us-"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"tk-us-[A-Za-z0-9_\-]{48}",
    public_prefix: 6,
    validate: None,
    context: &[],
    fake: &[Part::Lit("tk-us-"), Part::Rand(BASE64URL, 48)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
