//! HCP Terraform (Terraform Cloud) API token.
//!
//! ## What it finds
//!
//! 14 letters and digits, `.atlasv1.`, and 60 to 70 characters: user, team and
//! organization tokens of HCP Terraform and Terraform Enterprise. The random
//! part must measure at least 3.5 bits of entropy per character.
//!
//! gitleaks: `hashicorp-tf-api-token`.
//!
//! ## Not a finding
//!
//! Placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`), values of another length or alphabet, and the prefix glued
//! to the end of a longer word or blob.
//!
//! ## Fix
//!
//! Revoke the token in HCP Terraform (User settings → Tokens, or the
//! team/organization settings), remove it from the history, and read it from a
//! secret at run time.

use crate::detect::kit::{BASE62, BASE64URL, Part, TokenRule, TokenSpec};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: TokenSpec = TokenSpec {
    info: RuleInfo {
        id: "terraform-cloud-api-token",
        title: "HCP Terraform (Terraform Cloud) API token",
        gitleaks: &["hashicorp-tf-api-token"],
        keywords: &["atlasv1"],
        severity: Severity::Critical,
        min_entropy: 3.5,
        scope: Scope::LINE,
    },
    pattern: r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=\-]{60,70}",
    public_prefix: 0,
    validate: None,
    context: &[],
    fake: &[
        Part::Rand(BASE62, 14),
        Part::Lit(".atlasv1."),
        Part::Rand(BASE64URL, 60),
    ],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(TokenRule::new(&SPEC))
}
