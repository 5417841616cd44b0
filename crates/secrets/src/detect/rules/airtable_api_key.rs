//! Airtable API key (legacy).
//!
//! ## What it finds
//!
//! 17 letters and digits assigned to a name with `airtable` in it (the `key…`
//! API keys Airtable retired in 2024). The random part must measure at least
//! 3.0 bits of entropy per character.
//!
//! gitleaks: `airtable-api-key`.
//!
//! ## Not a finding
//!
//! The same value under a name without `airtable` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Regenerate or delete the key in Airtable account settings, move to personal
//! access tokens, and remove it from the history.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "airtable-api-key",
        title: "Airtable API key (legacy)",
        gitleaks: &["airtable-api-key"],
        keywords: &["airtable"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["airtable"],
    value: r"[A-Za-z0-9]{17}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Lit("key"), Part::Rand(BASE62, 14)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
