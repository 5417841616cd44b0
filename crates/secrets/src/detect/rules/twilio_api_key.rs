//! Twilio API key SID.
//!
//! ## What it finds
//!
//! `SK` and 32 hex digits on a line (or below a line) mentioning `twilio`: an
//! API key SID, whose secret is usually next to it. The random part must
//! measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `twilio-api-key`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob. The same shape with no `twilio` on its
//! line or the line before.
//!
//! ## Fix
//!
//! Delete the API key in the Twilio Console (Account → API keys & tokens),
//! remove it from the history, and read the key and secret from a secret at run
//! time.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "twilio-api-key",
        title: "Twilio API key SID",
        gitleaks: &["twilio-api-key"],
        keywords: &["twilio"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"(?P<s>SK[0-9a-fA-F]{32})",
    public_prefix: 2,
    validate: None,
    context: &["twilio"],
    fake: &[Part::Lit("SK"), Part::Rand(HEX, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
