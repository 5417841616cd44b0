//! MaxMind license key.
//!
//! ## What it finds
//!
//! 6 letters and digits, `_`, 29 letters and digits, `_mmk`. The random part
//! must measure at least 4.0 bits of entropy per character.
//!
//! gitleaks: `maxmind-license-key`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Deactivate the key in the MaxMind account portal (Manage license keys),
//! remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "maxmind-license-key",
        title: "MaxMind license key",
        gitleaks: &["maxmind-license-key"],
        keywords: &["_mmk"],
        severity: Severity::High,
        min_entropy: 4.0,
        scope: Scope::LINE,
    },
    pattern: r"[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk",
    public_prefix: 0,
    validate: None,
    context: &[],
    fake: &[
        Part::Rand(BASE62, 6),
        Part::Lit("_"),
        Part::Rand(BASE62, 29),
        Part::Lit("_mmk"),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
