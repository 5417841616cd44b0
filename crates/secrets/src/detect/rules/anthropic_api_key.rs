//! Anthropic API key.
//!
//! ## What it finds
//!
//! `sk-ant-api03-` (API key) or `sk-ant-admin01-` (Admin API key), 93 URL-safe
//! base64 characters and `AA`, as the Anthropic Console issues them. The random
//! part must measure at least 4.0 bits of entropy per character.
//!
//! gitleaks: `anthropic-api-key`, `anthropic-admin-api-key`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the key in the Anthropic Console (Settings → API keys), remove it
//! from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "anthropic-api-key",
        title: "Anthropic API key",
        gitleaks: &["anthropic-api-key", "anthropic-admin-api-key"],
        keywords: &["sk-ant-api03-", "sk-ant-admin01-"],
        severity: Severity::Critical,
        min_entropy: 4.0,
        scope: Scope::LINE,
    },
    pattern: r"sk-ant-(?:api03|admin01)-(?P<r>[A-Za-z0-9_\-]{93})AA",
    public_prefix: 13,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("sk-ant-api03-"),
        Part::Rand(BASE64URL, 93),
        Part::Lit("AA"),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
