//! An npm access token.
//!
//! ## What it finds
//!
//! - `npm_`, 30 random base62 characters and their six-character base62
//!   CRC32 (npm adopted GitHub's token format in 2021); the checksum is
//!   verified.
//! - A legacy UUID token in an `.npmrc` auth line:
//!   `//registry.npmjs.org/:_authToken=xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`
//!   (any registry host).
//!
//! gitleaks: `npm-access-token`.
//!
//! ## Not a finding
//!
//! `npm_` tokens with a wrong checksum; `_authToken=${NPM_TOKEN}` (an
//! environment reference, which is how `.npmrc` should hold it).
//!
//! ## Fix
//!
//! Revoke the token (`npm token revoke`, or npmjs.com → Access Tokens),
//! remove it from the history, and write `.npmrc` with
//! `_authToken=${NPM_TOKEN}` and the token in a secret.

use regex::Regex;

use super::{checksummed_tokens, ends_cleanly, pattern};
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "npm-token",
    title: "npm access token",
    gitleaks: &["npm-access-token"],
    keywords: &["npm_", "_authtoken"],
    severity: Severity::Critical,
    min_entropy: 0.0,
    scope: Scope::LINE,
};

#[derive(Debug)]
pub struct NpmToken {
    modern: Regex,
    legacy: Regex,
}

impl NpmToken {
    pub fn new() -> Self {
        NpmToken {
            modern: pattern(r"\bnpm_([0-9A-Za-z]{36})\b"),
            legacy: pattern(
                r"(?i):_authToken\s*=\s*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
            ),
        }
    }
}

impl Rule for NpmToken {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        checksummed_tokens(&INFO, &self.modern, 4, text, hits);
        for caps in self.legacy.captures_iter(text) {
            if let Some(value) = caps.get(1)
                && ends_cleanly(text, value.end())
            {
                hits.push(Hit::new(&INFO, value.start(), value.end(), 0));
            }
        }
    }
}
