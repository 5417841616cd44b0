//! Atlassian API token.
//!
//! ## What it finds
//!
//! `ATATT3` followed by 186 characters: an Atlassian Cloud (Jira, Confluence,
//! Bitbucket) API token. The random part must measure at least 4.0 bits of
//! entropy per character.
//!
//! gitleaks: `atlassian-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the token at id.atlassian.com/manage-profile/security/api-tokens,
//! remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "atlassian-api-token",
        title: "Atlassian API token",
        gitleaks: &["atlassian-api-token"],
        keywords: &["atatt3"],
        severity: Severity::Critical,
        min_entropy: 4.0,
        scope: Scope::LINE,
    },
    pattern: r"ATATT3[A-Za-z0-9_\-=]{186}",
    public_prefix: 6,
    validate: None,
    context: &[],
    fake: &[Part::Lit("ATATT3"), Part::Rand(BASE64URL, 186)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
