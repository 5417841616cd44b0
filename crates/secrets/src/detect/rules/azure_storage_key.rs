//! An Azure Storage account key.
//!
//! ## What it finds
//!
//! An account key, 64 random bytes in base64 (86 characters and `==`):
//!
//! - after `AccountKey=` in a storage connection string
//!   (`DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...`);
//! - assigned to a name that says it is one (`AZURE_STORAGE_KEY`,
//!   `storage_account_key`, `accountKey`...).
//!
//! ## Not a finding
//!
//! The well-known Azurite/storage-emulator development key (published by
//! Microsoft, it opens only the local emulator), `AccountKey=` followed by a
//! reference or a shorter placeholder, and SAS URLs (not matched by this
//! rule).
//!
//! ## Fix
//!
//! Rotate the key (Storage account → Access keys → Rotate), remove it from
//! the history, and use Entra ID (OIDC from Actions) or a short-lived SAS
//! held in a secret.

use regex::Regex;

use super::pattern;
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "azure-storage-key",
    title: "Azure Storage account key",
    gitleaks: &[],
    keywords: &[
        "accountkey",
        "storage_key",
        "storagekey",
        "storage_account_key",
        "account_key",
    ],
    severity: Severity::Critical,
    min_entropy: 0.0,
    scope: Scope::LINE,
};

/// The storage emulator's key, published in Microsoft's documentation; it
/// grants nothing outside a developer's machine. Split so this file is not
/// itself a finding.
const EMULATOR_KEY: [&str; 2] = [
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsu",
    "Fq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
];

#[derive(Debug)]
pub struct AzureStorageKey {
    pattern: Regex,
}

impl AzureStorageKey {
    pub fn new() -> Self {
        AzureStorageKey {
            pattern: pattern(
                r#"(?i)(?:AccountKey\s*=|(?:azure_?)?storage_?(?:account_?)?key["']?\s*(?:=>|:=|=|:)|account_?key["']?\s*(?:=>|:=|=|:))\s*["']?([A-Za-z0-9+/]{86}==)"#,
            ),
        }
    }
}

impl Rule for AzureStorageKey {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        let emulator = EMULATOR_KEY.concat();
        for caps in self.pattern.captures_iter(text) {
            let Some(value) = caps.get(1) else { continue };
            let after_ok = text[value.end()..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '+' || c == '/'));
            if after_ok && value.as_str() != emulator {
                hits.push(Hit::new(&INFO, value.start(), value.end(), 0));
            }
        }
    }
}
