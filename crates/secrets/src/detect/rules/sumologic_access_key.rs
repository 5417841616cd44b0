//! Sumo Logic access key.
//!
//! ## What it finds
//!
//! 64 letters and digits assigned to a name with `sumo` in it. The random part
//! must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `sumologic-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `sumo` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Delete the access key in Sumo Logic (Administration → Security → Access
//! Keys), remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "sumologic-access-key",
        title: "Sumo Logic access key",
        gitleaks: &["sumologic-access-token"],
        keywords: &["sumo"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["sumo"],
    value: r"[A-Za-z0-9]{64}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE62, 64)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
