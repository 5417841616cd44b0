//! `.ci-intel/suppressions.yml`: accepted findings of SARIF producers, each
//! with an owner, a justification and an expiry no further than
//! `sarif.max_suppression_days` after its creation.
//!
//! ```yaml
//! suppressions:
//!   - rule: zizmor/unpinned-uses          # a rule id and a path glob...
//!     path: .github/workflows/legacy.yml
//!     owner: "@acme/platform"
//!     justification: the workflow is deleted with the 2.0 migration
//!     created: 2025-03-01
//!     expires: 2025-03-28
//!   - fingerprint: 5f0c2a...              # ...or a partialFingerprints value
//!     owner: alice
//!     justification: false positive, reported upstream
//!     created: 2025-03-01
//!     expires: 2025-03-15
//! ```
//!
//! A suppression that is expired, ownerless, unjustified, too long or
//! untargeted does not apply, and is a finding itself (rules in
//! [`rules`]); `sarif merge` also reports suppressions that matched nothing.

pub mod rules;

use std::path::Path;

use chrono::NaiveDate;
use globset::{Glob, GlobMatcher};
use serde::Deserialize;

use ci_intel_core::{Failure, Finding, Location};

/// The file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressionsFile {
    #[serde(default)]
    pub suppressions: Vec<Entry>,
}

/// One suppression.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// A `partialFingerprints` value (or a ci-intel finding fingerprint).
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// A rule id, with `path`.
    #[serde(default)]
    pub rule: Option<String>,
    /// A glob of result paths (`/`-separated, `**` for any depth), with `rule`.
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub justification: Option<String>,
    #[serde(default)]
    pub created: Option<NaiveDate>,
    #[serde(default)]
    pub expires: Option<NaiveDate>,
}

/// What the rules judge an entry against.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    /// The file, as findings name it.
    pub file: &'a str,
    pub today: NaiveDate,
    pub max_days: u32,
}

/// A loaded file: entries with their lines and whether each applies.
#[derive(Debug, Clone)]
pub struct Suppressions {
    pub file: String,
    pub entries: Vec<Loaded>,
    /// Findings about the entries.
    pub findings: Vec<Finding>,
}

/// One entry, checked.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub entry: Entry,
    /// 1-based line of the entry's `-`.
    pub line: u32,
    /// False when a rule found something: it suppresses nothing then.
    pub valid: bool,
    matcher: Option<GlobMatcher>,
}

impl Loaded {
    /// A short description for messages: the fingerprint or rule and path.
    pub fn describe(&self) -> String {
        describe(&self.entry)
    }

    /// Whether this entry suppresses a result of `rule` at `path` with these
    /// fingerprint values.
    pub fn matches(&self, rule: &str, path: &str, fingerprints: &[&str]) -> bool {
        if !self.valid {
            return false;
        }
        if let Some(fingerprint) = &self.entry.fingerprint {
            return fingerprints.iter().any(|f| f == fingerprint);
        }
        match (&self.entry.rule, &self.matcher) {
            (Some(wanted), Some(matcher)) => wanted == rule && matcher.is_match(path),
            _ => false,
        }
    }
}

pub(crate) fn describe(entry: &Entry) -> String {
    match (&entry.fingerprint, &entry.rule, &entry.path) {
        (Some(fp), _, _) => format!("fingerprint {fp}"),
        (None, Some(rule), Some(path)) => format!("{rule} at {path}"),
        (None, Some(rule), None) => format!("{rule} (no path)"),
        (None, None, Some(path)) => format!("(no rule) at {path}"),
        (None, None, None) => "an entry with neither fingerprint nor rule".to_owned(),
    }
}

