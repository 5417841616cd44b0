//! Linear OAuth client secret.
//!
//! ## What it finds
//!
//! 32 hex digits assigned to a name with `linear` in it. The random part must
//! measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `linear-client-secret`.
//!
//! ## Not a finding
//!
//! The same value under a name without `linear` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Rotate the client secret of the OAuth application in Linear, remove it from
//! the history, and read it from a secret at run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "linear-client-secret",
        title: "Linear OAuth client secret",
        gitleaks: &["linear-client-secret"],
        keywords: &["linear"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["linear"],
    value: r"[a-f0-9]{32}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(HEX, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
