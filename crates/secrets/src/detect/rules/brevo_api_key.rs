//! Brevo (Sendinblue) API or SMTP key.
//!
//! ## What it finds
//!
//! `xkeysib-` (API key) or `xsmtpsib-` (SMTP key), 64 hex digits, `-` and 16
//! letters and digits. The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `sendinblue-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the key in Brevo (SMTP & API), remove it from the history, and read
//! it from a secret at run time.

use crate::detect::kit::{BASE62, HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "brevo-api-key",
        title: "Brevo (Sendinblue) API or SMTP key",
        gitleaks: &["sendinblue-api-token"],
        keywords: &["xkeysib-", "xsmtpsib-"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}",
    public_prefix: 8,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("xkeysib-"),
        Part::Rand(HEX, 64),
        Part::Lit("-"),
        Part::Rand(BASE62, 16),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
