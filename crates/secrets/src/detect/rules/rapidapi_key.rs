//! RapidAPI key.
//!
//! ## What it finds
//!
//! 50 characters assigned to a name with `rapidapi` in it. The random part must
//! measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `rapidapi-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `rapidapi` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Rotate the application key in RapidAPI (Apps → Authorization), remove it
//! from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "rapidapi-key",
        title: "RapidAPI key",
        gitleaks: &["rapidapi-access-token"],
        keywords: &["rapidapi"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["rapidapi"],
    value: r"[A-Za-z0-9_\-]{50}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE62, 50)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
