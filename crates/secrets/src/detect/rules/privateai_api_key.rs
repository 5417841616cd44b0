//! Private AI API key.
//!
//! ## What it finds
//!
//! 32 letters and digits assigned to a name with `privateai` (or `private_ai`,
//! `private-ai`) in it. The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `privateai-api-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `privateai`, `private_ai`, `private-ai`
//! in it, or with the word inside another word (`global` is not `lob`,
//! `sumOfValues` is not `sumo`); references and templates (`${{ secrets.X }}`,
//! `$VAR`, `{{ .Values.x }}`); placeholders (all-same or sequential characters,
//! `EXAMPLE`, `xxxx`, `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Rotate the key in the Private AI portal, remove it from the history, and
//! read it from a secret at run time.

use crate::detect::kit::{KeyedRule, KeyedSpec, LOWER_ALNUM, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "privateai-api-key",
        title: "Private AI API key",
        gitleaks: &["privateai-api-token"],
        keywords: &["privateai", "private_ai", "private-ai"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["privateai", "private_ai", "private-ai"],
    value: r"[A-Za-z0-9]{32}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(LOWER_ALNUM, 32)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
