//! Dynatrace API token.
//!
//! ## What it finds
//!
//! `dt0c01.`, a 24-character public part and a 64-character secret,
//! dot-separated. The random part must measure at least 4.0 bits of entropy per
//! character.
//!
//! gitleaks: `dynatrace-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the token in Dynatrace (Access tokens), remove it from the history,
//! and read it from a secret at run time.

use crate::detect::kit::{Part, TokenRule, TokenSpec, UPPER_ALNUM};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "dynatrace-api-token",
        title: "Dynatrace API token",
        gitleaks: &["dynatrace-api-token"],
        keywords: &["dt0c01."],
        severity: Severity::Critical,
        min_entropy: 4.0,
        scope: Scope::LINE,
    },
    pattern: r"dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}",
    public_prefix: 7,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("dt0c01."),
        Part::Rand(UPPER_ALNUM, 24),
        Part::Lit("."),
        Part::Rand(UPPER_ALNUM, 64),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
