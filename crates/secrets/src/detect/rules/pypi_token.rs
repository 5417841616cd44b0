//! A PyPI (or TestPyPI) API token.
//!
//! ## What it finds
//!
//! `pypi-` followed by a base64url macaroon whose first bytes name the
//! issuing index: `AgEIcHlwaS5vcmc` (pypi.org) or
//! `AgENdGVzdC5weXBpLm9yZw` (test.pypi.org), then at least 50 more
//! characters. TestPyPI tokens are reported at medium severity.
//!
//! gitleaks: `pypi-upload-token`.
//!
//! ## Not a finding
//!
//! `pypi-` followed by anything that is not a pypi.org or test.pypi.org
//! macaroon (`pypi-token-here`, package names such as `pypi-simple`).
//!
//! ## Fix
//!
//! Delete the token (pypi.org → Account settings → API tokens), remove it
//! from the history, and publish with trusted publishing (OIDC:
//! `pypa/gh-action-pypi-publish` without a password) instead of tokens.

use regex::Regex;

use super::{ends_cleanly, pattern};
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "pypi-token",
    title: "PyPI API token",
    gitleaks: &["pypi-upload-token"],
    keywords: &["pypi-age"],
    severity: Severity::Critical,
    min_entropy: 3.0,
    scope: Scope::LINE,
};

#[derive(Debug)]
pub struct PypiToken {
    pattern: Regex,
}

impl PypiToken {
    pub fn new() -> Self {
        PypiToken {
            pattern: pattern(r"\bpypi-(AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{50,}"),
        }
    }
}

impl Rule for PypiToken {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.pattern.captures_iter(text) {
            let (Some(whole), Some(index)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            if !ends_cleanly(text, whole.end()) {
                continue;
            }
            let mut hit = Hit::new(&INFO, whole.start(), whole.end(), 5);
            if index.as_str().starts_with("AgEN") {
                hit = hit.with_severity(Severity::Medium);
            }
            hits.push(hit);
        }
    }
}
