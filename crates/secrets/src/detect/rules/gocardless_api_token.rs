//! GoCardless access token.
//!
//! ## What it finds
//!
//! `live_` (or `sandbox_`) and 40 characters assigned to a name with
//! `gocardless` in it. The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `gocardless-api-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `gocardless` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the token in the GoCardless dashboard (Developers → Access tokens),
//! remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "gocardless-api-token",
        title: "GoCardless access token",
        gitleaks: &["gocardless-api-token"],
        keywords: &["gocardless"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["gocardless"],
    value: r"(?:live|sandbox)_[A-Za-z0-9_=\-]{40}",
    public_prefix: 5,
    validate: None,
    fake: &[Part::Lit("live_"), Part::Rand(BASE64URL, 40)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
