//! Bitbucket OAuth consumer key.
//!
//! ## What it finds
//!
//! 32 letters and digits assigned to a name with `bitbucket` in it. A consumer
//! key names an OAuth consumer; its secret is usually next to it. The random
//! part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `bitbucket-client-id`.
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
//! Rotate the consumer (workspace settings → OAuth consumers), remove it from
//! the history.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "bitbucket-client-id",
        title: "Bitbucket OAuth consumer key",
        gitleaks: &["bitbucket-client-id"],
        keywords: &["bitbucket"],
        severity: Severity::Low,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["bitbucket"],
    value: r"[A-Za-z0-9]{32}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE62, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
