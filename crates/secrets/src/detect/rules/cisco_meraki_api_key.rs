//! Cisco Meraki API key.
//!
//! ## What it finds
//!
//! 40 lower-case hex digits assigned to a name with `meraki` in it. The random
//! part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `cisco-meraki-api-key`.
//!
//! ## Not a finding
//!
//! The same value under a name without `meraki` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the key in the Meraki dashboard (My profile → API access), remove it
//! from the history, and read it from a secret at run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "cisco-meraki-api-key",
        title: "Cisco Meraki API key",
        gitleaks: &["cisco-meraki-api-key"],
        keywords: &["meraki"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["meraki"],
    value: r"[0-9a-f]{40}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(HEX, 40)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
