//! Mailgun public validation key.
//!
//! ## What it finds
//!
//! `pubkey-` and 32 hex digits assigned to a name with `mailgun` in it. Public
//! keys validate addresses from browsers; reported (low) because the private
//! key is usually next to them. The random part must measure at least 3.0 bits
//! of entropy per character.
//!
//! gitleaks: `mailgun-pub-key`.
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
//! Nothing to rotate by itself; check that the private key next to it is not
//! committed too.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "mailgun-public-key",
        title: "Mailgun public validation key",
        gitleaks: &["mailgun-pub-key"],
        keywords: &["mailgun"],
        severity: Severity::Low,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["mailgun"],
    value: r"pubkey-[a-f0-9]{32}",
    public_prefix: 7,
    validate: None,
    fake: &[Part::Lit("pubkey-"), Part::Rand(HEX, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
