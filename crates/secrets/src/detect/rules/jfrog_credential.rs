//! JFrog API key or identity token.
//!
//! ## What it finds
//!
//! Assigned to a name with `jfrog`, `artifactory`, `bintray` or `xray` in it:
//! 73 letters and digits (API key) or 64 (identity token). The random part must
//! measure at least 3.5 bits of entropy per character.
//!
//! gitleaks: `jfrog-api-key`, `jfrog-identity-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `jfrog`, `artifactory`, `bintray`,
//! `xray` in it, or with the word inside another word (`global` is not `lob`,
//! `sumOfValues` is not `sumo`); references and templates (`${{ secrets.X }}`,
//! `$VAR`, `{{ .Values.x }}`); placeholders (all-same or sequential characters,
//! `EXAMPLE`, `xxxx`, `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the key or token in the JFrog Platform, remove it from the history,
//! and read it from a secret at run time.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "jfrog-credential",
        title: "JFrog API key or identity token",
        gitleaks: &["jfrog-api-key", "jfrog-identity-token"],
        keywords: &["jfrog", "artifactory", "bintray", "xray"],
        severity: Severity::Critical,
        min_entropy: 3.5,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["jfrog", "artifactory", "bintray", "xray"],
    value: r"[A-Za-z0-9]{73}|[A-Za-z0-9]{64}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE62, 64)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
