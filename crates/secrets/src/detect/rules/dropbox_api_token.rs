//! Dropbox access token or app key.
//!
//! ## What it finds
//!
//! Assigned to a name with `dropbox` in it: a short-lived access token (`sl.`
//! and 130 or more characters), a long-lived one (11 characters, ten `A`s, 43
//! characters) or an app key (15 letters and digits). The random part must
//! measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `dropbox-api-token`, `dropbox-short-lived-api-token`,
//! `dropbox-long-lived-api-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `dropbox` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Revoke the token (`/2/auth/token/revoke`) or the app's access in the Dropbox
//! App Console, remove it from the history, and read it from a secret at run
//! time.

use crate::detect::kit::{BASE64URL, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "dropbox-api-token",
        title: "Dropbox access token or app key",
        gitleaks: &[
            "dropbox-api-token",
            "dropbox-short-lived-api-token",
            "dropbox-long-lived-api-token",
        ],
        keywords: &["dropbox"],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["dropbox"],
    value: r"sl\.[A-Za-z0-9_=\-.]{130,1400}|[A-Za-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_=\-]{43}|[A-Za-z0-9]{15}",
    public_prefix: 3,
    validate: None,
    fake: &[Part::Lit("sl."), Part::Rand(BASE64URL, 140)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
