//! X (Twitter) API key, secret or access token.
//!
//! ## What it finds
//!
//! Assigned to a name with `twitter` in it: a consumer key (25 letters and
//! digits), consumer secret (50), access token (`<user id>-` and 20 to 40) or
//! access token secret (45). The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `twitter-api-key`, `twitter-api-secret`, `twitter-access-token`,
//! `twitter-access-secret`.
//!
//! ## Not a finding
//!
//! The same value under a name without `twitter` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Regenerate the keys and tokens in the X developer portal (app → Keys and
//! tokens), remove them from the history, and read them from a secret at run
//! time.

use crate::detect::kit::{BASE62, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "twitter-api-credential",
        title: "X (Twitter) API key, secret or access token",
        gitleaks: &[
            "twitter-api-key",
            "twitter-api-secret",
            "twitter-access-token",
            "twitter-access-secret",
        ],
        keywords: &["twitter"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["twitter"],
    value: r"[0-9]{15,25}-[A-Za-z0-9]{20,40}|[A-Za-z0-9]{50}|[A-Za-z0-9]{45}|[A-Za-z0-9]{25}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(BASE62, 50)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
