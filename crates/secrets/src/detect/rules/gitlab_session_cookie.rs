//! GitLab session cookie.
//!
//! ## What it finds
//!
//! `_gitlab_session=` and 32 lower-case letters and digits: a signed-in GitLab
//! session. The random part must measure at least 3.0 bits of entropy per
//! character.
//!
//! gitleaks: `gitlab-session-cookie`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Sign out the session (User settings → Active sessions), remove it from the
//! history.

use crate::detect::kit::{LOWER_ALNUM, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "gitlab-session-cookie",
        title: "GitLab session cookie",
        gitleaks: &["gitlab-session-cookie"],
        keywords: &["_gitlab_session="],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"_gitlab_session=(?P<s>[0-9a-z]{32})",
    public_prefix: 0,
    validate: None,
    context: &[],
    fake: &[Part::Lit("_gitlab_session="), Part::Rand(LOWER_ALNUM, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
