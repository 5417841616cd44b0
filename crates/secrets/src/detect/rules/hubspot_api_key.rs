//! HubSpot API key or private-app token.
//!
//! ## What it finds
//!
//! Assigned to a name with `hubspot` in it: a UUID (legacy API key) or
//! `pat-na1-` and a UUID (private-app access token). The random part must
//! measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `hubspot-api-key`.
//!
//! ## Not a finding
//!
//! The same value under a name without `hubspot` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Rotate the private app's token (or delete the legacy key) in HubSpot
//! settings, remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{KeyedRule, KeyedSpec, UUID_V4};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "hubspot-api-key",
        title: "HubSpot API key or private-app token",
        gitleaks: &["hubspot-api-key"],
        keywords: &["hubspot"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["hubspot"],
    value: r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|pat-(?:na|eu|ap)[0-9]-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    public_prefix: 0,
    validate: None,
    fake: UUID_V4,
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
