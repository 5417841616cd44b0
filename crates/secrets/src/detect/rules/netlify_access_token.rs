//! Netlify access token.
//!
//! ## What it finds
//!
//! 40 to 46 characters assigned to a name with `netlify` in it. The random part
//! must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `netlify-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `netlify` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the token in Netlify (User settings → Applications → Personal access
//! tokens), remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "netlify-access-token",
        title: "Netlify access token",
        gitleaks: &["netlify-access-token"],
        keywords: &["netlify"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["netlify"],
    value: r"[A-Za-z0-9=_\-]{40,46}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE64URL, 43)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
