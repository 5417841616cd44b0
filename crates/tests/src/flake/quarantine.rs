//! The quarantine list (`.ci-intel/quarantine.yml`): flaky tests that do
//! not fail the gate for a while, each owned by someone.
//!
//! ```yaml
//! version: 1
//! quarantine:
//!   - test: "tests.test_api::test_timeout"   # the id the flake report prints
//!     owner: "@api-team"
//!     reason: "races the mock server, #412"
//!     expires: 2026-12-31                   # valid through this day (UTC)
//! ```
//!
//! `test`, `reason` and `expires` are required: a file without them, with
//! unknown keys, or with a date that is not `YYYY-MM-DD` is a usage error
//! (exit 2) naming the file and the field. A missing or blank `owner` and a
//! past `expires` are findings (`quarantine-ownerless`,
//! `quarantine-expired`) that deny: the file is readable, the entry is not
//! acceptable.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use ci_intel_core::{Failure, Finding};

use crate::rules::{quarantine_expired, quarantine_ownerless};

/// The format version this release reads.
pub const QUARANTINE_VERSION: u32 = 1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    quarantine: Vec<RawEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    test: String,
    #[serde(default)]
    owner: Option<String>,
    reason: String,
    expires: String,
    #[serde(default)]
    issue: Option<String>,
}

/// One quarantined test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub test: String,
    /// Empty when the entry has none (a finding).
    pub owner: String,
    pub reason: String,
    pub expires: NaiveDate,
    pub issue: Option<String>,
    /// The entry's line in the file (1-based), for findings.
    pub line: u32,
}

/// A loaded quarantine list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Quarantine {
    /// The file, relative to the repository (for findings).
    pub file: String,
    pub entries: Vec<Entry>,
}

impl Quarantine {
    /// Parse and validate the file's text. `name` is how findings and
    /// errors name it.
    pub fn parse(name: &str, text: &str) -> Result<Quarantine, Failure> {
        let deserializer = yaml_serde::Deserializer::from_str(text);
        let file: File = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let field = e.path().to_string();
            let field = if field == "." {
                "(top level)".to_owned()
            } else {
                format!("`{field}`")
            };
            Failure::usage(format!(
                "quarantine list {name}: field {field}: {}; each entry needs test, owner, reason and expires (YYYY-MM-DD)",
                e.inner()
            ))
        })?;
        if file.version != QUARANTINE_VERSION {
            return Err(Failure::usage(format!(
                "quarantine list {name}: field `version`: {} is not supported; this release reads version {QUARANTINE_VERSION}",
                file.version
            )));
        }
        let mut entries = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (i, raw) in file.quarantine.into_iter().enumerate() {
            let field = |f: &str| format!("quarantine list {name}: field `quarantine[{i}].{f}`");
            if raw.test.trim().is_empty() {
                return Err(Failure::usage(format!(
                    "{}: expected a test id, found an empty string",
                    field("test")
                )));
            }
            if raw.reason.trim().is_empty() {
                return Err(Failure::usage(format!(
                    "{}: expected why the test is quarantined, found an empty string",
                    field("reason")
                )));
            }
            let expires =
                NaiveDate::parse_from_str(raw.expires.trim(), "%Y-%m-%d").map_err(|_| {
                    Failure::usage(format!(
                        "{}: expected a date YYYY-MM-DD, found `{}`",
                        field("expires"),
                        raw.expires
                    ))
                })?;
            if let Some(first) = seen.insert(raw.test.clone(), i) {
                return Err(Failure::usage(format!(
                    "{}: `{}` is already quarantined by entry {first}; keep one entry per test",
                    field("test"),
                    raw.test
                )));
            }
            let line = entry_line(text, &raw.test, i);
            entries.push(Entry {
                test: raw.test,
                owner: raw.owner.unwrap_or_default().trim().to_owned(),
                reason: raw.reason,
                expires,
                issue: raw.issue,
                line,
            });
        }
        Ok(Quarantine {
            file: name.to_owned(),
            entries,
        })
    }

    /// The entry for a test id, if it is quarantined (expired or not).
    pub fn entry(&self, test: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.test == test)
    }

    /// Whether the test is quarantined: listed, whatever the state of the
    /// entry (an expired entry is a finding of its own; its test's flakiness
    /// is still not counted twice).
    pub fn contains(&self, test: &str) -> bool {
        self.entry(test).is_some()
    }

    /// Findings for entries without an owner or past their expiry on `today`.
    pub fn check(&self, today: NaiveDate) -> Vec<Finding> {
        let mut findings = Vec::new();
        for entry in &self.entries {
            if entry.owner.is_empty() {
                findings.push(quarantine_ownerless::check(
                    &entry.test,
                    &self.file,
                    entry.line,
                ));
            }
            if entry.expires < today {
                findings.push(quarantine_expired::check(
                    &entry.test,
                    &entry.expires.to_string(),
                    &entry.owner,
                    &self.file,
                    entry.line,
                ));
            }
        }
        findings
    }
}

