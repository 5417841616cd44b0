//! Lob API key.
//!
//! ## What it finds
//!
//! `live_` or `test_` and 35 hex digits assigned to a name with `lob` in it.
//! The random part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `lob-api-key`.
//!
//! ## Not a finding
//!
//! The same value under a name without `lob` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Rotate the key in the Lob dashboard (Settings → API keys), remove it from
//! the history, and read it from a secret at run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "lob-api-key",
        title: "Lob API key",
        gitleaks: &["lob-api-key"],
        keywords: &["lob"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["lob"],
    value: r"(?:live|test)_[a-f0-9]{35}",
    public_prefix: 5,
    validate: None,
    fake: &[Part::Lit("live_"), Part::Rand(HEX, 35)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
