//! OpenShift user token.
//!
//! ## What it finds
//!
//! `sha256~` followed by 43 letters, digits, `-` or `_`: an OpenShift 4 OAuth
//! access token (`oc whoami -t`), which acts as the user on the cluster. The
//! part after the prefix must measure at least 3.5 bits of entropy per
//! character.
//!
//! gitleaks: `openshift-user-token`.
//!
//! ## Not a finding
//!
//! Placeholders (`sha256~XXXX…`, `…PUT_YOUR_TOKEN_HERE…`, all-same or
//! sequential characters), values of another length, and the prefix glued to
//! the end of a longer word.
//!
//! ## Fix
//!
//! Delete the token (`oc delete oauthaccesstoken <name>`, or log out), remove
//! it from the history, and log in at run time with a service account token
//! read from a secret.

use crate::detect::kit::{BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "openshift-user-token",
        title: "OpenShift user token",
        gitleaks: &["openshift-user-token"],
        keywords: &["sha256~"],
        severity: Severity::Critical,
        min_entropy: 3.5,
        scope: Scope::LINE,
    },
    pattern: r"sha256~[A-Za-z0-9_\-]{43}",
    public_prefix: 7,
    validate: None,
    context: &[],
    fake: &[Part::Lit("sha256~"), Part::Rand(BASE64URL, 43)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
