//! Microsoft Entra ID (Azure AD) client secret.
//!
//! ## What it finds
//!
//! Three characters, a digit, `Q~` and 31 to 34 characters of `A-Za-z0-9_~.-`:
//! the client secrets the Entra ID portal has issued since 2022 (the `Q~` marks
//! the format). The random part must measure at least 3.0 bits of entropy per
//! character.
//!
//! gitleaks: `azure-ad-client-secret`.
//!
//! ## Not a finding
//!
//! Strings where `Q~` appears in prose, URLs or tilde-separated data without
//! the documented lengths; placeholders such as `xxxx…`.
//!
//! ## Fix
//!
//! Delete the secret under App registrations → Certificates & secrets, remove
//! it from the history, and prefer workload identity federation over secrets.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "azure-ad-client-secret",
        title: "Microsoft Entra ID (Azure AD) client secret",
        gitleaks: &["azure-ad-client-secret"],
        keywords: &["q~"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"(?P<s>[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.\-]{31,34})",
    public_prefix: 0,
    validate: None,
    context: &[],
    fake: &[
        Part::Rand(BASE62, 3),
        Part::Lit("8Q~"),
        Part::Rand(BASE62, 31),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
