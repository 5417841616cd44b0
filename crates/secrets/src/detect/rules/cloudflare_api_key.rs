//! Cloudflare API key or token.
//!
//! ## What it finds
//!
//! Assigned to a name with `cloudflare` in it: a Global API Key (37 hex digits)
//! or an API token (40 characters of `A-Za-z0-9_-`). The random part must
//! measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `cloudflare-global-api-key`, `cloudflare-api-key`.
//!
//! ## Not a finding
//!
//! The same value under a name without `cloudflare` in it, or with the word
//! inside another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Roll the Global API Key or delete the token in the Cloudflare dashboard (My
//! Profile → API Tokens), remove it from the history, and read it from a secret
//! at run time.

use crate::detect::kit::{BASE64URL, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "cloudflare-api-key",
        title: "Cloudflare API key or token",
        gitleaks: &["cloudflare-global-api-key", "cloudflare-api-key"],
        keywords: &["cloudflare"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["cloudflare"],
    value: r"[a-f0-9]{37}|[A-Za-z0-9_\-]{40}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE64URL, 40)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
