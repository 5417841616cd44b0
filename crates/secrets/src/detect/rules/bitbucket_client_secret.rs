//! Bitbucket OAuth consumer secret.
//!
//! ## What it finds
//!
//! 64 characters of `A-Za-z0-9=_-` assigned to a name with `bitbucket` in it.
//! The random part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `bitbucket-client-secret`.
//!
//! ## Not a finding
//!
//! The same value under a name without `bitbucket` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Delete and recreate the OAuth consumer (workspace settings → OAuth
//! consumers), remove the secret from the history, and read it from a secret at
//! run time.

use crate::detect::kit::{BASE64URL, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "bitbucket-client-secret",
        title: "Bitbucket OAuth consumer secret",
        gitleaks: &["bitbucket-client-secret"],
        keywords: &["bitbucket"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["bitbucket"],
    value: r"[A-Za-z0-9=_\-]{64}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE64URL, 64)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
