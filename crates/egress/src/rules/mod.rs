//! The offline checks of `ci-intel check` on the `egress:` section, one
//! rule per file. A rule file's `//!` comment is its documentation
//! (docs/egress.md carries it; a test keeps the two identical) and its
//! fixtures live in `tests/fixtures/<rule-id>/{fires,quiet}`.

mod audit_mode;
mod broad_entry;
mod invalid_entry;
mod metadata_allowed;
mod smoke_inconsistent;

use ci_intel_core::{Finding, Location, RuleMeta, Severity};

use crate::config::EgressConfig;

/// A rule: its identity and its check.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub title: &'static str,
    pub default_severity: Severity,
    pub check: fn(&Ctx<'_>, &mut Vec<Finding>),
}

/// Every rule, in documentation order.
pub const RULES: &[Rule] = &[
    invalid_entry::RULE,
    broad_entry::RULE,
    metadata_allowed::RULE,
    smoke_inconsistent::RULE,
    audit_mode::RULE,
];

/// Each rule's source, for its documentation.
pub const DOCS: &[(&str, &str)] = &[
    ("invalid-entry", include_str!("invalid_entry.rs")),
    ("broad-entry", include_str!("broad_entry.rs")),
    ("metadata-allowed", include_str!("metadata_allowed.rs")),
    ("smoke-inconsistent", include_str!("smoke_inconsistent.rs")),
    ("audit-mode", include_str!("audit_mode.rs")),
];

/// What a rule looks at: the effective section, and the repository's
/// configuration file (for line numbers) when there is one.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub config: &'a EgressConfig,
    /// The configuration file, relative to the checkout root.
    pub file: &'a str,
    /// Its text, when the repository has one.
    pub text: Option<&'a str>,
}

impl Ctx<'_> {
    /// Where `value` is written under `egress.<key>` (best effort: the
    /// first line below the key that contains it). An entry that came
    /// from the org overlay is located at the file only.
    pub fn locate(&self, key: &str, value: &str) -> Location {
        let Some(text) = self.text else {
            return Location::file(self.file);
        };
        let mut in_section = false;
        let mut in_key = false;
        let leaf = key.rsplit('.').next().unwrap_or(key);
        for (index, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            if !line.starts_with([' ', '\t', '-'])
                && !trimmed.is_empty()
                && !trimmed.starts_with('#')
            {
                in_section = trimmed.starts_with("egress:");
                in_key = false;
            }
            if !in_section {
                continue;
            }
            if trimmed.starts_with(&format!("{leaf}:")) {
                in_key = true;
            }
            if in_key && line_has_value(trimmed, value) {
                let column = line.find(value).map(|c| c as u32 + 1);
                return Location::at(self.file, index as u32 + 1, column);
            }
        }
        Location::file(self.file)
    }

    /// A finding of `rule` about `value` under `egress.<key>`.
    pub fn finding(
        &self,
        rule: &Rule,
        severity: Severity,
        key: &str,
        value: &str,
        message: String,
        fix: &str,
    ) -> Finding {
        Finding::new(
            rule.id,
            severity,
            message,
            Some(self.locate(key, value)),
            &format!("egress.{key}={value}"),
        )
        .with_fix(fix)
    }
}

fn line_has_value(line: &str, value: &str) -> bool {
    let Some(at) = line.find(value) else {
        return false;
    };
    let before = line[..at].chars().next_back();
    let after = line[at + value.len()..].chars().next();
    let boundary = |c: Option<char>| {
        c.is_none_or(|c| matches!(c, ' ' | '"' | '\'' | ',' | '[' | ']' | '-' | ':'))
    };
    boundary(before) && boundary(after)
}

/// Every rule's metadata (SARIF `tool.driver.rules`).
pub fn rule_metas() -> Vec<RuleMeta> {
    RULES
        .iter()
        .map(|rule| RuleMeta {
            id: rule.id,
            title: rule.title,
            default_severity: rule.default_severity,
            help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/egress.md"),
        })
        .collect()
}

/// Run every rule.
pub fn check(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in RULES {
        (rule.check)(ctx, &mut findings);
    }
    findings
}

/// A rule's documentation: its source's leading `//!` lines.
pub fn doc_of(id: &str) -> Option<String> {
    DOCS.iter()
        .find(|(rule, _)| *rule == id)
        .map(|(_, source)| crate::builtin::doc_of(source))
}
