//! Adobe client id.
//!
//! ## What it finds
//!
//! 32 hex digits assigned to a name with `adobe` in it: an Adobe Developer
//! Console client id (API key). Reported (low) because the client secret is
//! usually next to it. The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `adobe-client-id`.
//!
//! ## Not a finding
//!
//! The same value under a name without `adobe` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Nothing to rotate by itself; check that the client secret next to it is not
//! committed too.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "adobe-client-id",
        title: "Adobe client id",
        gitleaks: &["adobe-client-id"],
        keywords: &["adobe"],
        severity: Severity::Low,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["adobe"],
    value: r"[a-f0-9]{32}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(HEX, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
