//! Microsoft Teams incoming webhook URL.
//!
//! ## What it finds
//!
//! `https://<tenant>.webhook.office.com/webhookb2/<group>@<tenant
//! id>/IncomingWebhook/<32 characters>/<id>`: anyone with the URL can post to
//! the channel. The random part must measure at least 3.0 bits of entropy per
//! character.
//!
//! gitleaks: `microsoft-teams-webhook`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Remove the Incoming Webhook connector from the channel (and create a new
//! one), remove the URL from the history, and read it from a secret at run
//! time.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "microsoft-teams-webhook",
        title: "Microsoft Teams incoming webhook URL",
        gitleaks: &["microsoft-teams-webhook"],
        keywords: &["webhook.office.com"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"https://[a-z0-9\-]+\.webhook\.office\.com/webhookb2/(?P<r>[a-z0-9]{8}-(?:[a-z0-9]{4}-){3}[a-z0-9]{12}@[a-z0-9]{8}-(?:[a-z0-9]{4}-){3}[a-z0-9]{12}/IncomingWebhook/[a-z0-9]{32}/[a-z0-9]{8}-(?:[a-z0-9]{4}-){3}[a-z0-9]{12})",
    public_prefix: 8,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("https://contoso.webhook.office.com/webhookb2/"),
        Part::Rand(HEX, 8),
        Part::Lit("-"),
        Part::Rand(HEX, 4),
        Part::Lit("-4"),
        Part::Rand(HEX, 3),
        Part::Lit("-a"),
        Part::Rand(HEX, 3),
        Part::Lit("-"),
        Part::Rand(HEX, 12),
        Part::Lit("@"),
        Part::Rand(HEX, 8),
        Part::Lit("-"),
        Part::Rand(HEX, 4),
        Part::Lit("-4"),
        Part::Rand(HEX, 3),
        Part::Lit("-a"),
        Part::Rand(HEX, 3),
        Part::Lit("-"),
        Part::Rand(HEX, 12),
        Part::Lit("/IncomingWebhook/"),
        Part::Rand(HEX, 32),
        Part::Lit("/"),
        Part::Rand(HEX, 8),
        Part::Lit("-"),
        Part::Rand(HEX, 4),
        Part::Lit("-4"),
        Part::Rand(HEX, 3),
        Part::Lit("-a"),
        Part::Rand(HEX, 3),
        Part::Lit("-"),
        Part::Rand(HEX, 12),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
