//! Prefect Cloud API key.
//!
//! ## What it finds
//!
//! `pnu_` followed by 36 letters and digits. The random part must measure at
//! least 3.0 bits of entropy per character.
//!
//! gitleaks: `prefect-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the key in Prefect Cloud (Profile → API keys), remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "prefect-api-key",
        title: "Prefect Cloud API key",
        gitleaks: &["prefect-api-token"],
        keywords: &["pnu_"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"pnu_[A-Za-z0-9]{36}",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("pnu_"), Part::Rand(BASE62, 36)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
