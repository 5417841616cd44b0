//! Hugging Face access token.
//!
//! ## What it finds
//!
//! `hf_` (user access token) or `api_org_` (legacy organization token) followed
//! by 34 letters of both cases. The random part must measure at least 3.5 bits
//! of entropy per character.
//!
//! gitleaks: `huggingface-access-token`, `huggingface-organization-api-token`.
//!
//! ## Not a finding
//!
//! Identifiers that start with `hf_` or `api_org_` (`hf_requiredTypes`,
//! `api_org_controller`): words in one case, the wrong length, or glued to a
//! longer word; placeholders.
//!
//! ## Fix
//!
//! Invalidate the token at huggingface.co/settings/tokens, remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{self, LETTERS, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "huggingface-token",
        title: "Hugging Face access token",
        gitleaks: &[
            "huggingface-access-token",
            "huggingface-organization-api-token",
        ],
        keywords: &["hf_", "api_org_"],
        severity: Severity::High,
        min_entropy: 3.5,
        scope: Scope::LINE,
    },
    pattern: r"(?:hf_|api_org_)[A-Za-z]{34}",
    public_prefix: 3,
    validate: Some(kit::mixed_case_letters),
    context: &[],
    fake: &[Part::Lit("hf_"), Part::Rand(LETTERS, 34)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
