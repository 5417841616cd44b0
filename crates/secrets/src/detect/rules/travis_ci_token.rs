//! Travis CI access token.
//!
//! ## What it finds
//!
//! 22 letters and digits assigned to a name with `travis` in it. The random
//! part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `travisci-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `travis` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Regenerate the token in Travis CI account settings, remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "travis-ci-token",
        title: "Travis CI access token",
        gitleaks: &["travisci-access-token"],
        keywords: &["travis"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["travis"],
    value: r"[A-Za-z0-9]{22}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE62, 22)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
