//! New York Times API key.
//!
//! ## What it finds
//!
//! 32 characters assigned to a name with `nytimes` in it. The random part must
//! measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `nytimes-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `nytimes`, `new-york-times`,
//! `newyorktimes` in it, or with the word inside another word (`global` is not
//! `lob`, `sumOfValues` is not `sumo`); references and templates (`${{
//! secrets.X }}`, `$VAR`, `{{ .Values.x }}`); placeholders (all-same or
//! sequential characters, `EXAMPLE`, `xxxx`, `your-key-here`); values of
//! another length or alphabet.
//!
//! ## Fix
//!
//! Delete the key at developer.nytimes.com, remove it from the history, and
//! read it from a secret at run time.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "nytimes-api-key",
        title: "New York Times API key",
        gitleaks: &["nytimes-access-token"],
        keywords: &["nytimes", "new-york-times", "newyorktimes"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["nytimes", "new-york-times", "newyorktimes"],
    value: r"[A-Za-z0-9=_\-]{32}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE62, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
