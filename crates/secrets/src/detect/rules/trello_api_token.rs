//! Trello API key or token.
//!
//! ## What it finds
//!
//! 32 (API key) or 64 (token) letters and digits assigned to a name with
//! `trello` in it. The random part must measure at least 3.0 bits of entropy
//! per character.
//!
//! gitleaks: `trello-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `trello` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the token in Trello (Account → Applications), remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "trello-api-token",
        title: "Trello API key or token",
        gitleaks: &["trello-access-token"],
        keywords: &["trello"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["trello"],
    value: r"[A-Za-z0-9]{64}|[A-Za-z0-9]{32}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(HEX, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
