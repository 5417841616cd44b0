//! A credential in a curl `-H`/`--header` argument.
//!
//! ## What it finds
//!
//! `curl … -H "Authorization: Bearer <token>"` (also `Basic`, `Token`,
//! `Api-Token`, or a bare value after `Authorization:`) and API-key headers
//! (`X-API-Key:`, `Api-Key:`, `X-Auth-Token:`, `Token:`, `Key:`, `X-<vendor>-Token:`)
//! in a curl command, on its line or a continuation line (after `\`). The
//! value must be 8 or more characters of a token alphabet with at least
//! 2.75 bits of entropy per character; a `Basic` value must be base64 of
//! `user:password`.
//!
//! gitleaks: `curl-auth-header`.
//!
//! ## Not a finding
//!
//! References and templates (`Bearer $TOKEN`, `Bearer $(gcloud auth
//! print-access-token)`, `{{ token }}`, `<your token>`), placeholders
//! (`Bearer XXXXXXXXXXXX`, `Token **********`, `Basic ...`), and headers
//! that carry no credential (`Content-Type`, `Accept`).
//!
//! ## Fix
//!
//! Revoke the token, remove it from the history, and pass it from a secret
//! at run time: `curl -H "Authorization: Bearer $TOKEN"`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use regex::Regex;

use super::curl_basic_auth::{argument, commands, is_reference};
use super::pattern;
use crate::detect::entropy::shannon;
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "curl-auth-header",
    title: "Credential in a curl -H/--header argument",
    gitleaks: &["curl-auth-header"],
    keywords: &["curl"],
    severity: Severity::High,
    min_entropy: 2.75,
    scope: Scope::Lines {
        before: 0,
        after: 6,
    },
};

/// The shortest header value judged a credential.
const MIN_LEN: usize = 8;

#[derive(Debug)]
pub struct CurlAuthHeader {
    flag: Regex,
    header: Regex,
}

impl CurlAuthHeader {
    pub fn new() -> Self {
        CurlAuthHeader {
            flag: pattern(r"(?:^|[ \t\n])(?:-H|--header)(?:=|[ \t]*)"),
            header: pattern(
                r"(?i)\A(?:authorization:[ \t]*(?:(basic)[ \t]+|(?:bearer|token|api-token)[ \t]+)?|(?:x-(?:[a-z]+-)?)?(?:api-?)?(?:key|token|auth-token):[ \t]*)",
            ),
        }
    }
}

/// True when every character could belong to a token.
fn token_chars(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"=~@.+/_-:".contains(&b))
}

/// A `Basic` value: base64 of `user:password` with something on one side.
fn basic_credentials(value: &str) -> bool {
    let Ok(bytes) = STANDARD.decode(value) else {
        return false;
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return false;
    };
    text.split_once(':')
        .is_some_and(|(user, password)| !(user.is_empty() && password.is_empty()))
}

impl Rule for CurlAuthHeader {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for (start, end) in commands(text) {
            let command = &text[start..end];
            for flag in self.flag.find_iter(command) {
                let Some((from, to)) = argument(command, flag.end()) else {
                    continue;
                };
                let arg = &command[from..to];
                let Some(caps) = self.header.captures(arg) else {
                    continue;
                };
                let Some(whole) = caps.get(0) else { continue };
                let value = arg[whole.end()..].trim();
                let value_from = from
                    + whole.end()
                    + (arg[whole.end()..].len() - arg[whole.end()..].trim_start().len());
                if value.len() < MIN_LEN || is_reference(value) || !token_chars(value) {
                    continue;
                }
                if caps.get(1).is_some() && !basic_credentials(value) {
                    continue;
                }
                if shannon(value) < INFO.min_entropy {
                    continue;
                }
                let abs = start + value_from;
                hits.push(Hit::new(&INFO, abs, abs + value.len(), 0));
            }
        }
    }
}
