//! Defined Networking API key.
//!
//! ## What it finds
//!
//! `dnkey-`, 26 characters, `-`, 52 characters (Managed Nebula API keys). The
//! random part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `defined-networking-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the key in the Defined Networking admin panel, remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "defined-networking-api-key",
        title: "Defined Networking API key",
        gitleaks: &["defined-networking-api-token"],
        keywords: &["dnkey-"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"dnkey-[A-Za-z0-9=_\-]{26}-[A-Za-z0-9=_\-]{52}",
    public_prefix: 6,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("dnkey-"),
        Part::Rand(BASE64URL, 26),
        Part::Lit("-"),
        Part::Rand(BASE64URL, 52),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
