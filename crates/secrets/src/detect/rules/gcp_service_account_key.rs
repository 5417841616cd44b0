//! A Google Cloud service-account key file (JSON).
//!
//! ## What it finds
//!
//! The `"private_key"` string of a JSON document that also says
//! `"type": "service_account"`: the whole value, from `-----BEGIN` to the
//! end of the string, with its `\n` escapes. The document's other fields
//! (`client_email`, `private_key_id`) identify the key; the private key is
//! what authenticates.
//!
//! gitleaks: `gcp-service-account`.
//!
//! ## Not a finding
//!
//! Service-account JSON whose `private_key` is empty or a placeholder (no
//! PEM block), and `"type": "authorized_user"` or `"external_account"`
//! files (workload identity federation configurations, which hold no
//! private key).
//!
//! ## Fix
//!
//! Delete the key (`gcloud iam service-accounts keys delete KEY_ID`),
//! remove the file from the history, and use workload identity federation
//! (`google-github-actions/auth` with `workload_identity_provider`) instead
//! of key files.

use regex::Regex;

use super::pattern;
use crate::detect::{Hit, MAX_SECRET_LEN, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "gcp-service-account-key",
    title: "Google Cloud service-account key",
    gitleaks: &["gcp-service-account"],
    keywords: &["service_account"],
    severity: Severity::Critical,
    min_entropy: 0.0,
    scope: Scope::Text,
};

/// How far apart `"type": "service_account"` and `"private_key"` may be and
/// still belong to one key file (real files are about 2.3 KB).
const SAME_DOCUMENT: usize = 8 * 1024;

#[derive(Debug)]
pub struct GcpServiceAccountKey {
    type_field: Regex,
    private_key: Regex,
}

impl GcpServiceAccountKey {
    pub fn new() -> Self {
        GcpServiceAccountKey {
            type_field: pattern(r#""type"\s*:\s*"service_account""#),
            private_key: pattern(r#""private_key"\s*:\s*"(-----BEGIN [A-Z ]*PRIVATE KEY-----)"#),
        }
    }
}

impl Rule for GcpServiceAccountKey {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        let types: Vec<usize> = self.type_field.find_iter(text).map(|m| m.start()).collect();
        if types.is_empty() {
            return;
        }
        for caps in self.private_key.captures_iter(text) {
            let Some(begin) = caps.get(1) else { continue };
            if !types
                .iter()
                .any(|&t| t.abs_diff(begin.start()) <= SAME_DOCUMENT)
            {
                continue;
            }
            // The JSON string ends at the first unescaped quote.
            let rest = &text[begin.start()..];
            let Some(len) = json_string_len(rest) else {
                continue;
            };
            let value = &rest[..len];
            if len <= MAX_SECRET_LEN && value.contains("PRIVATE KEY-----") && value.len() > 128 {
                hits.push(Hit::new(&INFO, begin.start(), begin.start() + len, 0));
            }
        }
    }
}

/// Length of the JSON string body at the start of `text` (up to, not
/// including, the closing quote), or `None` when it does not close within
/// [`MAX_SECRET_LEN`] bytes or crosses a raw line break.
fn json_string_len(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate().take(MAX_SECRET_LEN + 1) {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return Some(i),
            b'\n' => return None,
            _ => {}
        }
    }
    None
}
