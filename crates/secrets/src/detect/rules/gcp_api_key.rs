//! A Google API key.
//!
//! ## What it finds
//!
//! `AIza` followed by 35 characters of `A-Z a-z 0-9 _ -`, the format of
//! every Google Cloud and Firebase API key. Keys meant for browsers
//! (Firebase web configuration) are public by design only when they are
//! restricted by referrer and API; the scanner cannot tell, so they are
//! reported and can be allowlisted with a reason in the baseline.
//!
//! gitleaks: `gcp-api-key`.
//!
//! ## Not a finding
//!
//! Shorter or longer strings with the prefix, and `AIza` glued to a longer
//! word.
//!
//! ## Fix
//!
//! Delete or rotate the key (Google Cloud console → APIs & Services →
//! Credentials), restrict its replacement to the APIs and referrers it
//! needs, and load it from a secret.

use regex::Regex;

use super::{ends_cleanly, pattern};
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "gcp-api-key",
    title: "Google API key",
    gitleaks: &["gcp-api-key"],
    keywords: &["aiza"],
    severity: Severity::High,
    min_entropy: 3.5,
    scope: Scope::LINE,
};

#[derive(Debug)]
pub struct GcpApiKey {
    pattern: Regex,
}

impl GcpApiKey {
    pub fn new() -> Self {
        GcpApiKey {
            pattern: pattern(r"\bAIza[0-9A-Za-z_\-]{35}"),
        }
    }
}

impl Rule for GcpApiKey {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for found in self.pattern.find_iter(text) {
            if ends_cleanly(text, found.end()) {
                hits.push(Hit::new(&INFO, found.start(), found.end(), 4));
            }
        }
    }
}
