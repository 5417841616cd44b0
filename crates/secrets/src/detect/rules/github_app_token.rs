//! A GitHub App token: installation (server-to-server, `ghs_`) or
//! user-to-server (`ghu_`).
//!
//! ## What it finds
//!
//! `ghs_` or `ghu_`, 30 random base62 characters and their six-character
//! base62 CRC32, the format GitHub documents for these tokens. The checksum
//! is verified. Installation tokens expire after an hour, but a leaked one
//! is usable until then, and its presence shows a pipeline that writes
//! tokens where it should not.
//!
//! gitleaks: `github-app-token`.
//!
//! ## Not a finding
//!
//! The right shape with a wrong checksum; a longer word containing the
//! prefix.
//!
//! ## Fix
//!
//! Revoke it (`DELETE /installation/token` with the token, or uninstall and
//! reinstall the app for user tokens), remove it from the history, and find
//! the step that wrote it (often a debug `echo` or an artifact).

use regex::Regex;

use super::{checksummed_tokens, pattern};
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "github-app-token",
    title: "GitHub App installation or user-to-server token",
    gitleaks: &["github-app-token"],
    keywords: &["ghs_", "ghu_"],
    severity: Severity::High,
    min_entropy: 0.0,
    scope: Scope::LINE,
};

#[derive(Debug)]
pub struct GithubAppToken {
    pattern: Regex,
}

impl GithubAppToken {
    pub fn new() -> Self {
        GithubAppToken {
            pattern: pattern(r"\bgh[su]_([0-9A-Za-z]{36})\b"),
        }
    }
}

impl Rule for GithubAppToken {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        checksummed_tokens(&INFO, &self.pattern, 4, text, hits);
    }
}
