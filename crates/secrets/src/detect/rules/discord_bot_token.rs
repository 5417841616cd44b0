//! Discord bot token.
//!
//! ## What it finds
//!
//! A bot token (the base64 bot id, a timestamp and an HMAC, dot-separated) on a
//! line, or below a line, mentioning `discord`. The random part must measure at
//! least 4.0 bits of entropy per character.
//!
//! gitleaks: `discord-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob. The same shape with no `discord` on its
//! line or the line before.
//!
//! ## Fix
//!
//! Reset the token in the Discord Developer Portal (Bot → Reset Token), remove
//! it from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "discord-bot-token",
        title: "Discord bot token",
        gitleaks: &["discord-api-token"],
        keywords: &["discord"],
        severity: Severity::Critical,
        min_entropy: 4.0,
        scope: Scope::LINE,
    },
    pattern: r"(?P<s>[MNO][A-Za-z0-9_\-]{23,25}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,38})",
    public_prefix: 0,
    validate: None,
    context: &["discord"],
    fake: &[
        Part::Lit("M"),
        Part::Rand(BASE64URL, 23),
        Part::Lit("."),
        Part::Rand(BASE64URL, 6),
        Part::Lit("."),
        Part::Rand(BASE64URL, 27),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
