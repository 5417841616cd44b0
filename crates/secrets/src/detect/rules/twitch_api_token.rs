//! Twitch API token.
//!
//! ## What it finds
//!
//! 30 letters and digits assigned to a name with `twitch` in it. The random
//! part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `twitch-api-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `twitch` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the token (or reset the client secret in the Twitch developer
//! console), remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{KeyedRule, KeyedSpec, LOWER_ALNUM, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "twitch-api-token",
        title: "Twitch API token",
        gitleaks: &["twitch-api-token"],
        keywords: &["twitch"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["twitch"],
    value: r"[A-Za-z0-9]{30}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(LOWER_ALNUM, 30)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
