//! Freemius secret key.
//!
//! ## What it finds
//!
//! `sk_` and 29 characters assigned to `secret_key` (the form Freemius' PHP SDK
//! configuration uses). The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `freemius-secret-key`.
//!
//! ## Not a finding
//!
//! The same value under a name without `secret_key` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Regenerate the secret key in the Freemius developer dashboard, remove it
//! from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "freemius-secret-key",
        title: "Freemius secret key",
        gitleaks: &["freemius-secret-key"],
        keywords: &["secret_key"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["secret_key"],
    value: r"sk_[A-Za-z0-9!@#$%^&*()+=\[\]{}:.?~|\-]{29}",
    public_prefix: 3,
    validate: None,
    fake: &[Part::Lit("sk_"), Part::Rand(BASE62, 29)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
