//! FreshBooks access token.
//!
//! ## What it finds
//!
//! 64 letters and digits assigned to a name with `freshbooks` in it. The random
//! part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `freshbooks-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `freshbooks` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the token in the FreshBooks developer portal, remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "freshbooks-access-token",
        title: "FreshBooks access token",
        gitleaks: &["freshbooks-access-token"],
        keywords: &["freshbooks"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["freshbooks"],
    value: r"[A-Za-z0-9]{64}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(HEX, 64)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
