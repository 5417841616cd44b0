//! PlanetScale password or token.
//!
//! ## What it finds
//!
//! `pscale_pw_` (database password), `pscale_tkn_` (service token) or
//! `pscale_oauth_` (OAuth token) followed by 32 to 64 characters. The random
//! part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `planetscale-password`, `planetscale-api-token`,
//! `planetscale-oauth-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the password or token in PlanetScale, remove it from the history, and
//! read it from a secret at run time.

use crate::detect::kit::{BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "planetscale-token",
        title: "PlanetScale password or token",
        gitleaks: &[
            "planetscale-password",
            "planetscale-api-token",
            "planetscale-oauth-token",
        ],
        keywords: &["pscale_pw_", "pscale_tkn_", "pscale_oauth_"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"pscale_(?:pw|tkn|oauth)_[A-Za-z0-9_=.\-]{32,64}",
    public_prefix: 10,
    validate: None,
    context: &[],
    fake: &[Part::Lit("pscale_pw_"), Part::Rand(BASE64URL, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
