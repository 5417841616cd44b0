//! Pulumi access token.
//!
//! ## What it finds
//!
//! `pul-` followed by 40 hex digits. The random part must measure at least 3.0
//! bits of entropy per character.
//!
//! gitleaks: `pulumi-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the token in Pulumi Cloud (Settings → Access tokens), remove it from
//! the history, and use OIDC or a secret at run time.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "pulumi-access-token",
        title: "Pulumi access token",
        gitleaks: &["pulumi-api-token"],
        keywords: &["pul-"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"pul-[a-f0-9]{40}",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("pul-"), Part::Rand(HEX, 40)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
