//! JFrog Artifactory API key.
//!
//! ## What it finds
//!
//! `AKCp` followed by 69 letters and digits (the deprecated Artifactory API
//! key). The random part must measure at least 4.5 bits of entropy per
//! character.
//!
//! gitleaks: `artifactory-api-key`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the API key in the JFrog user profile, move to access tokens, remove
//! it from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "artifactory-api-key",
        title: "JFrog Artifactory API key",
        gitleaks: &["artifactory-api-key"],
        keywords: &["akcp"],
        severity: Severity::Critical,
        min_entropy: 4.5,
        scope: Scope::LINE,
    },
    pattern: r"AKCp[A-Za-z0-9]{69}",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("AKCp"), Part::Rand(BASE62, 69)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
