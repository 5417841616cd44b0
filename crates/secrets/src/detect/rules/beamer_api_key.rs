//! Beamer API key.
//!
//! ## What it finds
//!
//! `b_` and 44 characters assigned to a name with `beamer` in it. The random
//! part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `beamer-api-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `beamer` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Regenerate the key in Beamer (Settings → API), remove it from the history,
//! and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "beamer-api-key",
        title: "Beamer API key",
        gitleaks: &["beamer-api-token"],
        keywords: &["beamer"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["beamer"],
    value: r"b_[A-Za-z0-9=_\-]{44}",
    public_prefix: 2,
    validate: None,
    fake: &[Part::Lit("b_"), Part::Rand(BASE64URL, 44)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
