//! DigitalOcean token.
//!
//! ## What it finds
//!
//! `dop_v1_` (personal access token), `doo_v1_` (OAuth access token) or
//! `dor_v1_` (OAuth refresh token) followed by 64 hex digits. The random part
//! must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `digitalocean-pat`, `digitalocean-access-token`,
//! `digitalocean-refresh-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the token in the DigitalOcean control panel (API → Tokens), remove it
//! from the history, and read it from a secret at run time.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "digitalocean-token",
        title: "DigitalOcean token",
        gitleaks: &[
            "digitalocean-pat",
            "digitalocean-access-token",
            "digitalocean-refresh-token",
        ],
        keywords: &["dop_v1_", "doo_v1_", "dor_v1_"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"do[por]_v1_[a-f0-9]{64}",
    public_prefix: 7,
    validate: None,
    context: &[],
    fake: &[Part::Lit("dop_v1_"), Part::Rand(HEX, 64)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
