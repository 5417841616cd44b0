//! Plaid client id.
//!
//! ## What it finds
//!
//! 24 letters and digits assigned to a name with `plaid` in it. The random part
//! must measure at least 3.5 bits of entropy per character.
//!
//! gitleaks: `plaid-client-id`.
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
//! Nothing to rotate by itself; check that the secret next to it is not
//! committed too.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "plaid-client-id",
        title: "Plaid client id",
        gitleaks: &["plaid-client-id"],
        keywords: &["plaid"],
        severity: Severity::Low,
        min_entropy: 3.5,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["plaid"],
    value: r"[A-Za-z0-9]{24}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(HEX, 24)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
