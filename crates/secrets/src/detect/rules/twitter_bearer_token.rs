//! X (Twitter) bearer token.
//!
//! ## What it finds
//!
//! 22 `A`s and 80 to 100 characters of `A-Za-z0-9%`, on a line (or below a
//! line) mentioning `twitter` or `bearer`. The random part must measure at
//! least 4.0 bits of entropy per character.
//!
//! gitleaks: `twitter-bearer-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob. The same shape with no `twitter`,
//! `bearer` on its line or the line before.
//!
//! ## Fix
//!
//! Invalidate the bearer token in the X developer portal (app → Keys and
//! tokens), remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "twitter-bearer-token",
        title: "X (Twitter) bearer token",
        gitleaks: &["twitter-bearer-token"],
        keywords: &["twitter", "bearer"],
        severity: Severity::High,
        min_entropy: 4.0,
        scope: Scope::LINE,
    },
    pattern: r"(?P<s>A{22}(?P<r>[A-Za-z0-9%]{80,100}))",
    public_prefix: 22,
    validate: None,
    context: &["twitter", "bearer"],
    fake: &[Part::Lit("AAAAAAAAAAAAAAAAAAAAAA"), Part::Rand(BASE62, 80)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
