//! Sidekiq Pro/Enterprise license credentials.
//!
//! ## What it finds
//!
//! `xxxxxxxx:xxxxxxxx` (hex) assigned to `BUNDLE_ENTERPRISE__CONTRIBSYS__COM`
//! or `BUNDLE_GEMS__CONTRIBSYS__COM`: the Bundler credentials for Sidekiq's
//! private gem server. The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `sidekiq-secret`.
//!
//! ## Not a finding
//!
//! The same value under a name without `bundle_enterprise__contribsys__com`,
//! `bundle_gems__contribsys__com` in it, or with the word inside another word
//! (`global` is not `lob`, `sumOfValues` is not `sumo`); references and
//! templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`); placeholders
//! (all-same or sequential characters, `EXAMPLE`, `xxxx`, `your-key-here`);
//! values of another length or alphabet.
//!
//! ## Fix
//!
//! Ask Contributed Systems to rotate the credentials, remove them from the
//! history, and set the variable from a secret at run time.

use crate::detect::kit::{HEX, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "sidekiq-secret",
        title: "Sidekiq Pro/Enterprise license credentials",
        gitleaks: &["sidekiq-secret"],
        keywords: &[
            "bundle_enterprise__contribsys__com",
            "bundle_gems__contribsys__com",
        ],
        severity: Severity::High,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &[
        "bundle_enterprise__contribsys__com",
        "bundle_gems__contribsys__com",
    ],
    value: r"[a-f0-9]{8}:[a-f0-9]{8}",
    public_prefix: 0,
    validate: None,
    fake: &[Part::Rand(HEX, 8), Part::Lit(":"), Part::Rand(HEX, 8)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
