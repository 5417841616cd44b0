//! A Slack incoming-webhook URL.
//!
//! ## What it finds
//!
//! `https://hooks.slack.com/services/T.../B.../` followed by the 24-character
//! secret path segment (also `/workflows/` trigger URLs). Anyone holding the
//! URL can post into the channel as the app, which is how phishing messages
//! get a trusted sender.
//!
//! ## Not a finding
//!
//! URLs whose secret segment is a placeholder (`XXXXXXXXXXXXXXXXXXXXXXXX`,
//! fewer than 24 characters), and other `hooks.slack.com` paths.
//!
//! ## Fix
//!
//! Regenerate the webhook (the app's Incoming Webhooks page → remove and
//! add), remove the URL from the history, and keep the new one in a secret.

use regex::Regex;

use super::{ends_cleanly, pattern};
use crate::detect::entropy::{has_run, shannon};
use crate::detect::{Hit, Rule, RuleInfo};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "slack-webhook-url",
    title: "Slack incoming-webhook URL",
    keywords: &["hooks.slack.com"],
    severity: Severity::High,
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
                r"https://hooks\.slack\.com/(?:services|workflows)/T[A-Z0-9]{6,12}/[AB][A-Z0-9]{6,12}/(?:[0-9]{6,20}/)?([A-Za-z0-9]{24,32})",
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
            let (Some(whole), Some(secret)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            if ends_cleanly(text, whole.end())
                && shannon(secret.as_str()) >= MIN_ENTROPY
                && !has_run(secret.as_str(), 6)
            {
                // The whole URL is the credential; the host is public.
                hits.push(Hit::new(
                    &INFO,
                    whole.start(),
                    whole.end(),
                    "https://hooks.slack.com/".len(),
                ));
            }
        }
    }
}
