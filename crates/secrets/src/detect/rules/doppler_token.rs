//! Doppler token.
//!
//! ## What it finds
//!
//! `dp.pt.` (personal), `dp.st.` (service, with the config name), `dp.sa.`
//! (service account), `dp.ct.` (CLI), `dp.scim.` or `dp.audit.` followed by 40
//! to 44 letters and digits. The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `doppler-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the token in the Doppler dashboard, remove it from the history, and
//! read it from a secret at run time.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "doppler-token",
        title: "Doppler token",
        gitleaks: &["doppler-api-token"],
        keywords: &[
            "dp.pt.",
            "dp.st.",
            "dp.sa.",
            "dp.ct.",
            "dp.scim.",
            "dp.audit.",
        ],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_\-]{1,64}\.)?[A-Za-z0-9]{40,44}",
    public_prefix: 6,
    validate: None,
    context: &[],
    fake: &[Part::Lit("dp.pt."), Part::Rand(BASE62, 40)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
