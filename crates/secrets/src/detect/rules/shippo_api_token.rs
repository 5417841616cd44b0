//! Shippo API token.
//!
//! ## What it finds
//!
//! `shippo_live_` or `shippo_test_` followed by 40 hex digits. The random part
//! must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `shippo-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Regenerate the token in Shippo (Settings → API), remove it from the history,
//! and read it from a secret at run time.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "shippo-api-token",
        title: "Shippo API token",
        gitleaks: &["shippo-api-token"],
        keywords: &["shippo_live_", "shippo_test_"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"shippo_(?:live|test)_[a-fA-F0-9]{40}",
    public_prefix: 12,
    validate: None,
    context: &[],
    fake: &[Part::Lit("shippo_live_"), Part::Rand(HEX, 40)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
