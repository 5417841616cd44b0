//! Adafruit IO key.
//!
//! ## What it finds
//!
//! 32 characters of `A-Za-z0-9_-` assigned to a name with `adafruit` in it
//! (Adafruit IO keys, `aio_…`). The random part must measure at least 3.0 bits
//! of entropy per character.
//!
//! gitleaks: `adafruit-api-key`.
//!
//! ## Not a finding
//!
//! The same value under a name without `adafruit` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Regenerate the key at io.adafruit.com (My Key), remove it from the history,
//! and read it from a secret at run time.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "adafruit-api-key",
        title: "Adafruit IO key",
        gitleaks: &["adafruit-api-key"],
        keywords: &["adafruit"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["adafruit"],
    value: r"[A-Za-z0-9_\-]{32}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Lit("aio_"), Part::Rand(BASE62, 28)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
