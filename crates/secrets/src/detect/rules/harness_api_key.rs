//! Harness API key or service-account token.
//!
//! ## What it finds
//!
//! `pat.` (personal access token) or `sat.` (service-account token), then the
//! account id (22), the token id (24) and the secret (20), dot-separated. The
//! random part must measure at least 3.5 bits of entropy per character.
//!
//! gitleaks: `harness-api-key`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the token in Harness (My profile → API keys, or the service account),
//! remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "harness-api-key",
        title: "Harness API key or service-account token",
        gitleaks: &["harness-api-key"],
        keywords: &["pat.", "sat."],
        severity: Severity::Critical,
        min_entropy: 3.5,
        scope: Scope::LINE,
    },
    pattern: r"(?:pat|sat)\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("pat."),
        Part::Rand(BASE62, 22),
        Part::Lit("."),
        Part::Rand(BASE62, 24),
        Part::Lit("."),
        Part::Rand(BASE62, 20),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
