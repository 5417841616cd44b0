//! Okta API token.
//!
//! ## What it finds
//!
//! `00` and 40 characters of `A-Za-z0-9_=-` on a line (or below a line)
//! mentioning `okta`. The random part must measure at least 4.0 bits of entropy
//! per character.
//!
//! gitleaks: `okta-access-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob. The same shape with no `okta` on its
//! line or the line before.
//!
//! ## Fix
//!
//! Revoke the token in the Okta Admin Console (Security → API → Tokens), remove
//! it from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "okta-api-token",
        title: "Okta API token",
        gitleaks: &["okta-access-token"],
        keywords: &["okta"],
        severity: Severity::Critical,
        min_entropy: 4.0,
        scope: Scope::LINE,
    },
    pattern: r"(?P<s>00[A-Za-z0-9_=\-]{40})",
    public_prefix: 2,
    validate: None,
    context: &["okta"],
    fake: &[Part::Lit("00"), Part::Rand(BASE64URL, 40)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
