//! Fly.io access token.
//!
//! ## What it finds
//!
//! `fo1_` and 43 characters (OAuth token), or `fm1a_`, `fm1r_`, `fm2_` and 100
//! or more base64 characters (macaroon tokens, often written `FlyV1 fm2_…`).
//! The random part must measure at least 4.0 bits of entropy per character.
//!
//! gitleaks: `flyio-access-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the token (`fly tokens revoke`, or in the dashboard), remove it from
//! the history, and read it from a secret at run time.

use crate::detect::kit::{BASE64, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "fly-io-token",
        title: "Fly.io access token",
        gitleaks: &["flyio-access-token"],
        keywords: &["fo1_", "fm1a_", "fm1r_", "fm2_"],
        severity: Severity::Critical,
        min_entropy: 4.0,
        scope: Scope::LINE,
    },
    pattern: r"(?:fo1_[A-Za-z0-9_\-]{43}|fm1[ar]_[A-Za-z0-9+/]{100,}={0,3}|fm2_[A-Za-z0-9+/]{100,}={0,3})",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("fm2_"), Part::Rand(BASE64, 100)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
