//! Shopify access token or shared secret.
//!
//! ## What it finds
//!
//! `shpat_` (Admin API access token), `shpca_` (custom app), `shppa_` (private
//! app) or `shpss_` (app shared secret) followed by 32 hex digits. The random
//! part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `shopify-access-token`, `shopify-custom-access-token`,
//! `shopify-private-app-access-token`, `shopify-shared-secret`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Rotate the token or secret in the Shopify admin (Apps → app → API
//! credentials), remove it from the history, and read it from a secret at run
//! time.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "shopify-token",
        title: "Shopify access token or shared secret",
        gitleaks: &[
            "shopify-access-token",
            "shopify-custom-access-token",
            "shopify-private-app-access-token",
            "shopify-shared-secret",
        ],
        keywords: &["shpat_", "shpca_", "shppa_", "shpss_"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}",
    public_prefix: 6,
    validate: None,
    context: &[],
    fake: &[Part::Lit("shpat_"), Part::Rand(HEX, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
