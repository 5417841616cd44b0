//! Notion integration token.
//!
//! ## What it finds
//!
//! `ntn_`, 11 digits and 35 letters and digits (current format), or `secret_`
//! and 43 letters and digits (internal integration tokens before 2024). The
//! random part must measure at least 4.0 bits of entropy per character.
//!
//! gitleaks: `notion-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Refresh the integration's secret in Notion (Settings → Connections → Develop
//! or manage integrations), remove it from the history, and read it from a
//! secret at run time.

use crate::detect::kit::{BASE62, DIGITS, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "notion-api-token",
        title: "Notion integration token",
        gitleaks: &["notion-api-token"],
        keywords: &["ntn_", "secret_"],
        severity: Severity::Critical,
        min_entropy: 4.0,
        scope: Scope::LINE,
    },
    pattern: r"(?:ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("ntn_"),
        Part::Rand(DIGITS, 11),
        Part::Rand(BASE62, 35),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
