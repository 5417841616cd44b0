//! Facebook app secret.
//!
//! ## What it finds
//!
//! 32 hex digits assigned to a name with `facebook` in it
//! (`FACEBOOK_APP_SECRET=...`, `facebookSecret: ...`): the shape of a Meta
//! app secret, which has no prefix of its own. The value must measure at
//! least 3.0 bits of entropy per character.
//!
//! gitleaks: `facebook-secret`.
//!
//! ## Not a finding
//!
//! The same value under a name without `facebook` as a part of it;
//! references and templates (`${{ secrets.X }}`, `$VAR`); placeholders
//! (all-same or sequential characters, `EXAMPLE`, `xxxx`, `your-key-here`);
//! values of another length or alphabet.
//!
//! ## Fix
//!
//! Reset the app secret in the Meta app dashboard (Settings → Basic), remove
//! it from the history, and read it from a secret at run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "facebook-secret",
        title: "Facebook app secret",
        gitleaks: &["facebook-secret"],
        keywords: &["facebook"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["facebook"],
    value: r"[a-fA-F0-9]{32}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(HEX, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
