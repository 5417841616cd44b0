//! Finicity API key or client secret.
//!
//! ## What it finds
//!
//! Assigned to a name with `finicity` in it: 32 hex digits (app key) or 20
//! letters and digits (partner secret). The random part must measure at least
//! 3.0 bits of entropy per character.
//!
//! gitleaks: `finicity-api-token`, `finicity-client-secret`.
//!
//! ## Not a finding
//!
//! The same value under a name without `finicity` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Rotate the key or secret in the Finicity developer portal, remove it from
//! the history, and read it from a secret at run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "finicity-credential",
        title: "Finicity API key or client secret",
        gitleaks: &["finicity-api-token", "finicity-client-secret"],
        keywords: &["finicity"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["finicity"],
    value: r"[a-f0-9]{32}|[A-Za-z0-9]{20}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(HEX, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
