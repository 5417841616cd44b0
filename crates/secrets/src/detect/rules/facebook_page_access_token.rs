//! Facebook (Meta Graph API) access token.
//!
//! ## What it finds
//!
//! `EAAM` or `EAAC` followed by 100 or more letters and digits: the
//! user and page access tokens the Graph API issues (`EAA` then the app's
//! marker). The part after the prefix must measure at least 4.0 bits of
//! entropy per character.
//!
//! gitleaks: `facebook-page-access-token`.
//!
//! ## Not a finding
//!
//! Lower-case `eaa…` (hex digests, checksums in lock files), shorter values,
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), and the prefix glued to the end of a longer word or
//! blob.
//!
//! ## Fix
//!
//! Invalidate the token (change the user's password or remove the app's
//! access to the page), remove it from the history, and fetch a token at run
//! time from a secret.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "facebook-page-access-token",
        title: "Facebook (Meta Graph API) access token",
        gitleaks: &["facebook-page-access-token"],
        keywords: &["eaam", "eaac"],
        severity: Severity::High,
        min_entropy: 4.0,
        scope: Scope::LINE,
    },
    pattern: r"EAA[MC][A-Za-z0-9]{100,1000}",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("EAAM"), Part::Rand(BASE62, 100)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
