//! Atlassian API token (24 characters).
//!
//! ## What it finds
//!
//! 24 letters and digits (the last four hex) assigned to a name with
//! `atlassian`, `confluence` or `jira` in it: API tokens issued before the
//! `ATATT3` format. The random part must measure at least 3.5 bits of entropy
//! per character.
//!
//! gitleaks: `atlassian-api-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `atlassian`, `confluence`, `jira` in it,
//! or with the word inside another word (`global` is not `lob`, `sumOfValues`
//! is not `sumo`); references and templates (`${{ secrets.X }}`, `$VAR`, `{{
//! .Values.x }}`); placeholders (all-same or sequential characters, `EXAMPLE`,
//! `xxxx`, `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the token at id.atlassian.com/manage-profile/security/api-tokens,
//! remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "atlassian-legacy-api-token",
        title: "Atlassian API token (24 characters)",
        gitleaks: &["atlassian-api-token"],
        keywords: &["atlassian", "confluence", "jira"],
        severity: Severity::High,
        min_entropy: 3.5,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["atlassian", "confluence", "jira"],
    value: r"[A-Za-z0-9]{20}[A-Fa-f0-9]{4}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE62, 20), Part::Rand(HEX, 4)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
