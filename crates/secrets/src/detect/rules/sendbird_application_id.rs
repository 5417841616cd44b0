//! Sendbird application id.
//!
//! ## What it finds
//!
//! A UUID assigned to a name with `sendbird` in it. Not secret by itself;
//! reported (low). The random part must measure at least 3.0 bits of entropy
//! per character.
//!
//! gitleaks: `sendbird-access-id`.
//!
//! ## Not a finding
//!
//! The same value under a name without `sendbird` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Nothing to rotate by itself; check that the API token next to it is not
//! committed too.

use crate::detect::kit::{KeyedRule, KeyedSpec, UUID_V4};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "sendbird-application-id",
        title: "Sendbird application id",
        gitleaks: &["sendbird-access-id"],
        keywords: &["sendbird"],
        severity: Severity::Low,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["sendbird"],
    value: r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    public_prefix: 0,
    validate: None,
    fake: UUID_V4,
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
