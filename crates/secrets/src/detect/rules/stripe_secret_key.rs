//! A Stripe secret or restricted API key.
//!
//! ## What it finds
//!
//! `sk_live_`, `rk_live_`, `sk_prod_`, `rk_prod_` (live mode: severity
//! critical) and `sk_test_`, `rk_test_` (test mode: it moves no money but
//! reads and writes the test account, severity medium) followed by 20 or
//! more base62 characters (keys have had 24 and, since 2023, 99 or more).
//!
//! gitleaks: `stripe-access-token`.
//!
//! ## Not a finding
//!
//! Publishable keys (`pk_live_`, `pk_test_`), which Stripe designs to be
//! embedded in web pages; placeholders (`sk_live_xxxxxxxx...`: the random
//! part needs 3.5 bits of entropy per character); the prefix glued to a
//! longer word.
//!
//! ## Fix
//!
//! Roll the key (Stripe dashboard → Developers → API keys → Roll key),
//! remove it from the history, and keep the new one in a secret.

use regex::Regex;

use super::{ends_cleanly, pattern};
use crate::detect::entropy::shannon;
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "stripe-secret-key",
    title: "Stripe secret or restricted API key",
    gitleaks: &["stripe-access-token"],
    keywords: &[
        "sk_live_", "rk_live_", "sk_test_", "rk_test_", "sk_prod_", "rk_prod_",
    ],
    severity: Severity::Critical,
    min_entropy: 3.0,
    scope: Scope::LINE,
};

const MIN_ENTROPY: f64 = 3.5;

#[derive(Debug)]
pub struct StripeSecretKey {
    pattern: Regex,
}

impl StripeSecretKey {
    pub fn new() -> Self {
        StripeSecretKey {
            pattern: pattern(r"\b[rs]k_(live|test|prod)_([0-9A-Za-z]{20,247})"),
        }
    }
}

impl Rule for StripeSecretKey {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.pattern.captures_iter(text) {
            let (Some(whole), Some(mode), Some(random)) = (caps.get(0), caps.get(1), caps.get(2))
            else {
                continue;
            };
            if !ends_cleanly(text, whole.end()) || shannon(random.as_str()) < MIN_ENTROPY {
                continue;
            }
            let mut hit = Hit::new(&INFO, whole.start(), whole.end(), 8);
            if mode.as_str() == "test" {
                hit = hit.with_severity(Severity::Medium);
            }
            hits.push(hit);
        }
    }
}
