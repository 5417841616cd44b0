//! Octopus Deploy API key.
//!
//! ## What it finds
//!
//! `API-` followed by 26 upper-case letters and digits. The random part must
//! measure at least 3.5 bits of entropy per character.
//!
//! gitleaks: `octopus-deploy-api-key`.
//!
//! ## Not a finding
//!
//! `API-` inside a longer word or URL path (`GSSAPI-…`, `…_API-Calculator`),
//! other lengths, lower-case text, placeholders.
//!
//! ## Fix
//!
//! Revoke the key in Octopus (Profile → My API keys), remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{Part, TokenRule, TokenSpec, UPPER_ALNUM};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "octopus-deploy-api-key",
        title: "Octopus Deploy API key",
        gitleaks: &["octopus-deploy-api-key"],
        keywords: &["api-"],
        severity: Severity::High,
        min_entropy: 3.5,
        scope: Scope::LINE,
    },
    pattern: r"API-[A-Z0-9]{26}",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("API-"), Part::Rand(UPPER_ALNUM, 26)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
