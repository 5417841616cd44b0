//! SettleMint access token.
//!
//! ## What it finds
//!
//! `sm_pat_` (personal), `sm_aat_` (application) or `sm_sat_` (service)
//! followed by 16 letters and digits. The random part must measure at least 3.0
//! bits of entropy per character.
//!
//! gitleaks: `settlemint-personal-access-token`,
//! `settlemint-application-access-token`, `settlemint-service-access-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the token in the SettleMint console, remove it from the history, and
//! read it from a secret at run time.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "settlemint-token",
        title: "SettleMint access token",
        gitleaks: &[
            "settlemint-personal-access-token",
            "settlemint-application-access-token",
            "settlemint-service-access-token",
        ],
        keywords: &["sm_pat_", "sm_aat_", "sm_sat_"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"sm_(?:pat|aat|sat)_[A-Za-z0-9]{16}",
    public_prefix: 7,
    validate: None,
    context: &[],
    fake: &[Part::Lit("sm_pat_"), Part::Rand(BASE62, 16)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
