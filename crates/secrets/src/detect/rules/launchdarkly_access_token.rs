//! LaunchDarkly access token or SDK key.
//!
//! ## What it finds
//!
//! Assigned to a name with `launchdarkly` in it: `api-`, `sdk-` or `mob-` and a
//! UUID, or 40 characters. The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `launchdarkly-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `launchdarkly` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Reset the token or key in LaunchDarkly (Account settings → Authorization /
//! environment keys), remove it from the history, and read it from a secret at
//! run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "launchdarkly-access-token",
        title: "LaunchDarkly access token or SDK key",
        gitleaks: &["launchdarkly-access-token"],
        keywords: &["launchdarkly"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["launchdarkly"],
    value: r"(?:api|sdk|mob)-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[A-Za-z0-9=_\-]{40}",
    public_prefix: 0,
    validate: None,
    fake: &[
        Part::Lit("api-"),
        Part::Rand(HEX, 8),
        Part::Lit("-"),
        Part::Rand(HEX, 4),
        Part::Lit("-4"),
        Part::Rand(HEX, 3),
        Part::Lit("-a"),
        Part::Rand(HEX, 3),
        Part::Lit("-"),
        Part::Rand(HEX, 12),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
