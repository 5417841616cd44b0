//! A JSON Web Token (signed, JWS compact form).
//!
//! ## What it finds
//!
//! Three base64url parts separated by dots, the first two starting with
//! `eyJ` (base64 of `{"`), where the first decodes to a JSON object with an
//! `alg` other than `none` and the signature is at least 16 characters.
//! Many JWTs are short-lived, but service keys (Supabase `service_role`,
//! Firebase custom tokens, long-lived API keys issued as JWTs) are not, and
//! the scanner cannot tell which is which.
//!
//! gitleaks: `jwt`, `jwt-base64`.
//!
//! ## Not a finding
//!
//! Unsigned tokens (`alg: none`, empty signature), strings that start with
//! `eyJ` but whose header is not JSON, and base64 JSON blobs without the
//! three-part shape (DSSE payloads, data URLs).
//!
//! ## Fix
//!
//! If the token is long-lived, revoke it (rotate the signing key if need
//! be); remove it from the history; issue tokens at run time instead of
//! committing them.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use regex::Regex;

use super::{ends_cleanly, pattern};
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "jwt",
    title: "JSON Web Token",
    gitleaks: &["jwt", "jwt-base64"],
    keywords: &["eyj"],
    severity: Severity::High,
    min_entropy: 0.0,
    scope: Scope::LINE,
};

#[derive(Debug)]
pub struct Jwt {
    pattern: Regex,
}

impl Jwt {
    pub fn new() -> Self {
        Jwt {
            pattern: pattern(
                r"\b(eyJ[A-Za-z0-9_\-]{10,})\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{16,}",
            ),
        }
    }
}

impl Rule for Jwt {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.pattern.captures_iter(text) {
            let (Some(whole), Some(header)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            if ends_cleanly(text, whole.end()) && signed_header(header.as_str()) {
                hits.push(Hit::new(&INFO, whole.start(), whole.end(), 0));
            }
        }
    }
}

/// True when `header` is base64url of a JSON object with a non-`none` `alg`.
fn signed_header(header: &str) -> bool {
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(header.trim_end_matches('=')) else {
        return false;
    };
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(&bytes) else {
        return false;
    };
    fields
        .get("alg")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|alg| !alg.eq_ignore_ascii_case("none"))
}
