//! Datadog API or application key.
//!
//! ## What it finds
//!
//! Assigned to a name with `datadog` in it (`DD_API_KEY` is covered by the
//! generic rule): 32 hex digits (API key) or 40 (application key). The random
//! part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `datadog-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `datadog` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the key in Datadog (Organization settings → API keys / Application
//! keys), remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "datadog-api-key",
        title: "Datadog API or application key",
        gitleaks: &["datadog-access-token"],
        keywords: &["datadog"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["datadog"],
    value: r"[A-Za-z0-9]{40}|[a-f0-9]{32}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(HEX, 40)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
