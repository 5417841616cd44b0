//! 42 Intra client secret.
//!
//! ## What it finds
//!
//! `s-s4t2ud-` or `s-s4t2af-` followed by 64 hex digits. The random part must
//! measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `intra42-client-secret`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Regenerate the secret of the application on the 42 Intra, remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "intra42-client-secret",
        title: "42 Intra client secret",
        gitleaks: &["intra42-client-secret"],
        keywords: &["s-s4t2ud-", "s-s4t2af-"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"s-s4t2(?:ud|af)-[a-f0-9]{64}",
    public_prefix: 9,
    validate: None,
    context: &[],
    fake: &[Part::Lit("s-s4t2ud-"), Part::Rand(HEX, 64)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
