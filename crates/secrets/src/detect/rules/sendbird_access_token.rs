//! Sendbird API token.
//!
//! ## What it finds
//!
//! 40 hex digits assigned to a name with `sendbird` in it. The random part must
//! measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `sendbird-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `sendbird` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the token in the Sendbird dashboard (Settings → General → API
//! tokens), remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "sendbird-access-token",
        title: "Sendbird API token",
        gitleaks: &["sendbird-access-token"],
        keywords: &["sendbird"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["sendbird"],
    value: r"[a-f0-9]{40}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(HEX, 40)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
