//! Drone CI access token.
//!
//! ## What it finds
//!
//! 32 letters and digits assigned to a name with `droneci` (or `drone_ci`,
//! `drone-ci`) in it. The random part must measure at least 3.0 bits of entropy
//! per character.
//!
//! gitleaks: `droneci-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `droneci`, `drone_ci`, `drone-ci` in it,
//! or with the word inside another word (`global` is not `lob`, `sumOfValues`
//! is not `sumo`); references and templates (`${{ secrets.X }}`, `$VAR`, `{{
//! .Values.x }}`); placeholders (all-same or sequential characters, `EXAMPLE`,
//! `xxxx`, `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Rotate the token in the Drone user settings, remove it from the history, and
//! read it from a secret at run time.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "droneci-token",
        title: "Drone CI access token",
        gitleaks: &["droneci-access-token"],
        keywords: &["droneci", "drone_ci", "drone-ci"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["droneci", "drone_ci", "drone-ci"],
    value: r"[A-Za-z0-9]{32}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE62, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
