//! Credentials passed to curl with `-u`/`--user`.
//!
//! ## What it finds
//!
//! `curl … -u user:password` (also `--user`, `-u=…`, quoted or not, on a
//! continuation line of the same command after `\`): the `user:password`
//! argument, judged by its password. With an empty password
//! (`-u "sk_live_…:"`, as many APIs take an API key as the user name) the
//! user name is judged instead. The judged part must be 6 or more
//! characters and mix at least two kinds of characters (lower case, upper
//! case, digits, symbols).
//!
//! gitleaks: `curl-auth-user`.
//!
//! ## Not a finding
//!
//! References and templates (`$USER:$PASS`, `"${user}:${pass}"`,
//! `$(cat pw.txt)`, `{{ .Values.password }}`, `${{ secrets.X }}`),
//! placeholders (`<user:password>`, `user:[PASSWORD]`, `test:test`,
//! `username:password`, `xxx:yyy`, `admin:changeme`), a user name alone
//! (`-u myuser`, curl then prompts), and `-u` outside a curl command.
//!
//! ## Fix
//!
//! Rotate the password or key, remove it from the history, and pass it from
//! a secret at run time: `curl -u "user:$PASSWORD"` (or `--netrc-file`).

use regex::Regex;

use super::pattern;
use crate::detect::entropy::Classes;
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "curl-basic-auth",
    title: "Credentials in a curl -u/--user argument",
    gitleaks: &["curl-auth-user"],
    keywords: &["curl"],
    severity: Severity::High,
    min_entropy: 0.0,
    scope: Scope::Lines {
        before: 0,
        after: 6,
    },
};

/// Values that say they are not a password.
const PLACEHOLDERS: &[&str] = &[
    "pass",
    "password",
    "passwd",
    "pwd",
    "test",
    "token",
    "secret",
    "changeme",
    "changeit",
    "admin",
    "root",
    "user",
    "username",
    "guest",
    "apikey",
    "api_key",
    "api-key",
    "mypassword",
    "yourpassword",
];

/// The shortest password or key judged a credential.
const MIN_LEN: usize = 6;

#[derive(Debug)]
pub struct CurlBasicAuth {
    user: Regex,
}

impl CurlBasicAuth {
    pub fn new() -> Self {
        CurlBasicAuth {
            user: pattern(r#"(?:^|[ \t])(?:-u|--user)(?:=|[ \t]+)"#),
        }
    }
}

/// The byte ranges of the curl commands in `text`: from `curl` to the end
/// of its line, continued over lines that end with `\`.
pub fn commands(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(offset) = memchr::memmem::find(&bytes[from..], b"curl") {
        let start = from + offset;
        from = start + 4;
        let word_start = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let word_end = bytes
            .get(start + 4)
            .is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'_' && *b != b'-');
        if !word_start || !word_end {
            continue;
        }
        let mut end = start;
        loop {
            let line_end = memchr::memchr(b'\n', &bytes[end..]).map_or(bytes.len(), |i| end + i);
            let line = text[end..line_end].trim_end();
            end = line_end;
            if line.ends_with('\\') && end < bytes.len() {
                end += 1;
                continue;
            }
            break;
        }
        out.push((start, end));
        from = from.max(end);
    }
    out
}

/// The argument starting at `at`: quoted (without its quotes) or up to the
/// next whitespace. Returns its range.
pub fn argument(text: &str, at: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    match bytes.get(at)? {
        &q @ (b'"' | b'\'') => {
            let len = memchr::memchr(q, &bytes[at + 1..])?;
            Some((at + 1, at + 1 + len))
        }
        _ => {
            let len = bytes[at..]
                .iter()
                .position(u8::is_ascii_whitespace)
                .unwrap_or(bytes.len() - at);
            Some((at, at + len))
        }
    }
}

/// A reference or template rather than a literal.
pub fn is_reference(value: &str) -> bool {
    value.starts_with(['$', '%', '<', '[', '{', '('])
        || value.ends_with(['>', ']'])
        || value.contains("${")
        || value.contains("$(")
        || value.contains("{{")
        || value.contains('`')
}

/// Whether `part` (a password or key) could be a real credential.
fn credential(part: &str, other: &str) -> bool {
    let lower = part.to_ascii_lowercase();
    part.len() >= MIN_LEN
        && part != other
        && !is_reference(part)
        && !PLACEHOLDERS.contains(&lower.trim_matches(['"', '\'']))
        && Classes::of(part).count() >= 2
}

impl Rule for CurlBasicAuth {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for (start, end) in commands(text) {
            let command = &text[start..end];
            for flag in self.user.find_iter(command) {
                let Some((from, to)) = argument(command, flag.end()) else {
                    continue;
                };
                let value = &command[from..to];
                let value = value.trim_end_matches(['\\']);
                let Some(colon) = value.find(':') else {
                    continue; // a user name alone: curl prompts
                };
                // `"user":"pass"` quotes each half.
                let user = value[..colon].trim_matches(['"', '\'']);
                let password = value[colon + 1..].trim_matches(['"', '\'']);
                if is_reference(user) && password.is_empty() {
                    continue;
                }
                let (judged_from, judged_to) = if password.is_empty() {
                    if !credential(user, "") {
                        continue;
                    }
                    (from, from + colon)
                } else {
                    if !credential(password, user) || is_reference(user) && user.contains("{{") {
                        continue;
                    }
                    (from + colon + 1, from + value.len())
                };
                let (abs_from, abs_to) = (start + from, start + from + value.len());
                hits.push(
                    Hit::new(&INFO, abs_from, abs_to, 0)
                        .judging(start + judged_from, start + judged_to),
                );
            }
        }
    }
}
