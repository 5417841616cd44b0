//! Asana client id.
//!
//! ## What it finds
//!
//! 16 digits assigned to a name with `asana` in it. Not secret by itself;
//! reported (low). The random part must measure at least 2.5 bits of entropy
//! per character.
//!
//! gitleaks: `asana-client-id`.
//!
//! ## Not a finding
//!
//! The same value under a name without `asana` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Nothing to rotate by itself; check that the client secret next to it is not
//! committed too.

use crate::detect::kit::{DIGITS, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "asana-client-id",
        title: "Asana client id",
        gitleaks: &["asana-client-id"],
        keywords: &["asana"],
        severity: Severity::Low,
        min_entropy: 2.5,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["asana"],
    value: r"[0-9]{16}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(DIGITS, 16)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
