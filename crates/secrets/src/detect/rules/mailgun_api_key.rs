//! Mailgun API or webhook signing key.
//!
//! ## What it finds
//!
//! Assigned to a name with `mailgun` in it: `key-` and 32 hex digits (private
//! API key), or 32, 8 and 8 characters dash-separated (webhook signing key).
//! The random part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `mailgun-private-api-token`, `mailgun-signing-key`.
//!
//! ## Not a finding
//!
//! The same value under a name without `mailgun` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Rotate the key in Mailgun (API Security), remove it from the history, and
//! read it from a secret at run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "mailgun-api-key",
        title: "Mailgun API or webhook signing key",
        gitleaks: &["mailgun-private-api-token", "mailgun-signing-key"],
        keywords: &["mailgun"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["mailgun"],
    value: r"key-[a-f0-9]{32}|[a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8}",
    public_prefix: 4,
    validate: None,
    fake: &[Part::Lit("key-"), Part::Rand(HEX, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
