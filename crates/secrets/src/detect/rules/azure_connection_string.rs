//! An Azure Service Bus, Event Hubs, Relay or IoT Hub connection string
//! with its shared access key.
//!
//! ## What it finds
//!
//! `SharedAccessKey=` followed by a base64 key (32 random bytes: 43
//! characters and `=`), inside a connection string that names its endpoint
//! (`Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...` or
//! `HostName=...;SharedAccessKeyName=...;SharedAccessKey=...`). The key is
//! the secret; the rest identifies it.
//!
//! ## Not a finding
//!
//! `SharedAccessKey=` followed by a reference (`${KEY}`, `<key>`) or by a
//! value that is not 44 base64 characters, and `SharedAccessSignature=` (a
//! SAS token, which expires; not matched by this rule).
//!
//! ## Fix
//!
//! Regenerate the key (the namespace's Shared access policies → Regenerate
//! primary/secondary key), remove it from the history, and authenticate with
//! Entra ID (OIDC from Actions) where the service allows it.

use regex::Regex;

use super::pattern;
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "azure-connection-string",
    title: "Azure connection string with a shared access key",
    gitleaks: &[],
    keywords: &["sharedaccesskey="],
    severity: Severity::Critical,
    min_entropy: 0.0,
    scope: Scope::LINE,
};

#[derive(Debug)]
pub struct AzureConnectionString {
    pattern: Regex,
}

impl AzureConnectionString {
    pub fn new() -> Self {
        AzureConnectionString {
            pattern: pattern(
                r"(?i)(?:Endpoint=sb://|HostName=)[^;\s]{1,256};\s*SharedAccessKeyName=[^;\s]{1,256};\s*SharedAccessKey=([A-Za-z0-9+/]{43}=)",
            ),
        }
    }
}

impl Rule for AzureConnectionString {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.pattern.captures_iter(text) {
            let Some(value) = caps.get(1) else { continue };
            let after_ok = text[value.end()..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '='));
            if after_ok {
                hits.push(Hit::new(&INFO, value.start(), value.end(), 0));
            }
        }
    }
}
