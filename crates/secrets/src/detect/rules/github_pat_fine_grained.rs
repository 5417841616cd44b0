//! A GitHub fine-grained personal access token.
//!
//! ## What it finds
//!
//! `github_pat_`, 22 base62 characters, `_`, 59 base62 characters: the
//! exact shape GitHub issues. GitHub has not published how the checksum in
//! this format is computed, so the rule checks shape and randomness instead:
//! the 81 characters must have at least 4.5 bits of entropy per character
//! and mix upper case, lower case and digits.
//!
//! ## Not a finding
//!
//! Placeholders of the right length (`github_pat_XXXXXXXXXXXXXXXXXXXXXX_...`,
//! repeated characters), the wrong lengths, and `github_pat_` glued to a
//! longer word.
//!
//! ## Fix
//!
//! Revoke the token (Settings → Developer settings → Fine-grained tokens),
//! remove it from the history, store a new one as an Actions secret.

use regex::Regex;

use super::{ends_cleanly, pattern};
use crate::detect::entropy::{Classes, shannon};
use crate::detect::{Hit, Rule, RuleInfo};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "github-pat-fine-grained",
    title: "GitHub fine-grained personal access token",
    keywords: &["github_pat_"],
    severity: Severity::Critical,
};

/// Random base62 has log2(62) ≈ 5.95 bits per character; 81 characters of
/// it measure well above 5. Placeholders and words stay far below 4.5.
const MIN_ENTROPY: f64 = 4.5;

#[derive(Debug)]
pub struct GithubPatFineGrained {
    pattern: Regex,
}

impl GithubPatFineGrained {
    pub fn new() -> Self {
        GithubPatFineGrained {
            pattern: pattern(r"\bgithub_pat_([0-9A-Za-z]{22})_([0-9A-Za-z]{59})"),
        }
    }
}

impl Rule for GithubPatFineGrained {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.pattern.captures_iter(text) {
            let (Some(whole), Some(a), Some(b)) = (caps.get(0), caps.get(1), caps.get(2)) else {
                continue;
            };
            let random = format!("{}{}", a.as_str(), b.as_str());
            let classes = Classes::of(&random);
            if ends_cleanly(text, whole.end())
                && shannon(&random) >= MIN_ENTROPY
                && classes.lower
                && classes.upper
                && classes.digit
            {
                hits.push(Hit::new(&INFO, whole.start(), whole.end(), 11));
            }
        }
    }
}
