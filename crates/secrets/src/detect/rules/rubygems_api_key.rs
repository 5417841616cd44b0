//! RubyGems API key.
//!
//! ## What it finds
//!
//! `rubygems_` followed by 48 hex digits. The random part must measure at least
//! 3.0 bits of entropy per character.
//!
//! gitleaks: `rubygems-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the key at rubygems.org (Settings → API keys), remove it from the
//! history, and use trusted publishing or a secret at run time.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "rubygems-api-key",
        title: "RubyGems API key",
        gitleaks: &["rubygems-api-token"],
        keywords: &["rubygems_"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"rubygems_[a-f0-9]{48}",
    public_prefix: 9,
    validate: None,
    context: &[],
    fake: &[Part::Lit("rubygems_"), Part::Rand(HEX, 48)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
