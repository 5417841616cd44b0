//! HashiCorp Vault token.
//!
//! ## What it finds
//!
//! `hvs.` (service token), `hvb.` (batch token) or `hvr.` (recovery token)
//! followed by the documented lengths of `A-Za-z0-9_-`. The random part must
//! measure at least 3.5 bits of entropy per character.
//!
//! gitleaks: `vault-service-token`, `vault-batch-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the token (`vault token revoke`), remove it from the history, and
//! authenticate at run time (for CI: the JWT/OIDC auth method).

use crate::detect::kit::{BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "vault-token",
        title: "HashiCorp Vault token",
        gitleaks: &["vault-service-token", "vault-batch-token"],
        keywords: &["hvs.", "hvb.", "hvr."],
        severity: Severity::Critical,
        min_entropy: 3.5,
        scope: Scope::LINE,
    },
    pattern: r"(?:hvs\.[A-Za-z0-9_\-]{90,120}|hvb\.[A-Za-z0-9_\-]{138,300}|hvr\.[A-Za-z0-9_\-]{20,120})",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("hvs."), Part::Rand(BASE64URL, 90)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
