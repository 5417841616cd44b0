//! A Slack API token.
//!
//! ## What it finds
//!
//! Bot (`xoxb-`), user (`xoxp-`), legacy workspace (`xoxa-`, `xoxr-`,
//! `xoxs-`), configuration (`xoxe.xoxp-`, `xoxe-`) and app-level (`xapp-`)
//! tokens: the prefix, then dash-separated numeric ids and a random tail,
//! as Slack issues them.
//!
//! ## Not a finding
//!
//! Prefixes followed by placeholders (`xoxb-your-token-here`,
//! `xoxb-000000000000-...`: the random tail must have at least 3 bits of
//! entropy per character and no run of 6 identical characters), and
//! incoming-webhook URLs (see `slack-webhook-url`).
//!
//! ## Fix
//!
//! Revoke the token (api.slack.com → Your apps → OAuth & Permissions →
//! Revoke, or `auth.revoke`), remove it from the history, and keep its
//! replacement in a secret.

use regex::Regex;

use super::{ends_cleanly, pattern};
use crate::detect::entropy::{has_run, shannon};
use crate::detect::{Hit, Rule, RuleInfo};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "slack-token",
    title: "Slack API token",
    keywords: &["xox", "xapp-"],
    severity: Severity::High,
};

/// The random tails are base62 or hex of 24 to 64 characters (3.5 to 6
/// bits per character); placeholders sit below 3.
const MIN_ENTROPY: f64 = 3.0;

#[derive(Debug)]
pub struct SlackToken {
    pattern: Regex,
}

impl SlackToken {
    pub fn new() -> Self {
        SlackToken {
            pattern: pattern(
                r"\b(?:xox[abprs]-(?:[0-9]{8,14}-){1,3}([0-9A-Za-z]{24,64})|xoxe(?:\.xox[bp])?-1-([0-9A-Za-z]{100,200})|xapp-1-[A-Z0-9]{9,12}-[0-9]{9,14}-([0-9a-f]{64}))",
            ),
        }
    }
}

impl Rule for SlackToken {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.pattern.captures_iter(text) {
            let Some(whole) = caps.get(0) else { continue };
            let tail = caps
                .get(1)
                .or_else(|| caps.get(2))
                .or_else(|| caps.get(3))
                .map(|m| m.as_str())
                .unwrap_or_default();
            if ends_cleanly(text, whole.end()) && shannon(tail) >= MIN_ENTROPY && !has_run(tail, 6)
            {
                let prefix = whole.as_str().find('-').map_or(0, |i| i + 1);
                hits.push(Hit::new(&INFO, whole.start(), whole.end(), prefix));
            }
        }
    }
}
