//! Plaid access token.
//!
//! ## What it finds
//!
//! `access-production-`, `access-development-` or `access-sandbox-` followed by
//! a UUID. The random part must measure at least 3.0 bits of entropy per
//! character.
//!
//! gitleaks: `plaid-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Invalidate the access token (`/item/access_token/invalidate`) or remove the
//! Item, remove it from the history, and keep access tokens in a secret store.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "plaid-access-token",
        title: "Plaid access token",
        gitleaks: &["plaid-api-token"],
        keywords: &[
            "access-sandbox-",
            "access-development-",
            "access-production-",
        ],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"access-(?:sandbox|development|production)-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    public_prefix: 7,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("access-production-"),
        Part::Rand(HEX, 8),
        Part::Lit("-"),
        Part::Rand(HEX, 4),
        Part::Lit("-4"),
        Part::Rand(HEX, 3),
        Part::Lit("-a"),
        Part::Rand(HEX, 3),
        Part::Lit("-"),
        Part::Rand(HEX, 12),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
