//! Cohere API key.
//!
//! ## What it finds
//!
//! 40 letters and digits assigned to a name with `cohere` or `CO_API_KEY` in
//! it. The random part must measure at least 4.0 bits of entropy per character.
//!
//! gitleaks: `cohere-api-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `cohere`, `co_api_key` in it, or with
//! the word inside another word (`global` is not `lob`, `sumOfValues` is not
//! `sumo`); references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x
//! }}`); placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the key in the Cohere dashboard (API keys), remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "cohere-api-key",
        title: "Cohere API key",
        gitleaks: &["cohere-api-token"],
        keywords: &["cohere", "co_api_key"],
        severity: Severity::High,
        min_entropy: 4.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["cohere", "co_api_key"],
    value: r"[A-Za-z0-9]{40}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE62, 40)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
