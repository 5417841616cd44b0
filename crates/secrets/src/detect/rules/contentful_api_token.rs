//! Contentful API token.
//!
//! ## What it finds
//!
//! 43 characters assigned to a name with `contentful` in it (Content Delivery,
//! Preview and Management tokens). The random part must measure at least 3.0
//! bits of entropy per character.
//!
//! gitleaks: `contentful-delivery-api-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `contentful` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the token in Contentful (Settings → API keys / CMA tokens), remove it
//! from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "contentful-api-token",
        title: "Contentful API token",
        gitleaks: &["contentful-delivery-api-token"],
        keywords: &["contentful"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["contentful"],
    value: r"[A-Za-z0-9=_\-]{43}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE64URL, 43)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
