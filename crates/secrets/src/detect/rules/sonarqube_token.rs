//! SonarQube or SonarCloud token.
//!
//! ## What it finds
//!
//! Assigned to a name with `sonar` in it (`SONAR_TOKEN`, `sonar.login`): `squ_`
//! (user), `sqp_` (project) or `sqa_` (global analysis) and 40 characters, or
//! 40 characters alone. The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `sonar-api-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `sonar` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the token in SonarQube/SonarCloud (My Account → Security), remove it
//! from the history, and read it from a secret at run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "sonarqube-token",
        title: "SonarQube or SonarCloud token",
        gitleaks: &["sonar-api-token"],
        keywords: &["sonar"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["sonar"],
    value: r"(?:sq[upa]_)?[A-Za-z0-9=_\-]{40}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Lit("squ_"), Part::Rand(HEX, 40)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
