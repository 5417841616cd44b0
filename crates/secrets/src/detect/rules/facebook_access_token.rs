//! Facebook app access token.
//!
//! ## What it finds
//!
//! An app access token, the app id (15 or 16 digits), `|` (or `%7C`, its URL
//! encoding) and 27 to 40 letters, digits, `-` or `_` (the app secret or a
//! signature), on a line mentioning `facebook`, `fb_`, `access_token` or
//! `app_token`. The part after `|` must measure at least 3.0 bits of entropy
//! per character.
//!
//! gitleaks: `facebook-access-token`.
//!
//! ## Not a finding
//!
//! The same shape on a line with none of those words (gitleaks runs it
//! everywhere; a `digits|word` pair is too common in tables and logs to
//! report without a hint); placeholders (all-same or sequential characters,
//! `EXAMPLE`, `xxxx`, `your-key-here`); values of another length or
//! alphabet, and the token glued to the end of a longer word or number.
//!
//! ## Fix
//!
//! Reset the app secret in the Meta app dashboard (an app token is the app id
//! and its secret), remove it from the history, and build the token at run
//! time from a secret.

use crate::detect::kit::{BASE64URL, DIGITS, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "facebook-access-token",
        title: "Facebook app access token",
        gitleaks: &["facebook-access-token"],
        keywords: &["facebook", "fb_", "access_token", "app_token"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 1,
            after: 1,
        },
    },
    pattern: r"(?P<s>[0-9]{15,16}(?:\||%7[Cc])(?P<r>[0-9A-Za-z_\-]{27,40}))",
    public_prefix: 0,
    validate: None,
    context: &["facebook", "fb_", "access_token", "app_token"],
    fake: &[
        Part::Rand(DIGITS, 15),
        Part::Lit("|"),
        Part::Rand(BASE64URL, 27),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
