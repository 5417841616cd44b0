//! Amazon Bedrock API key.
//!
//! ## What it finds
//!
//! Long-term keys: `ABSK` and 109 to 269 base64 characters. Short-term keys:
//! `bedrock-api-key-` and the base64 of a presigned `bedrock.amazonaws.com` URL
//! (it starts `YmVkcm9jay5hbWF6b25hd3MuY29t`). The random part must measure at
//! least 3.0 bits of entropy per character.
//!
//! gitleaks: `aws-amazon-bedrock-api-key-long-lived`,
//! `aws-amazon-bedrock-api-key-short-lived`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Delete the long-term key in IAM (service-specific credentials) or let the
//! short-term key expire; remove it from the history; use IAM roles at run
//! time.

use crate::detect::kit::{BASE64, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "aws-bedrock-api-key",
        title: "Amazon Bedrock API key",
        gitleaks: &[
            "aws-amazon-bedrock-api-key-long-lived",
            "aws-amazon-bedrock-api-key-short-lived",
        ],
        keywords: &["absk", "bedrock-api-key-"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"(?:ABSK(?P<r>[A-Za-z0-9+/]{109,269}={0,2})|bedrock-api-key-(?P<s2>YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/]*={0,2}))",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("ABSK"), Part::Rand(BASE64, 109)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
