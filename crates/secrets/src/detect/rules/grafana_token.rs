//! Grafana API key, Cloud token or service-account token.
//!
//! ## What it finds
//!
//! `eyJrIjoi` (a legacy API key: base64 JSON), `glc_` and 32 or more base64
//! characters (Grafana Cloud access policy token), or `glsa_`, 32 letters and
//! digits, `_` and 8 hex digits (service-account token). The random part must
//! measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `grafana-api-key`, `grafana-cloud-api-token`,
//! `grafana-service-account-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the key or token in Grafana (Administration → Service accounts, or
//! the Cloud portal's access policies), remove it from the history, and read it
//! from a secret at run time.

use crate::detect::kit::{BASE62, HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "grafana-token",
        title: "Grafana API key, Cloud token or service-account token",
        gitleaks: &[
            "grafana-api-key",
            "grafana-cloud-api-token",
            "grafana-service-account-token",
        ],
        keywords: &["eyjrijoi", "glc_", "glsa_"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"(?:eyJrIjoi[A-Za-z0-9]{70,400}={0,3}|glc_[A-Za-z0-9+/]{32,400}={0,3}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("glsa_"),
        Part::Rand(BASE62, 32),
        Part::Lit("_"),
        Part::Rand(HEX, 8),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
