//! Sumo Logic access id.
//!
//! ## What it finds
//!
//! `su` and 12 letters and digits assigned to a name with `sumo` in it
//! (`SUMO_ACCESS_ID`, `sumologic.accessId`). The id names a key; reported
//! (low). The random part must measure at least 3.0 bits of entropy per
//! character.
//!
//! gitleaks: `sumologic-access-id`.
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
//! Nothing to rotate by itself; check that the access key next to it is not
//! committed too.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "sumologic-access-id",
        title: "Sumo Logic access id",
        gitleaks: &["sumologic-access-id"],
        keywords: &["sumo"],
        severity: Severity::Low,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["sumo"],
    value: r"su[A-Za-z0-9]{12}",
    public_prefix: 2,
    validate: None,
    fake: &[Part::Lit("su"), Part::Rand(BASE62, 12)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
