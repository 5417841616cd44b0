//! MessageBird (Bird) API key.
//!
//! ## What it finds
//!
//! 25 letters and digits assigned to a name with `messagebird` in it. The
//! random part must measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `messagebird-api-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `messagebird`, `message-bird`,
//! `message_bird` in it, or with the word inside another word (`global` is not
//! `lob`, `sumOfValues` is not `sumo`); references and templates (`${{
//! secrets.X }}`, `$VAR`, `{{ .Values.x }}`); placeholders (all-same or
//! sequential characters, `EXAMPLE`, `xxxx`, `your-key-here`); values of
//! another length or alphabet.
//!
//! ## Fix
//!
//! Delete the key in the MessageBird dashboard (Developers → API access),
//! remove it from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "messagebird-api-key",
        title: "MessageBird (Bird) API key",
        gitleaks: &["messagebird-api-token"],
        keywords: &["messagebird", "message-bird", "message_bird"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["messagebird", "message-bird", "message_bird"],
    value: r"[A-Za-z0-9]{25}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE62, 25)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
