//! Square access token or application secret.
//!
//! ## What it finds
//!
//! `EAAA` (access token), `sq0atp-` (legacy access token) or `sq0csp-`
//! (application secret) followed by base64url characters of the documented
//! lengths. The random part must measure at least 3.0 bits of entropy per
//! character.
//!
//! gitleaks: `square-access-token`, `square-secret`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the token or replace the application secret in the Square Developer
//! Dashboard, remove it from the history, and read it from a secret at run
//! time.

use crate::detect::kit::{BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "square-access-token",
        title: "Square access token or application secret",
        gitleaks: &["square-access-token", "square-secret"],
        keywords: &["eaaa", "sq0atp-", "sq0csp-"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"(?:EAAA[A-Za-z0-9_\-]{22,60}|sq0atp-[A-Za-z0-9_\-]{22,60}|sq0csp-[A-Za-z0-9_\-]{43})",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("EAAA"), Part::Rand(BASE64URL, 22)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
