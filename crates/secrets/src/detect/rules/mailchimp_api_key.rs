//! Mailchimp API key.
//!
//! ## What it finds
//!
//! 32 hex digits and a data-center suffix (`-us18`) assigned to a name with
//! `mailchimp` in it. The random part must measure at least 3.0 bits of entropy
//! per character.
//!
//! gitleaks: `mailchimp-api-key`.
//!
//! ## Not a finding
//!
//! The same value under a name without `mailchimp` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the key in Mailchimp (Account → Extras → API keys), remove it from
//! the history, and read it from a secret at run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "mailchimp-api-key",
        title: "Mailchimp API key",
        gitleaks: &["mailchimp-api-key"],
        keywords: &["mailchimp"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["mailchimp"],
    value: r"[a-f0-9]{32}-us[0-9]{1,2}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(HEX, 32), Part::Lit("-us18")],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
