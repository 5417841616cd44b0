//! Frame.io developer token.
//!
//! ## What it finds
//!
//! `fio-u-` and 64 characters of `A-Za-z0-9_=-`. The random part must measure
//! at least 3.0 bits of entropy per character.
//!
//! gitleaks: `frameio-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the token in the Frame.io developer site, remove it from the history,
//! and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "frameio-api-token",
        title: "Frame.io developer token",
        gitleaks: &["frameio-api-token"],
        keywords: &["fio-u-"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"fio-u-[A-Za-z0-9_=\-]{64}",
    public_prefix: 6,
    validate: None,
    context: &[],
    fake: &[Part::Lit("fio-u-"), Part::Rand(BASE64URL, 64)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
