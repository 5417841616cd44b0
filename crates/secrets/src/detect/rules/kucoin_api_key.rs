//! KuCoin API key or secret.
//!
//! ## What it finds
//!
//! Assigned to a name with `kucoin` in it: 24 hex digits (API key) or a UUID
//! (API secret). The random part must measure at least 3.0 bits of entropy per
//! character.
//!
//! gitleaks: `kucoin-access-token`, `kucoin-secret-key`.
//!
//! ## Not a finding
//!
//! The same value under a name without `kucoin` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Delete the API key in KuCoin (API Management), remove it from the history,
//! and read it from a secret at run time.

use crate::detect::kit::{KeyedRule, KeyedSpec, UUID_V4};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "kucoin-api-key",
        title: "KuCoin API key or secret",
        gitleaks: &["kucoin-access-token", "kucoin-secret-key"],
        keywords: &["kucoin"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["kucoin"],
    value: r"[a-f0-9]{24}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    public_prefix: 0,
    validate: None,
    fake: UUID_V4,
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
