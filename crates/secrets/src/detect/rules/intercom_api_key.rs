//! Intercom access token.
//!
//! ## What it finds
//!
//! 60 characters of `A-Za-z0-9=_-` assigned to a name with `intercom` in it.
//! The random part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `intercom-api-key`.
//!
//! ## Not a finding
//!
//! The same value under a name without `intercom` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Regenerate the token in the Intercom Developer Hub, remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "intercom-api-key",
        title: "Intercom access token",
        gitleaks: &["intercom-api-key"],
        keywords: &["intercom"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["intercom"],
    value: r"[A-Za-z0-9=_\-]{60}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE64URL, 60)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
