//! Databricks personal access token.
//!
//! ## What it finds
//!
//! `dapi` and 32 hex digits, optionally `-` and a digit. The random part must
//! measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `databricks-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the token in Databricks (User settings → Developer → Access tokens),
//! remove it from the history, and use OAuth or a secret at run time.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "databricks-api-token",
        title: "Databricks personal access token",
        gitleaks: &["databricks-api-token"],
        keywords: &["dapi"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"dapi[a-f0-9]{32}(?:-[0-9])?",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("dapi"), Part::Rand(HEX, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
