//! SendGrid API key.
//!
//! ## What it finds
//!
//! `SG.`, a 22-character key id, `.` and a 43-character secret. The random part
//! must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `sendgrid-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the key in SendGrid (Settings → API Keys), remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "sendgrid-api-key",
        title: "SendGrid API key",
        gitleaks: &["sendgrid-api-token"],
        keywords: &["sg."],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}|SG\.[A-Za-z0-9=_\-.]{66}",
    public_prefix: 3,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("SG."),
        Part::Rand(BASE64URL, 22),
        Part::Lit("."),
        Part::Rand(BASE64URL, 43),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
