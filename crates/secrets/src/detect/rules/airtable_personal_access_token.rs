//! Airtable personal access token.
//!
//! ## What it finds
//!
//! `pat`, 14 letters and digits (the token id), `.` and 64 hex digits (the
//! secret). The random part must measure at least 3.0 bits of entropy per
//! character.
//!
//! gitleaks: `airtable-personnal-access-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the token at airtable.com/create/tokens, remove it from the history,
//! and read it from a secret at run time.

use crate::detect::kit::{BASE62, HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "airtable-personal-access-token",
        title: "Airtable personal access token",
        gitleaks: &["airtable-personnal-access-token"],
        keywords: &["pat"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}",
    public_prefix: 3,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("pat"),
        Part::Rand(BASE62, 14),
        Part::Lit("."),
        Part::Rand(HEX, 64),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
