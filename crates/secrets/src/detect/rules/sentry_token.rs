//! Sentry organization or user auth token.
//!
//! ## What it finds
//!
//! `sntrys_` and a base64 JSON document and a 43-character secret (organization
//! token), or `sntryu_` and 64 hex digits (user auth token). The random part
//! must measure at least 3.5 bits of entropy per character.
//!
//! gitleaks: `sentry-org-token`, `sentry-user-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the token in Sentry (Settings → Auth tokens / Organization tokens),
//! remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "sentry-token",
        title: "Sentry organization or user auth token",
        gitleaks: &["sentry-org-token", "sentry-user-token"],
        keywords: &["sntrys_eyj", "sntryu_"],
        severity: Severity::Critical,
        min_entropy: 3.5,
        scope: Scope::LINE,
    },
    pattern: r"(?:sntrys_eyJpYXQiO[A-Za-z0-9+/]{10,400}={0,2}_[A-Za-z0-9+/]{43}|sntryu_[a-f0-9]{64})",
    public_prefix: 7,
    validate: None,
    context: &[],
    fake: &[Part::Lit("sntryu_"), Part::Rand(HEX, 64)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
