//! OpenAI API key.
//!
//! ## What it finds
//!
//! `sk-` keys carrying OpenAI's marker `T3BlbkFJ` (base64 of `OpenAI`): project
//! (`sk-proj-`), service-account (`sk-svcacct-`), admin (`sk-admin-`) and
//! legacy user keys, in their documented lengths. The random part must measure
//! at least 4.0 bits of entropy per character.
//!
//! gitleaks: `openai-api-key`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the key on platform.openai.com (API keys), remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "openai-api-key",
        title: "OpenAI API key",
        gitleaks: &["openai-api-key"],
        keywords: &["t3blbkfj"],
        severity: Severity::Critical,
        min_entropy: 4.0,
        scope: Scope::LINE,
    },
    pattern: r"sk-(?:(?:proj|svcacct|admin)-(?:[A-Za-z0-9_\-]{74}|[A-Za-z0-9_\-]{58})T3BlbkFJ(?:[A-Za-z0-9_\-]{74}|[A-Za-z0-9_\-]{58})|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})",
    public_prefix: 3,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("sk-proj-"),
        Part::Rand(BASE64URL, 74),
        Part::Lit("T3BlbkFJ"),
        Part::Rand(BASE64URL, 74),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
