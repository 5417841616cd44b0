//! JFrog Artifactory reference token.
//!
//! ## What it finds
//!
//! `cmVmd` (base64 of `ref`) followed by 59 letters and digits. The random part
//! must measure at least 4.5 bits of entropy per character.
//!
//! gitleaks: `artifactory-reference-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the token in the JFrog Platform (Administration → Identity and Access
//! → Access Tokens), remove it from the history, and read it from a secret at
//! run time.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "artifactory-reference-token",
        title: "JFrog Artifactory reference token",
        gitleaks: &["artifactory-reference-token"],
        keywords: &["cmvmd"],
        severity: Severity::Critical,
        min_entropy: 4.5,
        scope: Scope::LINE,
    },
    pattern: r"cmVmd[A-Za-z0-9]{59}",
    public_prefix: 5,
    validate: None,
    context: &[],
    fake: &[Part::Lit("cmVmd"), Part::Rand(BASE62, 59)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
