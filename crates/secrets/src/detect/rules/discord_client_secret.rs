//! Discord API key or client secret.
//!
//! ## What it finds
//!
//! Assigned to a name with `discord` in it: 64 hex digits (public key/API key)
//! or 32 characters (OAuth2 client secret). The random part must measure at
//! least 3.0 bits of entropy per character.
//!
//! gitleaks: `discord-api-token`, `discord-client-secret`.
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
//! Reset the secret in the Discord Developer Portal (OAuth2), remove it from
//! the history, and read it from a secret at run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "discord-client-secret",
        title: "Discord API key or client secret",
        gitleaks: &["discord-api-token", "discord-client-secret"],
        keywords: &["discord"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["discord"],
    value: r"[a-f0-9]{64}|[A-Za-z0-9=_\-]{32}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(HEX, 64)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
