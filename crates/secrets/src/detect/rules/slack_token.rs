//! A Slack API token.
//!
//! ## What it finds
//!
//! Bot (`xoxb-`), user (`xoxp-`, `xoxe-`), legacy (`xoxo-`, `xoxs-`),
//! legacy workspace (`xoxa-`, `xoxr-`), configuration (`xoxe.xoxp-`,
//! `xoxe.xoxb-`, `xoxe-1-`) and app-level (`xapp-`) tokens: the prefix,
//! then dash-separated numeric ids and a random tail, as Slack issues
//! them. The tail is what is judged: it must have at least 3 bits of
//! entropy per character and not be a placeholder.
//!
//! gitleaks: `slack-bot-token`, `slack-user-token`, `slack-app-token`,
//! `slack-config-access-token`, `slack-config-refresh-token`,
//! `slack-legacy-bot-token`, `slack-legacy-workspace-token`,
//! `slack-legacy-token`.
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
use crate::detect::entropy::shannon;
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "slack-token",
    title: "Slack API token",
    gitleaks: &[
        "slack-bot-token",
        "slack-user-token",
        "slack-app-token",
        "slack-config-access-token",
        "slack-config-refresh-token",
        "slack-legacy-bot-token",
        "slack-legacy-workspace-token",
        "slack-legacy-token",
    ],
    keywords: &["xox", "xapp-"],
    severity: Severity::High,
    min_entropy: 0.0,
    scope: Scope::LINE,
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
            pattern: pattern(concat!(
                r"\b(?:",
                // Bot and user tokens: one to three numeric ids, a tail.
                r"xox[bpe](?:-[0-9]{8,14}){1,3}-(?P<a>[0-9A-Za-z]{18,64})",
                // Configuration access and refresh tokens.
                r"|xoxe(?:\.xox[bp])?-[0-9]-(?P<b>[0-9A-Za-z]{100,200})",
                // App-level tokens.
                r"|xapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{9,14}-(?P<c>[a-z0-9]{32,80})",
                // Legacy tokens.
                r"|xox[os](?:-[0-9]{1,14}){3}-(?P<d>[0-9a-fA-F]{8,64})",
                // Legacy workspace access and refresh tokens.
                r"|xox[ar]-(?:[0-9]-)?(?:[0-9]{1,14}-){0,3}(?P<e>[0-9A-Za-z]{8,48})",
                r")",
            )),
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
            let Some(tail) = ["a", "b", "c", "d", "e"]
                .iter()
                .find_map(|name| caps.name(name))
            else {
                continue;
            };
            if ends_cleanly(text, whole.end()) && shannon(tail.as_str()) >= MIN_ENTROPY {
                let prefix = whole.as_str().find('-').map_or(0, |i| i + 1);
                hits.push(
                    Hit::new(&INFO, whole.start(), whole.end(), prefix)
                        .judging(tail.start(), tail.end()),
                );
            }
        }
    }
}
