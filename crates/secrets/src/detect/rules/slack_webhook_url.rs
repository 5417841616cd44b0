//! A Slack incoming-webhook URL.
//!
//! ## What it finds
//!
//! `https://hooks.slack.com/services/` (also `/workflows/` and `/triggers/`,
//! with or without the scheme) followed by the secret path: the workspace
//! id, the app id and the 24-character secret (`T…/B…/…`), 43 or more
//! characters in all. Anyone holding the URL can post into the channel as
//! the app, which is how phishing messages get a trusted sender. The path
//! must have at least 3 bits of entropy per character.
//!
//! gitleaks: `slack-webhook-url`.
//!
//! ## Not a finding
//!
//! URLs whose path is a placeholder (`T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`),
//! shorter paths, and other `hooks.slack.com` paths.
//!
//! ## Fix
//!
//! Regenerate the webhook (the app's Incoming Webhooks page → remove and
//! add), remove the URL from the history, and keep the new one in a secret.

use regex::Regex;

use super::{ends_cleanly, pattern};
use crate::detect::entropy::shannon;
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "slack-webhook-url",
    title: "Slack incoming-webhook URL",
    gitleaks: &["slack-webhook-url"],
    keywords: &["hooks.slack.com"],
    severity: Severity::High,
    min_entropy: 0.0,
    scope: Scope::LINE,
};

const MIN_ENTROPY: f64 = 3.0;

#[derive(Debug)]
pub struct SlackWebhookUrl {
    pattern: Regex,
}

impl SlackWebhookUrl {
    pub fn new() -> Self {
        SlackWebhookUrl {
            pattern: pattern(
                r"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/(?P<path>[A-Za-z0-9+/]{43,120})",
            ),
        }
    }
}

impl Rule for SlackWebhookUrl {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.pattern.captures_iter(text) {
            let (Some(whole), Some(path)) = (caps.get(0), caps.name("path")) else {
                continue;
            };
            let secret = path.as_str().trim_end_matches('/');
            if !ends_cleanly(text, whole.end()) || shannon(secret) < MIN_ENTROPY {
                continue;
            }
            // The whole URL is the credential; the host is public.
            let public = whole
                .as_str()
                .find("hooks.slack.com/")
                .map_or(0, |i| i + 16);
            hits.push(
                Hit::new(&INFO, whole.start(), whole.end(), public)
                    .judging(path.start(), path.start() + secret.len()),
            );
        }
    }
}
