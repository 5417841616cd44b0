//! Asana client secret.
//!
//! ## What it finds
//!
//! 32 letters and digits assigned to a name with `asana` in it. The random part
//! must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `asana-client-secret`.
//!
//! ## Not a finding
//!
//! The same value under a name without `asana` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Reset the client secret in the Asana developer console, remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{KeyedRule, KeyedSpec, LOWER_ALNUM, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "asana-client-secret",
        title: "Asana client secret",
        gitleaks: &["asana-client-secret"],
        keywords: &["asana"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["asana"],
    value: r"[A-Za-z0-9]{32}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(LOWER_ALNUM, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
