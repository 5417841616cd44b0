//! HashiCorp Vault token (before 1.10).
//!
//! ## What it finds
//!
//! `s.` and 24 letters and digits assigned to a name with `vault` or `token` in
//! it: service tokens of Vault before 1.10. Letters and digits must both occur.
//! The random part must measure at least 3.5 bits of entropy per character.
//!
//! gitleaks: `vault-service-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `vault`, `token` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the token (`vault token revoke`), remove it from the history, and
//! authenticate at run time.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "vault-legacy-token",
        title: "HashiCorp Vault token (before 1.10)",
        gitleaks: &["vault-service-token"],
        keywords: &["vault", "token"],
        severity: Severity::Critical,
        min_entropy: 3.5,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["vault", "token"],
    value: r"s\.[A-Za-z0-9]{24}",
    public_prefix: 2,
    validate: None,
    fake: &[Part::Lit("s."), Part::Rand(BASE62, 24)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
