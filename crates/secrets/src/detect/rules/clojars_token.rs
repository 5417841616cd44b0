//! Clojars deploy token.
//!
//! ## What it finds
//!
//! `CLOJARS_` followed by 60 letters and digits. The random part must measure
//! at least 3.0 bits of entropy per character.
//!
//! gitleaks: `clojars-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Disable the deploy token at clojars.org (Dashboard → Deploy tokens), remove
//! it from the history, and read it from a secret at run time.

use crate::detect::kit::{LOWER_ALNUM, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "clojars-token",
        title: "Clojars deploy token",
        gitleaks: &["clojars-api-token"],
        keywords: &["clojars_"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"CLOJARS_(?P<r>[A-Za-z0-9]{60})",
    public_prefix: 8,
    validate: None,
    context: &[],
    fake: &[Part::Lit("CLOJARS_"), Part::Rand(LOWER_ALNUM, 60)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
