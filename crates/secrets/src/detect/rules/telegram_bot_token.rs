//! A Telegram bot token.
//!
//! ## What it finds
//!
//! The bot's numeric id (8 to 10 digits), `:`, then `AA` and 33 characters
//! of `A-Z a-z 0-9 _ -`: the format BotFather issues. Whoever holds it
//! controls the bot (reads its messages, posts as it).
//!
//! ## Not a finding
//!
//! Ids followed by something else (`123456789:ABC`, timestamps such as
//! `20240101:AAAA...` shorter or longer than a token), and the format glued
//! to a longer word.
//!
//! ## Fix
//!
//! Revoke it with BotFather (`/revoke`), remove it from the history, and
//! keep the new token in a secret.

use regex::Regex;

use super::{ends_cleanly, pattern};
use crate::detect::entropy::shannon;
use crate::detect::{Hit, Rule, RuleInfo};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "telegram-bot-token",
    title: "Telegram bot token",
    keywords: &[":aa"],
    severity: Severity::High,
};

const MIN_ENTROPY: f64 = 3.5;

#[derive(Debug)]
pub struct TelegramBotToken {
    pattern: Regex,
}

impl TelegramBotToken {
    pub fn new() -> Self {
        TelegramBotToken {
            pattern: pattern(r"\b[0-9]{8,10}:(AA[0-9A-Za-z_\-]{33})"),
        }
    }
}

impl Rule for TelegramBotToken {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.pattern.captures_iter(text) {
            let (Some(whole), Some(secret)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            if ends_cleanly(text, whole.end()) && shannon(secret.as_str()) >= MIN_ENTROPY {
                hits.push(Hit::new(&INFO, whole.start(), whole.end(), 0));
            }
        }
    }
}
