//! Discord application id.
//!
//! ## What it finds
//!
//! A snowflake (17 to 19 digits) assigned to a name with `discord` in it. Not
//! secret by itself; reported (low) because the client secret is usually next
//! to it. The random part must measure at least 2.5 bits of entropy per
//! character.
//!
//! gitleaks: `discord-client-id`.
//!
//! ## Not a finding
//!
//! The same value under a name without `discord` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Nothing to rotate by itself; check that the client secret next to it is not
//! committed too.

use crate::detect::kit::{DIGITS, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "discord-client-id",
        title: "Discord application id",
        gitleaks: &["discord-client-id"],
        keywords: &["discord"],
        severity: Severity::Low,
        min_entropy: 2.5,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["discord"],
    value: r"[0-9]{17,19}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(DIGITS, 18)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
