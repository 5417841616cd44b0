//! 1Password account Secret Key.
//!
//! ## What it finds
//!
//! `A3-` and five dash-separated groups of upper-case letters and digits: the
//! Secret Key that, with the account password, unlocks a 1Password account. The
//! random part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `1password-secret-key`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Regenerate the Secret Key in 1Password (account → Regenerate Secret Key),
//! remove it from the history.

use crate::detect::kit::{Part, TokenRule, TokenSpec, UPPER_ALNUM};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "onepassword-secret-key",
        title: "1Password account Secret Key",
        gitleaks: &["1password-secret-key"],
        keywords: &["a3-"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}",
    public_prefix: 3,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("A3-"),
        Part::Rand(UPPER_ALNUM, 6),
        Part::Lit("-"),
        Part::Rand(UPPER_ALNUM, 11),
        Part::Lit("-"),
        Part::Rand(UPPER_ALNUM, 5),
        Part::Lit("-"),
        Part::Rand(UPPER_ALNUM, 5),
        Part::Lit("-"),
        Part::Rand(UPPER_ALNUM, 5),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
