//! Alibaba Cloud AccessKey secret.
//!
//! ## What it finds
//!
//! 30 letters and digits assigned to a name with `alibaba` in it (an AccessKey
//! secret). The random part must measure at least 3.0 bits of entropy per
//! character.
//!
//! gitleaks: `alibaba-secret-key`.
//!
//! ## Not a finding
//!
//! The same value under a name without `alibaba` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Disable the AccessKey pair in the RAM console, remove it from the history,
//! and use RAM roles or STS tokens at run time.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "alibaba-secret-key",
        title: "Alibaba Cloud AccessKey secret",
        gitleaks: &["alibaba-secret-key"],
        keywords: &["alibaba"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["alibaba"],
    value: r"[A-Za-z0-9]{30}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE62, 30)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
