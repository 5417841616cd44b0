//! age secret key.
//!
//! ## What it finds
//!
//! `AGE-SECRET-KEY-1` and 58 bech32 characters: an X25519 identity of the age
//! encryption tool. The random part must measure at least 3.0 bits of entropy
//! per character.
//!
//! gitleaks: `age-secret-key`.
//!
//! ## Not a finding
//!
//! All-zero keys (`AGE-SECRET-KEY-1QQQQ…`, a placeholder), other lengths,
//! characters outside bech32.
//!
//! ## Fix
//!
//! Generate a new identity, re-encrypt what the old one protected, remove it
//! from the history.

use crate::detect::kit::{BECH32, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "age-secret-key",
        title: "age secret key",
        gitleaks: &["age-secret-key"],
        keywords: &["age-secret-key-1"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
    public_prefix: 15,
    validate: None,
    context: &[],
    fake: &[Part::Lit("AGE-SECRET-KEY-1"), Part::Rand(BECH32, 58)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
