//! A Docker Hub personal or organization access token.
//!
//! ## What it finds
//!
//! `dckr_pat_` (personal access token) or `dckr_oat_` (organization access
//! token) followed by at least 27 base64url characters with at least 3.5
//! bits of entropy per character.
//!
//! ## Not a finding
//!
//! The prefix followed by a placeholder (`dckr_pat_XXXXXXXX...`,
//! `dckr_pat_your_token_here`), or by fewer than 27 characters.
//!
//! ## Fix
//!
//! Delete the token (Docker Hub → Account settings → Personal access
//! tokens), remove it from the history, and log in from workflows with
//! `docker/login-action` and a secret.

use regex::Regex;

use super::{ends_cleanly, pattern};
use crate::detect::entropy::shannon;
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "dockerhub-token",
    title: "Docker Hub access token",
    gitleaks: &[],
    keywords: &["dckr_pat_", "dckr_oat_"],
    severity: Severity::High,
    min_entropy: 3.0,
    scope: Scope::LINE,
};

const MIN_ENTROPY: f64 = 3.5;

#[derive(Debug)]
pub struct DockerhubToken {
    pattern: Regex,
}

impl DockerhubToken {
    pub fn new() -> Self {
        DockerhubToken {
            pattern: pattern(r"\bdckr_(?:pat|oat)_([A-Za-z0-9_\-]{27,64})"),
        }
    }
}

impl Rule for DockerhubToken {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.pattern.captures_iter(text) {
            let (Some(whole), Some(random)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            if ends_cleanly(text, whole.end()) && shannon(random.as_str()) >= MIN_ENTROPY {
                hits.push(Hit::new(&INFO, whole.start(), whole.end(), 9));
            }
        }
    }
}
