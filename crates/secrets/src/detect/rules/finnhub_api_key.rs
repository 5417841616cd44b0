//! Finnhub API key.
//!
//! ## What it finds
//!
//! 20 letters and digits assigned to a name with `finnhub` in it. The random
//! part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `finnhub-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `finnhub` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Regenerate the key in the Finnhub dashboard, remove it from the history, and
//! read it from a secret at run time.

use crate::detect::kit::{KeyedRule, KeyedSpec, LOWER_ALNUM, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "finnhub-api-key",
        title: "Finnhub API key",
        gitleaks: &["finnhub-access-token"],
        keywords: &["finnhub"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["finnhub"],
    value: r"[A-Za-z0-9]{20}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(LOWER_ALNUM, 20)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
