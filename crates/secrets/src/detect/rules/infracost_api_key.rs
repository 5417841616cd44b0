//! Infracost API key.
//!
//! ## What it finds
//!
//! `ico-` followed by 32 letters and digits. The random part must measure at
//! least 3.0 bits of entropy per character.
//!
//! gitleaks: `infracost-api-token`.
//!
//! ## Not a finding
//!
//! `ico-` inside a file name or word (`video_box.ico-7a38…`, `pubblico-…`),
//! other lengths, placeholders.
//!
//! ## Fix
//!
//! Rotate the key in Infracost Cloud (Org settings → API keys), remove it from
//! the history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "infracost-api-key",
        title: "Infracost API key",
        gitleaks: &["infracost-api-token"],
        keywords: &["ico-"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"ico-[A-Za-z0-9]{32}",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("ico-"), Part::Rand(BASE62, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
