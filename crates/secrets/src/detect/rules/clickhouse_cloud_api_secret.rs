//! ClickHouse Cloud API key secret.
//!
//! ## What it finds
//!
//! `4b1d` followed by 38 letters and digits. The random part must measure at
//! least 3.0 bits of entropy per character.
//!
//! gitleaks: `clickhouse-cloud-api-secret-key`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the API key in ClickHouse Cloud (Organization → API keys), remove it
//! from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "clickhouse-cloud-api-secret",
        title: "ClickHouse Cloud API key secret",
        gitleaks: &["clickhouse-cloud-api-secret-key"],
        keywords: &["4b1d"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"4b1d[A-Za-z0-9]{38}",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("4b1d"), Part::Rand(BASE62, 38)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
