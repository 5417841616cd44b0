//! A Telegram bot token.
//!
//! ## What it finds
//!
//! The bot's numeric id (8 to 10 digits), `:`, then `AA` and 33 characters
//! of `A-Z a-z 0-9 _ -`: the format BotFather issues (also inside
//! `https://api.telegram.org/bot<token>/…` URLs). Tokens of the documented
//! general shape, a numeric id (5 to 16 digits), `:` and 35 characters, are
//! found too when assigned to a name with `telegr` in it
//! (`TELEGRAM_BOT_TOKEN=…`). Whoever holds it controls the bot (reads its
//! messages, posts as it).
//!
//! gitleaks: `telegram-bot-api-token`.
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
use crate::detect::assign;
use crate::detect::entropy::shannon;
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "telegram-bot-token",
    title: "Telegram bot token",
    gitleaks: &["telegram-bot-api-token"],
    keywords: &[":aa", "telegr"],
    severity: Severity::High,
    min_entropy: 3.0,
    scope: Scope::Lines {
        before: 0,
        after: 1,
    },
};

const MIN_ENTROPY: f64 = 3.5;

#[derive(Debug)]
pub struct TelegramBotToken {
    pattern: Regex,
    named: Regex,
}

impl TelegramBotToken {
    pub fn new() -> Self {
        TelegramBotToken {
            pattern: pattern(r"(?:\b|bot)(?P<t>[0-9]{8,10}:(?P<r>AA[0-9A-Za-z_\-]{33}))"),
            named: pattern(r#"\A[0-9]{5,16}:(?P<r>[0-9A-Za-z_\-]{35})(?:[\s"'`,;)\]}<>&|\\#]|\z)"#),
        }
    }
}

impl Rule for TelegramBotToken {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.pattern.captures_iter(text) {
            let (Some(token), Some(secret)) = (caps.name("t"), caps.name("r")) else {
                continue;
            };
            if ends_cleanly(text, token.end()) && shannon(secret.as_str()) >= MIN_ENTROPY {
                hits.push(
                    Hit::new(&INFO, token.start(), token.end(), 0)
                        .judging(secret.start(), secret.end()),
                );
            }
        }
        let lower = text.to_ascii_lowercase();
        for (at, _) in lower.match_indices("telegr") {
            let word = at..at + "telegr".len();
            if !assign::is_name_part(text, word.clone()) {
                continue;
            }
            let Some(assignment) = assign::around(text, word) else {
                continue;
            };
            let start = assignment.value_start;
            let Some(caps) = text.get(start..).and_then(|rest| self.named.captures(rest)) else {
                continue;
            };
            let Some(secret) = caps.name("r") else {
                continue;
            };
            let end = start + secret.end();
            if shannon(secret.as_str()) >= MIN_ENTROPY {
                hits.push(Hit::new(&INFO, start, end, 0).judging(start + secret.start(), end));
            }
        }
    }
}
