//! Confluent Cloud API key or secret.
//!
//! ## What it finds
//!
//! Assigned to a name with `confluent` in it: 16 letters and digits (API key)
//! or 64 (API secret). The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `confluent-access-token`, `confluent-secret-key`.
//!
//! ## Not a finding
//!
//! The same value under a name without `confluent` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Delete the API key in Confluent Cloud (API keys), remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "confluent-api-key",
        title: "Confluent Cloud API key or secret",
        gitleaks: &["confluent-access-token", "confluent-secret-key"],
        keywords: &["confluent"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["confluent"],
    value: r"[A-Za-z0-9]{64}|[A-Za-z0-9]{16}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE62, 64)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
