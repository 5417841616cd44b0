//! Mapbox access token.
//!
//! ## What it finds
//!
//! `pk.` (public), `sk.` (secret) or `tk.` (temporary) and two dot-separated
//! parts, assigned to a name with `mapbox` in it. Public tokens are meant for
//! browsers but are still worth scoping by URL. The random part must measure at
//! least 3.0 bits of entropy per character.
//!
//! gitleaks: `mapbox-api-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `mapbox` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Delete or rotate the token in Mapbox (Account → Tokens), remove it from the
//! history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "mapbox-access-token",
        title: "Mapbox access token",
        gitleaks: &["mapbox-api-token"],
        keywords: &["mapbox"],
        severity: Severity::Medium,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["mapbox"],
    value: r"(?:pk|sk|tk)\.[A-Za-z0-9_\-]{50,}\.[A-Za-z0-9_\-]{20,24}",
    public_prefix: 3,
    validate: None,
    fake: &[
        Part::Lit("sk."),
        Part::Rand(BASE64URL, 60),
        Part::Lit("."),
        Part::Rand(BASE64URL, 22),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
