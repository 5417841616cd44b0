//! A minisign, rsign or signify secret key (the key that signs releases
//! and updater artifacts, e.g. Tauri's updater).
//!
//! ## What it finds
//!
//! - The key file as written: `untrusted comment: ... secret key` and,
//!   on the next line, its base64 payload (at least 100 characters);
//! - the same file base64-encoded as a whole (how Tauri and others pass it
//!   through an environment variable: `dW50cnVzdGVkIGNvbW1lbnQ6...`), when
//!   the decoded text is such a key file.
//!
//! Keys whose comment says `encrypted` need their password too and are
//! reported at medium severity; others at critical.
//!
//! ## Not a finding
//!
//! Public keys and signatures (`untrusted comment: minisign public key`,
//! `... signature from ...`), and a secret-key comment line with no payload
//! after it.
//!
//! ## Fix
//!
//! Generate a new key pair, publish the new public key (updaters pin it),
//! remove the old secret key from the history, and keep the new one (and its
//! password) in secrets.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use regex::Regex;

use super::pattern;
use crate::detect::{Hit, MAX_SECRET_LEN, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "minisign-secret-key",
    title: "minisign, rsign or signify secret key",
    gitleaks: &[],
    keywords: &["secret key", "dw50cnvzdgvkignvbw1lbnq6"],
    severity: Severity::Critical,
    min_entropy: 0.0,
    scope: Scope::Lines {
        before: 0,
        after: 1,
    },
};

#[derive(Debug)]
pub struct MinisignSecretKey {
    plain: Regex,
    wrapped: Regex,
}

impl MinisignSecretKey {
    pub fn new() -> Self {
        MinisignSecretKey {
            plain: pattern(
                r"untrusted comment: [^\r\n]{0,80}secret key[^\r\n]{0,80}(?:\r?\n|\\n)([A-Za-z0-9+/]{100,}={0,2})",
            ),
            // base64("untrusted comment:") and what follows.
            wrapped: pattern(r"\bdW50cnVzdGVkIGNvbW1lbnQ6[A-Za-z0-9+/]{100,}={0,2}"),
        }
    }
}

impl Rule for MinisignSecretKey {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.plain.captures_iter(text) {
            let (Some(whole), Some(_payload)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            let mut hit = Hit::new(&INFO, whole.start(), whole.end(), 0);
            if whole.as_str().contains("encrypted secret key") {
                hit = hit.with_severity(Severity::Medium);
            }
            hits.push(hit);
        }
        for found in self.wrapped.find_iter(text) {
            if found.len() > MAX_SECRET_LEN {
                continue;
            }
            let Ok(decoded) = STANDARD.decode(found.as_str()) else {
                continue;
            };
            let decoded = String::from_utf8_lossy(&decoded);
            let Some(comment) = decoded.lines().next() else {
                continue;
            };
            let payload = decoded.lines().nth(1).unwrap_or("");
            if comment.contains("secret key") && payload.len() >= 100 {
                let mut hit = Hit::new(&INFO, found.start(), found.end(), 0);
                if comment.contains("encrypted") {
                    hit = hit.with_severity(Severity::Medium);
                }
                hits.push(hit);
            }
        }
    }
}
