//! Flutterwave secret or encryption key.
//!
//! ## What it finds
//!
//! `FLWSECK-` (live) or `FLWSECK_TEST-` (test) with 32 hex digits and `-X`
//! (secret key), or with 12 (encryption key). The random part must measure at
//! least 3.0 bits of entropy per character.
//!
//! gitleaks: `flutterwave-secret-key`, `flutterwave-encryption-key`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Regenerate the keys in the Flutterwave dashboard (Settings → API keys),
//! remove them from the history, and read them from a secret at run time.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "flutterwave-secret-key",
        title: "Flutterwave secret or encryption key",
        gitleaks: &["flutterwave-secret-key", "flutterwave-encryption-key"],
        keywords: &["flwseck"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"FLWSECK(?:_TEST)?-(?:[a-hA-H0-9]{32}-X|[a-hA-H0-9]{12})",
    public_prefix: 8,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("FLWSECK_TEST-"),
        Part::Rand(HEX, 32),
        Part::Lit("-X"),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
