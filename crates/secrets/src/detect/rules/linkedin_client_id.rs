//! LinkedIn client id.
//!
//! ## What it finds
//!
//! 14 letters and digits assigned to a name with `linkedin` in it. Not secret
//! by itself; reported (low). The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `linkedin-client-id`.
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
//! Nothing to rotate by itself; check that the client secret next to it is not
//! committed too.

use crate::detect::kit::{KeyedRule, KeyedSpec, LOWER_ALNUM, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "linkedin-client-id",
        title: "LinkedIn client id",
        gitleaks: &["linkedin-client-id"],
        keywords: &["linkedin", "linked_in", "linked-in"],
        severity: Severity::Low,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["linkedin", "linked_in", "linked-in"],
    value: r"[A-Za-z0-9]{14}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(LOWER_ALNUM, 14)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
