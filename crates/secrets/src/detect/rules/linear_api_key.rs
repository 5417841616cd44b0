//! Linear API key.
//!
//! ## What it finds
//!
//! `lin_api_` and 40 letters and digits. The random part must measure at least
//! 3.0 bits of entropy per character.
//!
//! gitleaks: `linear-api-key`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the key in Linear (Settings → API), remove it from the history, and
//! read it from a secret at run time.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "linear-api-key",
        title: "Linear API key",
        gitleaks: &["linear-api-key"],
        keywords: &["lin_api_"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"lin_api_[A-Za-z0-9]{40}",
    public_prefix: 8,
    validate: None,
    context: &[],
    fake: &[Part::Lit("lin_api_"), Part::Rand(BASE62, 40)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
