//! Alibaba Cloud AccessKey ID.
//!
//! ## What it finds
//!
//! `LTAI` followed by 20 letters and digits: it names an Alibaba Cloud
//! AccessKey pair, whose secret is usually next to it. The random part must
//! measure at least 3.0 bits of entropy per character.
//!
//! gitleaks: `alibaba-access-key-id`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Disable the AccessKey pair in the RAM console, remove it from the history,
//! and use RAM roles or STS tokens at run time.

use crate::detect::kit::{BASE62, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "alibaba-access-key-id",
        title: "Alibaba Cloud AccessKey ID",
        gitleaks: &["alibaba-access-key-id"],
        keywords: &["ltai"],
        severity: Severity::Medium,
        min_entropy: 3.0,
        scope: Scope::LINE,
    },
    pattern: r"LTAI[A-Za-z0-9]{20}",
    public_prefix: 4,
    validate: None,
    context: &[],
    fake: &[Part::Lit("LTAI"), Part::Rand(BASE62, 20)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
