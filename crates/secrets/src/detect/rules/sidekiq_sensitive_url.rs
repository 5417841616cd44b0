//! Sidekiq gem server URL with credentials.
//!
//! ## What it finds
//!
//! `https://xxxxxxxx:xxxxxxxx@gems.contribsys.com` (or
//! `enterprise.contribsys.com`): the license credentials in a gem source URL.
//! The random part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `sidekiq-sensitive-url`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Ask Contributed Systems to rotate the credentials, remove them from the
//! history, and configure Bundler from a secret at run time.

use crate::detect::kit::{HEX, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "sidekiq-sensitive-url",
        title: "Sidekiq gem server URL with credentials",
        gitleaks: &["sidekiq-sensitive-url"],
        keywords: &["gems.contribsys.com", "enterprise.contribsys.com"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"https?://(?P<s>[a-f0-9]{8}:[a-f0-9]{8})@(?:gems|enterprise)\.contribsys\.com",
    public_prefix: 0,
    validate: None,
    context: &[],
    fake: &[
        Part::Lit("https://"),
        Part::Rand(HEX, 8),
        Part::Lit(":"),
        Part::Rand(HEX, 8),
        Part::Lit("@gems.contribsys.com/"),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
