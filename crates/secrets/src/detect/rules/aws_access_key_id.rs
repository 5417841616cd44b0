//! An AWS access key id.
//!
//! ## What it finds
//!
//! `AKIA` (long-term IAM user key), `ASIA` (temporary STS key), `ABIA`,
//! `ACCA` or `A3T` and one character (early key ids) followed by 16
//! characters of the base32 alphabet (`A-Z`, `2-7`).
//! An id alone does not authenticate, but it names the key to revoke, it is
//! almost always committed next to its secret (see
//! `aws-secret-access-key`), and AWS's own scanners treat it as a leak.
//!
//! gitleaks: `aws-access-token`.
//!
//! ## Not a finding
//!
//! The documentation example `AKIAIOSFODNN7EXAMPLE` (and any id ending in
//! `EXAMPLE`), ids glued to longer words, and lower-case look-alikes.
//!
//! ## Fix
//!
//! Deactivate and delete the key in IAM (`aws iam delete-access-key`), then
//! remove it from the history. In workflows prefer OIDC
//! (`aws-actions/configure-aws-credentials` with `role-to-assume`) to
//! long-lived keys.

use regex::Regex;

use super::pattern;
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "aws-access-key-id",
    title: "AWS access key id",
    gitleaks: &["aws-access-token"],
    keywords: &["akia", "asia", "abia", "acca", "a3t"],
    severity: Severity::High,
    min_entropy: 2.5,
    scope: Scope::LINE,
};

#[derive(Debug)]
pub struct AwsAccessKeyId {
    pattern: Regex,
}

impl AwsAccessKeyId {
    pub fn new() -> Self {
        AwsAccessKeyId {
            pattern: pattern(r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b"),
        }
    }
}

impl Rule for AwsAccessKeyId {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for found in self.pattern.find_iter(text) {
            // AWS documentation's placeholders all end in EXAMPLE.
            if !found.as_str().ends_with("EXAMPLE") {
                hits.push(Hit::new(&INFO, found.start(), found.end(), 4));
            }
        }
    }
}
