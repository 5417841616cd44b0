//! A GitHub classic personal access token.
//!
//! ## What it finds
//!
//! `ghp_` followed by 30 random base62 characters and a six-character
//! base62 CRC32 of those 30 characters (GitHub's token format since 2021).
//! The checksum is verified.
//!
//! gitleaks: `github-pat`.
//!
//! ## Not a finding
//!
//! Strings of the right shape whose checksum is wrong (hand-typed examples,
//! truncated or altered tokens), and `ghp_` glued to a longer word.
//!
//! ## Fix
//!
//! Revoke the token (GitHub → Settings → Developer settings → Personal
//! access tokens), then remove it from the history. In workflows use
//! `${{ secrets.GITHUB_TOKEN }}` or a fine-grained token stored as a secret.

use regex::Regex;

use super::{checksummed_tokens, pattern};
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "github-pat-classic",
    title: "GitHub classic personal access token",
    gitleaks: &["github-pat"],
    keywords: &["ghp_"],
    severity: Severity::Critical,
    min_entropy: 0.0,
    scope: Scope::LINE,
};

#[derive(Debug)]
pub struct GithubPatClassic {
    pattern: Regex,
}

impl GithubPatClassic {
    pub fn new() -> Self {
        GithubPatClassic {
            pattern: pattern(r"\bghp_([0-9A-Za-z]{36})\b"),
        }
    }
}

impl Rule for GithubPatClassic {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        checksummed_tokens(&INFO, &self.pattern, 4, text, hits);
    }
}
