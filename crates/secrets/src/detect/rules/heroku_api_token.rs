//! Heroku API token.
//!
//! ## What it finds
//!
//! `HRKU-AA` followed by 58 characters of `A-Za-z0-9_-` (Heroku's current token
//! format). The random part must measure at least 4.0 bits of entropy per
//! character.
//!
//! gitleaks: `heroku-api-key-v2`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the authorization (`heroku authorizations:revoke`) or regenerate the
//! API key in Account settings, remove it from the history, and read it from a
//! secret at run time.

use crate::detect::kit::{BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "heroku-api-token",
        title: "Heroku API token",
        gitleaks: &["heroku-api-key-v2"],
        keywords: &["hrku-aa"],
        severity: Severity::Critical,
        min_entropy: 4.0,
        scope: Scope::LINE,
    },
    pattern: r"HRKU-AA[0-9A-Za-z_\-]{58}",
    public_prefix: 7,
    validate: None,
    context: &[],
    fake: &[Part::Lit("HRKU-AA"), Part::Rand(BASE64URL, 58)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
