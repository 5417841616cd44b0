//! Etsy access token.
//!
//! ## What it finds
//!
//! 24 letters and digits assigned to a name with `etsy` in it
//! (`ETSY_TOKEN=...`, `etsyToken: ...`). Etsy's keystrings have no prefix of
//! their own, so the name is what identifies them. The value must measure at
//! least 3.0 bits of entropy per character.
//!
//! gitleaks: `etsy-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `etsy` as a part of it (`SetSysctl`
//! holds the letters, not the word); references and templates
//! (`${{ secrets.X }}`, `$VAR`); placeholders (all-same or sequential
//! characters, `EXAMPLE`, `xxxx`, `your-key-here`); values of another length
//! or alphabet.
//!
//! ## Fix
//!
//! Reset the keystring of the app in Etsy's developer console, remove it from
//! the history, and read it from a secret at run time.

use crate::detect::kit::{KeyedRule, KeyedSpec, LOWER_ALNUM, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "etsy-access-token",
        title: "Etsy access token",
        gitleaks: &["etsy-access-token"],
        keywords: &["etsy"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["etsy"],
    value: r"[A-Za-z0-9]{24}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(LOWER_ALNUM, 24)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
