//! Kraken API key.
//!
//! ## What it finds
//!
//! 80 to 90 base64 characters assigned to a name with `kraken` in it. The
//! random part must measure at least 4.0 bits of entropy per character.
//!
//! gitleaks: `kraken-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `kraken` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Delete the key in Kraken (Settings → API), remove it from the history, and
//! read it from a secret at run time.

use crate::detect::kit::{BASE64, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "kraken-api-key",
        title: "Kraken API key",
        gitleaks: &["kraken-access-token"],
        keywords: &["kraken"],
        severity: Severity::Critical,
        min_entropy: 4.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["kraken"],
    value: r"[A-Za-z0-9/=_+\-]{80,90}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE64, 88)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
