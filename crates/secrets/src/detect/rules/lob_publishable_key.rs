//! Lob publishable key.
//!
//! ## What it finds
//!
//! `live_pub_` or `test_pub_` and 31 hex digits assigned to a name with `lob`
//! in it. Publishable keys are meant for browsers; reported (low) because the
//! secret key is usually next to them. The random part must measure at least
//! 3.0 bits of entropy per character.
//!
//! gitleaks: `lob-pub-api-key`.
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
//! Nothing to rotate by itself; check that the secret key next to it is not
//! committed too.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "lob-publishable-key",
        title: "Lob publishable key",
        gitleaks: &["lob-pub-api-key"],
        keywords: &["lob"],
        severity: Severity::Low,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["lob"],
    value: r"(?:live|test)_pub_[a-f0-9]{31}",
    public_prefix: 9,
    validate: None,
    fake: &[Part::Lit("live_pub_"), Part::Rand(HEX, 31)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
