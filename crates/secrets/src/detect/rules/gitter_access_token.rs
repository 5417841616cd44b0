//! Gitter access token.
//!
//! ## What it finds
//!
//! 40 characters of `A-Za-z0-9_-` assigned to a name with `gitter` in it. The
//! random part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `gitter-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `gitter` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the token, remove it from the history, and read it from a secret at
//! run time.

use crate::detect::kit::{BASE64URL, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "gitter-access-token",
        title: "Gitter access token",
        gitleaks: &["gitter-access-token"],
        keywords: &["gitter"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["gitter"],
    value: r"[A-Za-z0-9_\-]{40}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE64URL, 40)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
