//! Plaid secret.
//!
//! ## What it finds
//!
//! 30 letters and digits assigned to a name with `plaid` in it. The random part
//! must measure at least 3.5 bits of entropy per character.
//!
//! gitleaks: `plaid-secret-key`.
//!
//! ## Not a finding
//!
//! The same value under a name without `plaid` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Rotate the secret in the Plaid dashboard (Team settings → Keys), remove it
//! from the history, and read it from a secret at run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "plaid-secret-key",
        title: "Plaid secret",
        gitleaks: &["plaid-secret-key"],
        keywords: &["plaid"],
        severity: Severity::Critical,
        min_entropy: 3.5,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["plaid"],
    value: r"[A-Za-z0-9]{30}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(HEX, 30)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
