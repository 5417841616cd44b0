//! LinkedIn client secret.
//!
//! ## What it finds
//!
//! 16 letters and digits assigned to a name with `linkedin` in it. The random
//! part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `linkedin-client-secret`.
//!
//! ## Not a finding
//!
//! The same value under a name without `linkedin`, `linked_in`, `linked-in` in
//! it, or with the word inside another word (`global` is not `lob`,
//! `sumOfValues` is not `sumo`); references and templates (`${{ secrets.X }}`,
//! `$VAR`, `{{ .Values.x }}`); placeholders (all-same or sequential characters,
//! `EXAMPLE`, `xxxx`, `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Generate a new client secret in the LinkedIn developer portal (app → Auth),
//! remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "linkedin-client-secret",
        title: "LinkedIn client secret",
        gitleaks: &["linkedin-client-secret"],
        keywords: &["linkedin", "linked_in", "linked-in"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["linkedin", "linked_in", "linked-in"],
    value: r"[A-Za-z0-9]{16}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE62, 16)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
