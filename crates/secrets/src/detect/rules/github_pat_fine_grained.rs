//! A GitHub fine-grained personal access token.
//!
//! ## What it finds
//!
//! `github_pat_` and 82 characters of `A-Za-z0-9_` (GitHub issues 22 base62
//! characters, `_`, 59 base62 characters). GitHub has not published how the
//! checksum in this format is computed, so the rule checks length and
//! randomness instead: the 82 characters must have at least 4.5 bits of
//! entropy per character and mix at least two of upper case, lower case and
//! digits.
//!
//! gitleaks: `github-fine-grained-pat`.
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
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "github-pat-fine-grained",
    title: "GitHub fine-grained personal access token",
    gitleaks: &["github-fine-grained-pat"],
    keywords: &["github_pat_"],
    severity: Severity::Critical,
    min_entropy: 3.0,
    scope: Scope::LINE,
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
            pattern: pattern(r"\bgithub_pat_([0-9A-Za-z_]{82})"),
        }
    }
}

impl Rule for GithubPatFineGrained {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.pattern.captures_iter(text) {
            let (Some(whole), Some(body)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            let random = body.as_str().replace('_', "");
            let classes = Classes::of(&random);
            if ends_cleanly(text, whole.end())
                && shannon(&random) >= MIN_ENTROPY
                && [classes.lower, classes.upper, classes.digit]
                    .iter()
                    .filter(|c| **c)
                    .count()
                    >= 2
            {
                hits.push(Hit::new(&INFO, whole.start(), whole.end(), 11));
            }
        }
    }
}
