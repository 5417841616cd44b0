//! 1Password service-account token.
//!
//! ## What it finds
//!
//! `ops_eyJ` and 250 or more base64 characters (a base64 JSON document). The
//! random part must measure at least 4.0 bits of entropy per character.
//!
//! gitleaks: `1password-service-account-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the service account token in 1Password (Developer → Service
//! accounts), remove it from the history, and read it from a secret at run
//! time.

use crate::detect::kit::{BASE64, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "onepassword-service-account-token",
        title: "1Password service-account token",
        gitleaks: &["1password-service-account-token"],
        keywords: &["ops_eyj"],
        severity: Severity::Critical,
        min_entropy: 4.0,
        scope: Scope::LINE,
    },
    pattern: r"ops_eyJ[A-Za-z0-9+/]{250,}={0,3}",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("ops_eyJ"), Part::Rand(BASE64, 250)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
