//! Built-in rules, one per file. A rule file's `//!` comment is its
//! documentation (docs/secrets.md is generated from it; a test keeps the two
//! identical) and its fixtures live in `tests/fixtures/<rule-id>/`.
//!
//! Order matters in one place: when two rules match overlapping ranges,
//! `scan` reports the rule listed first, so specific rules come before the
//! generic ones.

mod aws_access_key_id;
mod aws_secret_access_key;
mod azure_connection_string;
mod azure_storage_key;
mod database_url_password;
mod dockerhub_token;
mod gcp_api_key;
mod gcp_service_account_key;
mod generic_secret_assignment;
mod github_app_token;
mod github_oauth_token;
mod github_pat_classic;
mod github_pat_fine_grained;
mod gitlab_token;
mod jwt;
mod minisign_secret_key;
mod npm_token;
mod private_key;
mod pypi_token;
mod slack_token;
mod slack_webhook_url;
mod stripe_secret_key;
mod telegram_bot_token;

use regex::Regex;

use super::checksum::has_valid_checksum;
use super::{Hit, Rule, RuleInfo};

/// Every built-in rule, most specific first.
pub fn all() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(github_pat_classic::GithubPatClassic::new()),
        Box::new(github_pat_fine_grained::GithubPatFineGrained::new()),
        Box::new(github_app_token::GithubAppToken::new()),
        Box::new(github_oauth_token::GithubOauthToken::new()),
        Box::new(aws_access_key_id::AwsAccessKeyId::new()),
        Box::new(aws_secret_access_key::AwsSecretAccessKey::new()),
        Box::new(gcp_service_account_key::GcpServiceAccountKey::new()),
        Box::new(gcp_api_key::GcpApiKey::new()),
        Box::new(azure_storage_key::AzureStorageKey::new()),
        Box::new(azure_connection_string::AzureConnectionString::new()),
        Box::new(slack_token::SlackToken::new()),
        Box::new(slack_webhook_url::SlackWebhookUrl::new()),
        Box::new(stripe_secret_key::StripeSecretKey::new()),
        Box::new(npm_token::NpmToken::new()),
        Box::new(pypi_token::PypiToken::new()),
        Box::new(dockerhub_token::DockerhubToken::new()),
        Box::new(gitlab_token::GitlabToken::new()),
        Box::new(telegram_bot_token::TelegramBotToken::new()),
        Box::new(private_key::PrivateKey::new()),
        Box::new(minisign_secret_key::MinisignSecretKey::new()),
        Box::new(jwt::Jwt::new()),
        Box::new(database_url_password::DatabaseUrlPassword::new()),
        Box::new(generic_secret_assignment::GenericSecretAssignment::new()),
    ]
}

/// Compile a built-in pattern; they are constants, covered by tests.
///
/// `\b` is made ASCII-only: a Unicode word boundary stops the regex
/// crate's fast lazy DFA on any non-ASCII text (it falls back to a much
/// slower engine), and every token these rules look for is ASCII.
fn pattern(source: &str) -> Regex {
    let source = source.replace(r"\b", r"(?-u:\b)");
    Regex::new(&source).unwrap_or_else(|e| unreachable!("built-in pattern {source}: {e}"))
}

/// Hits for GitHub-format tokens: `pattern` has one capture group, the part
/// after the prefix (random characters then a six-character checksum); a
/// match is a hit only when the checksum is right.
fn checksummed_tokens(
    info: &RuleInfo,
    pattern: &Regex,
    prefix_len: usize,
    text: &str,
    hits: &mut Vec<Hit>,
) {
    for caps in pattern.captures_iter(text) {
        let (Some(whole), Some(body)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        if has_valid_checksum(body.as_str()) {
            hits.push(Hit::new(info, whole.start(), whole.end(), prefix_len));
        }
    }
}

/// True when the byte after `end` (if any) cannot continue a token, so a
/// match is not the front of something longer.
fn ends_cleanly(text: &str, end: usize) -> bool {
    text[end..]
        .chars()
        .next()
        .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
}
