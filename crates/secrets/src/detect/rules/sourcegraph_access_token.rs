//! Sourcegraph access token.
//!
//! ## What it finds
//!
//! `sgp_`, optionally an instance identifier (16 hex digits, or `local`) and
//! `_`, then 40 hex digits. The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `sourcegraph-access-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the token in Sourcegraph (Settings → Access tokens), remove it from
//! the history, and read it from a secret at run time.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "sourcegraph-access-token",
        title: "Sourcegraph access token",
        gitleaks: &["sourcegraph-access-token"],
        keywords: &["sgp_"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"sgp_(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40}",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("sgp_"),
        Part::Rand(HEX, 16),
        Part::Lit("_"),
        Part::Rand(HEX, 40),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
