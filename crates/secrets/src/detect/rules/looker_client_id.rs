//! Looker client id.
//!
//! ## What it finds
//!
//! 20 letters and digits assigned to a name with `looker` in it. Not secret by
//! itself; reported (low). The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `looker-client-id`.
//!
//! ## Not a finding
//!
//! The same value under a name without `looker` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Nothing to rotate by itself; check that the client secret next to it is not
//! committed too.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "looker-client-id",
        title: "Looker client id",
        gitleaks: &["looker-client-id"],
        keywords: &["looker"],
        severity: Severity::Low,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["looker"],
    value: r"[A-Za-z0-9]{20}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE62, 20)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
