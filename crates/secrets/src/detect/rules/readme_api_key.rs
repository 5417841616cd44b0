//! ReadMe API key.
//!
//! ## What it finds
//!
//! `rdme_` followed by 70 lower-case letters and digits. The random part must
//! measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `readme-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the key in the ReadMe dashboard (API keys), remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{LOWER_ALNUM, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "readme-api-key",
        title: "ReadMe API key",
        gitleaks: &["readme-api-token"],
        keywords: &["rdme_"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"rdme_[a-z0-9]{70}",
    public_prefix: 5,
    validate: None,
    context: &[],
    fake: &[Part::Lit("rdme_"), Part::Rand(LOWER_ALNUM, 70)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
