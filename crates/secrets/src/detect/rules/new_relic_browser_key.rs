//! New Relic browser key.
//!
//! ## What it finds
//!
//! `NRJS-` and 19 hex digits: the key the browser agent ships to every visitor.
//! Reported (low): it is public by design. The random part must measure at
//! least 3.0 bits of entropy per character.
//!
//! gitleaks: `new-relic-browser-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Nothing to rotate; browser keys are public.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "new-relic-browser-key",
        title: "New Relic browser key",
        gitleaks: &["new-relic-browser-api-token"],
        keywords: &["nrjs-"],
        severity: Severity::Low,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"NRJS-[a-f0-9]{19}",
    public_prefix: 5,
    validate: None,
    context: &[],
    fake: &[Part::Lit("NRJS-"), Part::Rand(HEX, 19)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
