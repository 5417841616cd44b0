//! Authress service client access key.
//!
//! ## What it finds
//!
//! `sc_`, `ext_`, `scauth_` or `authress_`, a client id, a key id, `acc_` and
//! an account id, then the 30 to 120 character secret, dot-separated. The
//! random part must measure at least 3.5 bits of entropy per character.
//!
//! gitleaks: `authress-service-client-access-key`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the access key of the service client in the Authress management
//! portal, remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, LOWER_ALNUM, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "authress-access-key",
        title: "Authress service client access key",
        gitleaks: &["authress-service-client-access-key"],
        keywords: &[".acc_", ".acc-"],
        severity: Severity::Critical,
        min_entropy: 3.5,
        scope: Scope::LINE,
    },
    pattern: r"(?:sc|ext|scauth|authress)_[A-Za-z0-9]{5,30}\.[A-Za-z0-9]{4,6}\.acc[_\-][A-Za-z0-9\-]{10,32}\.[A-Za-z0-9+/_=\-]{30,120}",
    public_prefix: 0,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("sc_"),
        Part::Rand(LOWER_ALNUM, 10),
        Part::Lit("."),
        Part::Rand(LOWER_ALNUM, 4),
        Part::Lit(".acc_"),
        Part::Rand(LOWER_ALNUM, 16),
        Part::Lit("."),
        Part::Rand(BASE64URL, 30),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
