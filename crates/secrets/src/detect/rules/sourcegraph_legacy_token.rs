//! Sourcegraph access token (before `sgp_`).
//!
//! ## What it finds
//!
//! 40 hex digits assigned to a name with `sourcegraph` in it. The random part
//! must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `sourcegraph-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `sourcegraph` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Delete the token in Sourcegraph (Settings → Access tokens), remove it from
//! the history, and read it from a secret at run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "sourcegraph-legacy-token",
        title: "Sourcegraph access token (before `sgp_`)",
        gitleaks: &["sourcegraph-access-token"],
        keywords: &["sourcegraph"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["sourcegraph"],
    value: r"[a-fA-F0-9]{40}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(HEX, 40)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
