//! EasyPost API key.
//!
//! ## What it finds
//!
//! `EZAK` (production) or `EZTK` (test) followed by 54 letters and digits. The
//! random part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `easypost-api-token`, `easypost-test-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Disable the key in EasyPost (Account settings → API keys), remove it from
//! the history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "easypost-api-key",
        title: "EasyPost API key",
        gitleaks: &["easypost-api-token", "easypost-test-api-token"],
        keywords: &["ezak", "eztk"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"EZ[AT]K[A-Za-z0-9]{54}",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("EZAK"), Part::Rand(BASE62, 54)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
