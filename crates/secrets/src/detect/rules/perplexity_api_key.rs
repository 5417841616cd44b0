//! Perplexity API key.
//!
//! ## What it finds
//!
//! `pplx-` followed by 48 letters and digits. The random part must measure at
//! least 4.0 bits of entropy per character.
//!
//! gitleaks: `perplexity-api-key`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the key in Perplexity's API settings, remove it from the history, and
//! read it from a secret at run time.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "perplexity-api-key",
        title: "Perplexity API key",
        gitleaks: &["perplexity-api-key"],
        keywords: &["pplx-"],
        severity: Severity::High,
        min_entropy: 4.0,
        scope: Scope::LINE,
    },
    pattern: r"pplx-[A-Za-z0-9]{48}",
    public_prefix: 5,
    validate: None,
    context: &[],
    fake: &[Part::Lit("pplx-"), Part::Rand(BASE62, 48)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
