//! Adobe client secret.
//!
//! ## What it finds
//!
//! `p8e-` and 32 letters and digits: an Adobe Developer Console OAuth client
//! secret. The random part must measure at least 3.0 bits of entropy per
//! character.
//!
//! gitleaks: `adobe-client-secret`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Rotate the client secret in the Adobe Developer Console (project →
//! credential), remove it from the history, and read it from a secret at run
//! time.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "adobe-client-secret",
        title: "Adobe client secret",
        gitleaks: &["adobe-client-secret"],
        keywords: &["p8e-"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"p8e-[A-Za-z0-9]{32}",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("p8e-"), Part::Rand(BASE62, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
