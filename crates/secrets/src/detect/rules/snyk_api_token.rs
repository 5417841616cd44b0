//! Snyk API token.
//!
//! ## What it finds
//!
//! A UUID assigned to a name with `snyk` in it (`SNYK_TOKEN`, `snyk_api_key`).
//! The random part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `snyk-api-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `snyk` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the token in Snyk (Account settings → Auth token), remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{KeyedRule, KeyedSpec, UUID_V4};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "snyk-api-token",
        title: "Snyk API token",
        gitleaks: &["snyk-api-token"],
        keywords: &["snyk"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["snyk"],
    value: r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    public_prefix: 0,
    validate: None,
    fake: UUID_V4,
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
