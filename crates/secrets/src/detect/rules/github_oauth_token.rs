//! A GitHub OAuth access token (`gho_`) or GitHub App refresh token
//! (`ghr_`).
//!
//! ## What it finds
//!
//! `gho_` or `ghr_`, 30 random base62 characters and their six-character
//! base62 CRC32. The checksum is verified.
//!
//! gitleaks: `github-oauth`, `github-refresh-token`.
//!
//! ## Not a finding
//!
//! The right shape with a wrong checksum. Refresh tokens minted in a longer
//! format than 36 characters after the prefix are not matched: GitHub has
//! not published how their checksum is computed, and this rule only reports
//! what it can verify.
//!
//! ## Fix
//!
//! Revoke the OAuth grant (Settings → Applications → Authorized OAuth Apps,
//! or the app's `DELETE /applications/{client_id}/token` endpoint), remove
//! the token from the history.

use regex::Regex;

use super::{checksummed_tokens, pattern};
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "github-oauth-token",
    title: "GitHub OAuth access token or refresh token",
    gitleaks: &["github-oauth", "github-refresh-token"],
    keywords: &["gho_", "ghr_"],
    severity: Severity::Critical,
    min_entropy: 0.0,
    scope: Scope::LINE,
};

#[derive(Debug)]
pub struct GithubOauthToken {
    pattern: Regex,
}

impl GithubOauthToken {
    pub fn new() -> Self {
        GithubOauthToken {
            pattern: pattern(r"\bgh[or]_([0-9A-Za-z]{36})\b"),
        }
    }
}

impl Rule for GithubOauthToken {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        checksummed_tokens(&INFO, &self.pattern, 4, text, hits);
    }
}
