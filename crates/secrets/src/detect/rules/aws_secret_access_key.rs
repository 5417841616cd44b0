//! An AWS secret access key.
//!
//! ## What it finds
//!
//! A 40-character value of the base64 alphabet that
//!
//! - is assigned to a name that says it is one (`aws_secret_access_key`,
//!   `AWS_SECRET_KEY`, `SecretAccessKey`, `secret_key` in an AWS
//!   credentials file...), with `=`, `:` or `=>`, quoted or not; or
//! - appears within 512 bytes of an AWS access key id (`AKIA...`/`ASIA...`),
//!   the way `aws configure` files and leaked CSVs hold the pair.
//!
//! Either way the value must look random: upper and lower case letters and
//! digits, at most five `/` or `+` (paths have more), at least 4 bits of
//! entropy per character, and no run of 4 identical characters.
//!
//! ## Not a finding
//!
//! The documentation example (`wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`),
//! 40-character hex strings (git commit SHAs, SHA-1 digests) next to a key
//! id, references such as `${{ secrets.AWS_SECRET_ACCESS_KEY }}` or
//! `$AWS_SECRET_ACCESS_KEY`.
//!
//! ## Fix
//!
//! Deactivate and delete the key pair in IAM, remove it from the history,
//! and move the workflow to OIDC (`role-to-assume`).

use regex::Regex;

use super::{ends_cleanly, pattern};
use crate::detect::entropy::{Classes, has_run, shannon};
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "aws-secret-access-key",
    title: "AWS secret access key",
    gitleaks: &[],
    keywords: &[
        "akia",
        "asia",
        "secret_access_key",
        "secretaccesskey",
        "aws_secret",
        "secret_key",
    ],
    severity: Severity::Critical,
    min_entropy: 0.0,
    scope: Scope::Text,
};

/// 40 random base64 characters measure about 5 bits each; English-like
/// placeholders stay under 4.
const MIN_ENTROPY: f64 = 4.0;

/// How far from a key id a bare 40-character value still counts as its
/// secret: a credentials file or CSV row keeps them within a line or two.
const PAIR_DISTANCE: usize = 512;

#[derive(Debug)]
pub struct AwsSecretAccessKey {
    named: Regex,
    key_id: Regex,
    bare: Regex,
}

impl AwsSecretAccessKey {
    pub fn new() -> Self {
        AwsSecretAccessKey {
            named: pattern(
                r#"(?i)(?:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key|aws_?secret|\bsecret_key)["']?\s*(?:=>|:=|=|:)\s*["']?([A-Za-z0-9/+]{40})"#,
            ),
            key_id: pattern(r"\b(?:AKIA|ASIA)[A-Z2-7]{16}\b"),
            bare: pattern(r"(?:^|[^A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?:$|[^A-Za-z0-9/+=])"),
        }
    }
}

fn looks_like_a_secret_key(value: &str) -> bool {
    let classes = Classes::of(value);
    // Random base64 has about one `/` or `+` in 40 characters; paths have many.
    let separators = value.bytes().filter(|b| matches!(b, b'/' | b'+')).count();
    classes.lower
        && classes.upper
        && classes.digit
        && separators <= 5
        && shannon(value) >= MIN_ENTROPY
        && !has_run(value, 4)
        && !value.contains("EXAMPLE")
}

impl Rule for AwsSecretAccessKey {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        let mut found: Vec<(usize, usize)> = Vec::new();
        for caps in self.named.captures_iter(text) {
            if let Some(value) = caps.get(1)
                && ends_cleanly(text, value.end())
                && !text[value.end()..].starts_with(['/', '+', '='])
                && looks_like_a_secret_key(value.as_str())
            {
                found.push((value.start(), value.end()));
            }
        }
        for id in self.key_id.find_iter(text) {
            let mut from = id.start().saturating_sub(PAIR_DISTANCE);
            let mut to = (id.end() + PAIR_DISTANCE).min(text.len());
            while !text.is_char_boundary(from) {
                from -= 1;
            }
            while !text.is_char_boundary(to) {
                to += 1;
            }
            for caps in self.bare.captures_iter(&text[from..to]) {
                // The window may start inside a longer string: look at the
                // byte before the value in the whole text.
                if let Some(value) = caps.get(1)
                    && !text[..from + value.start()]
                        .ends_with(|c: char| c.is_ascii_alphanumeric() || c == '/' || c == '+')
                    && looks_like_a_secret_key(value.as_str())
                {
                    found.push((from + value.start(), from + value.end()));
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        for (start, end) in found {
            hits.push(Hit::new(&INFO, start, end, 0));
        }
    }
}