/// The line of entry `index` (the line naming its test), best effort.
fn entry_line(text: &str, test: &str, index: usize) -> u32 {
    let lines: Vec<&str> = text.lines().collect();
    let found = lines.iter().position(|l| {
        let t = l.trim_start().trim_start_matches('-').trim_start();
        t.strip_prefix("test:")
            .map(|v| v.trim().trim_matches(['"', '\'']) == test)
            .unwrap_or(false)
    });
    let at = found.or_else(|| {
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.trim_start().starts_with("- "))
            .nth(index)
            .map(|(i, _)| i)
    });
    at.map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const GOOD: &str = "version: 1\nquarantine:\n  - test: \"a::b\"\n    owner: \"@team\"\n    reason: flaky\n    expires: 2026-12-31\n  - test: c::d\n    reason: nobody's\n    expires: \"2026-01-01\"\n";

    #[test]
    fn entries_are_read_with_their_lines() {
        let q = Quarantine::parse(".ci-intel/quarantine.yml", GOOD).unwrap();
        assert_eq!(q.entries.len(), 2);
        assert_eq!(q.entries[0].line, 3);
        assert_eq!(q.entries[1].line, 7);
        assert_eq!(q.entries[1].owner, "");
        assert!(q.contains("a::b"));
        assert!(!q.contains("a"));
    }

    #[test]
    fn ownerless_and_expired_entries_are_findings() {
        let q = Quarantine::parse("q.yml", GOOD).unwrap();
        let findings = q.check(day("2026-06-01"));
        let rules: Vec<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
        assert_eq!(rules, ["quarantine-ownerless", "quarantine-expired"]);
        // Valid through the expiry day.
        let findings = q.check(day("2026-01-01"));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule_id, "quarantine-ownerless");
    }

    #[test]
    fn malformed_files_are_usage_errors_naming_the_field() {
        let cases = [
            ("version: 2\n", "field `version`"),
            (
                "version: 1\nquarantine:\n  - test: x\n    reason: r\n    expires: soon\n",
                "quarantine[0].expires",
            ),
            (
                "version: 1\nquarantine:\n  - test: x\n    owner: o\n    expires: 2026-01-01\n",
                "reason",
            ),
            (
                "version: 1\nquarantine:\n  - test: x\n    reason: r\n    expires: 2026-01-01\n    colour: red\n",
                "colour",
            ),
            (
                "version: 1\nquarantine:\n  - {test: x, reason: r, expires: 2026-01-01}\n  - {test: x, reason: r, expires: 2026-01-01}\n",
                "already quarantined",
            ),
            ("- not a mapping\n", "quarantine list q.yml"),
        ];
        for (text, expected) in cases {
            let err = Quarantine::parse("q.yml", text).unwrap_err();
            assert_eq!(err.code, ci_intel_core::ExitCode::Usage);
            assert!(err.message.contains(expected), "{text:?}: {}", err.message);
        }
    }
}
