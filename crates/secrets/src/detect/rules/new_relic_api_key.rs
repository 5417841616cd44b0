//! New Relic API key.
//!
//! ## What it finds
//!
//! `NRAK-` (user key), `NRAA-` (admin), `NRII-` (insert/ingest), `NRIQ-`
//! (query) or `NRRA-` (REST) followed by 27 to 32 characters. The random part
//! must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `new-relic-user-api-key`, `new-relic-insert-key`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the key in New Relic (API keys), remove it from the history, and read
//! it from a secret at run time.

use crate::detect::kit::{Part, TokenRule, TokenSpec, UPPER_ALNUM};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "new-relic-api-key",
        title: "New Relic API key",
        gitleaks: &["new-relic-user-api-key", "new-relic-insert-key"],
        keywords: &["nrak-", "nrii-", "nraa-", "nriq-", "nrra-"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"NR(?:AK|AA|II|IQ|RA)-[A-Za-z0-9]{27,32}",
    public_prefix: 5,
    validate: None,
    context: &[],
    fake: &[Part::Lit("NRAK-"), Part::Rand(UPPER_ALNUM, 27)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
