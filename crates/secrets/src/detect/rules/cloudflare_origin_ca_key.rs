//! Cloudflare Origin CA key.
//!
//! ## What it finds
//!
//! `v1.0-`, 24 hex digits, `-` and 146 hex digits. The random part must measure
//! at least 3.0 bits of entropy per character.
//!
//! gitleaks: `cloudflare-origin-ca-key`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the Origin CA key in the Cloudflare dashboard (My Profile → API
//! Tokens), remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "cloudflare-origin-ca-key",
        title: "Cloudflare Origin CA key",
        gitleaks: &["cloudflare-origin-ca-key"],
        keywords: &["v1.0-"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}",
    public_prefix: 5,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("v1.0-"),
        Part::Rand(HEX, 24),
        Part::Lit("-"),
        Part::Rand(HEX, 146),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
