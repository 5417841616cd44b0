//! Codecov upload or API token.
//!
//! ## What it finds
//!
//! A UUID (upload token) or 32 letters and digits (API token) assigned to a
//! name with `codecov` in it. The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `codecov-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `codecov` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Regenerate the token in the repository's or organization's Codecov settings,
//! remove it from the history; public repositories can upload without a token.

use crate::detect::kit::{KeyedRule, KeyedSpec, UUID_V4};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "codecov-token",
        title: "Codecov upload or API token",
        gitleaks: &["codecov-access-token"],
        keywords: &["codecov"],
        severity: Severity::Medium,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["codecov"],
    value: r"[A-Za-z0-9]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    public_prefix: 0,
    validate: None,
    fake: UUID_V4,
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
