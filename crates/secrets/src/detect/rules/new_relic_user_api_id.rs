//! New Relic user API id.
//!
//! ## What it finds
//!
//! 64 letters and digits assigned to a name with `newrelic` in it. The random
//! part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `new-relic-user-api-id`.
//!
//! ## Not a finding
//!
//! The same value under a name without `new-relic`, `newrelic`, `new_relic` in
//! it, or with the word inside another word (`global` is not `lob`,
//! `sumOfValues` is not `sumo`); references and templates (`${{ secrets.X }}`,
//! `$VAR`, `{{ .Values.x }}`); placeholders (all-same or sequential characters,
//! `EXAMPLE`, `xxxx`, `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Delete the key in New Relic (API keys), remove it from the history, and read
//! it from a secret at run time.

use crate::detect::kit::{KeyedRule, KeyedSpec, LOWER_ALNUM, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "new-relic-user-api-id",
        title: "New Relic user API id",
        gitleaks: &["new-relic-user-api-id"],
        keywords: &["new-relic", "newrelic", "new_relic"],
        severity: Severity::Medium,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["new-relic", "newrelic", "new_relic"],
    value: r"[A-Za-z0-9]{64}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(LOWER_ALNUM, 64)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