/// Parse and check a suppressions file's text. A file that is not valid
/// YAML of this shape is a configuration error (exit 2) naming the file.
pub fn parse(
    text: &str,
    file: &str,
    today: NaiveDate,
    max_days: u32,
) -> Result<Suppressions, Failure> {
    let parsed: SuppressionsFile = if text.trim().is_empty() {
        SuppressionsFile::default()
    } else {
        yaml_serde::from_str(text).map_err(|e| {
            Failure::usage(format!(
                "{file}: not a suppressions file: {e}; expected `suppressions:` with entries of fingerprint or rule+path, owner, justification, created, expires (docs/evidence.md)"
            ))
        })?
    };
    let lines = entry_lines(text);
    let ctx = Context {
        file,
        today,
        max_days,
    };
    let mut entries = Vec::new();
    let mut findings = Vec::new();
    for (index, entry) in parsed.suppressions.into_iter().enumerate() {
        let line = lines.get(index).copied().unwrap_or(1);
        let found = rules::check(&entry, line, &ctx);
        let matcher = entry
            .path
            .as_deref()
            .and_then(|p| Glob::new(p).ok())
            .map(|g| g.compile_matcher());
        entries.push(Loaded {
            valid: found.is_empty(),
            entry,
            line,
            matcher,
        });
        findings.extend(found);
    }
    Ok(Suppressions {
        file: file.to_owned(),
        entries,
        findings,
    })
}

/// Read and check a suppressions file. `None` when it does not exist.
pub fn load(
    path: &Path,
    shown_as: &str,
    today: NaiveDate,
    max_days: u32,
) -> Result<Option<Suppressions>, Failure> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, shown_as, today, max_days).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Failure::usage(format!("cannot read {shown_as}: {e}"))),
    }
}

/// The line of each list item of `suppressions:`, in order: lines whose
/// first non-blank character is `-` at the smallest indentation seen.
fn entry_lines(text: &str) -> Vec<u32> {
    let items: Vec<(usize, u32)> = text
        .lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let trimmed = line.trim_start();
            (trimmed.starts_with("- ") || trimmed == "-").then(|| {
                (
                    line.len() - trimmed.len(),
                    u32::try_from(index + 1).unwrap_or(u32::MAX),
                )
            })
        })
        .collect();
    let Some(indent) = items.iter().map(|(i, _)| *i).min() else {
        return Vec::new();
    };
    items
        .into_iter()
        .filter(|(i, _)| *i == indent)
        .map(|(_, line)| line)
        .collect()
}

/// A finding about the entry at `line` of the file.
pub(crate) fn finding(
    rule: &ci_intel_core::RuleMeta,
    message: String,
    entry: &Entry,
    ctx: &Context<'_>,
    line: u32,
    fix: &str,
) -> Finding {
    Finding::new(
        rule.id,
        rule.default_severity,
        message,
        Some(Location::at(ctx.file, line, None)),
        &describe(entry),
    )
    .with_fix(fix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_valid_entry_matches_by_rule_and_glob_or_fingerprint() {
        let text = "suppressions:\n  - rule: r1\n    path: .github/**\n    owner: a\n    justification: j\n    created: 2025-01-01\n    expires: 2025-01-20\n  - fingerprint: abc\n    owner: b\n    justification: j\n    created: 2025-01-01\n    expires: 2025-01-10\n";
        let s = parse(text, "s.yml", day("2025-01-05"), 30).unwrap();
        assert!(s.findings.is_empty(), "{:?}", s.findings);
        assert_eq!(s.entries[0].line, 2);
        assert_eq!(s.entries[1].line, 8);
        assert!(s.entries[0].matches("r1", ".github/workflows/a.yml", &[]));
        assert!(!s.entries[0].matches("r2", ".github/workflows/a.yml", &[]));
        assert!(!s.entries[0].matches("r1", "src/a.yml", &[]));
        assert!(s.entries[1].matches("any", "any", &["x", "abc"]));
        assert!(!s.entries[1].matches("any", "any", &["x"]));
    }

    #[test]
    fn malformed_files_are_configuration_errors_naming_the_file() {
        let err = parse(
            "suppressions:\n  - owner: [1\n",
            "s.yml",
            day("2025-01-01"),
            30,
        )
        .unwrap_err();
        assert_eq!(err.code, ci_intel_core::ExitCode::Usage);
        assert!(err.message.starts_with("s.yml: "), "{}", err.message);
        let err = parse(
            "suppressions:\n  - onwer: a\n",
            "s.yml",
            day("2025-01-01"),
            30,
        )
        .unwrap_err();
        assert!(err.message.contains("onwer"), "{}", err.message);
        assert!(
            parse("", "s.yml", day("2025-01-01"), 30)
                .unwrap()
                .entries
                .is_empty()
        );
    }
}
