//! The baseline (`.ci-intel/secrets-baseline.json`): secrets known to be in
//! the repository, each accepted for a while by someone who answers for it.
//!
//! ```json
//! {
//!   "version": 1,
//!   "entries": [
//!     {
//!       "fingerprint": "sha256:0123456789abcdef",
//!       "rule": "aws-access-key-id",
//!       "path": "legacy/config.ini",
//!       "owner": "platform-team",
//!       "reason": "rotation tracked in INFRA-123",
//!       "expires": "2026-12-31"
//!     }
//!   ]
//! }
//! ```
//!
//! `fingerprint`, `owner`, `reason` and `expires` are required; `rule` and
//! `path` (a glob) narrow the entry. An entry is valid through its expiry
//! day (UTC); after it, the secret fails the gate again, with a message
//! naming the entry, its owner and the date. The file holds fingerprints
//! only, never values. A malformed file is a usage error (exit 2) naming the
//! file and the field.

use std::path::Path;

use chrono::NaiveDate;
use globset::{GlobBuilder, GlobMatcher};
use serde::{Deserialize, Serialize};

use ci_intel_core::Failure;

/// The format version this release reads and writes.
pub const BASELINE_VERSION: u32 = 1;

/// The file as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    pub version: u32,
    pub entries: Vec<BaselineEntry>,
}

/// One accepted secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// The secret's fingerprint as the scan reports it (`sha256:` and 16 hex).
    pub fingerprint: String,
    /// Only for this rule, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Only in files matching this glob, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Who answers for it.
    pub owner: String,
    /// Why it is accepted.
    pub reason: String,
    /// Last day (UTC, `YYYY-MM-DD`) it is accepted.
    pub expires: String,
}

/// A loaded, validated baseline.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    entries: Vec<Entry>,
    /// Where it was read from, for messages.
    pub source: Option<String>,
}

#[derive(Debug, Clone)]
struct Entry {
    raw: BaselineEntry,
    expires: NaiveDate,
    path: Option<GlobMatcher>,
}

/// What the baseline says about one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not in the baseline.
    Unknown,
    /// Accepted by entry `index` until its expiry.
    Accepted { index: usize },
    /// Entry `index` matched but has expired.
    Expired { index: usize },
}

impl Baseline {
    /// Read `path`. A missing file is an empty baseline when `required` is
    /// false (the configured default path), a usage error when true (a path
    /// the caller named).
    pub fn load(path: &Path, required: bool) -> Result<Baseline, Failure> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(Baseline::default());
            }
            Err(e) => {
                return Err(Failure::usage(format!(
                    "cannot read baseline {}: {e}",
                    path.display()
                )));
            }
        };
        Baseline::parse(&path.display().to_string(), &text)
    }

    /// Parse and validate a baseline's text; `name` is used in messages.
    pub fn parse(name: &str, text: &str) -> Result<Baseline, Failure> {
        let deserializer = &mut serde_json::Deserializer::from_str(text);
        let file: BaselineFile = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let field = e.path().to_string();
            let field = if field == "." {
                "(top level)".to_owned()
            } else {
                format!("`{field}`")
            };
            Failure::usage(format!("baseline {name}: field {field}: {}", e.inner()))
        })?;
        if file.version != BASELINE_VERSION {
            return Err(Failure::usage(format!(
                "baseline {name}: field `version`: {} is not supported; this release reads version {BASELINE_VERSION}",
                file.version
            )));
        }
        let mut entries = Vec::new();
        for (i, raw) in file.entries.into_iter().enumerate() {
            let field = |f: &str| format!("baseline {name}: field `entries[{i}].{f}`");
            if !is_fingerprint(&raw.fingerprint) {
                return Err(Failure::usage(format!(
                    "{}: `{}` is not a fingerprint (`sha256:` and 16 lower-case hex digits, as the scan prints it)",
                    field("fingerprint"),
                    raw.fingerprint
                )));
            }
            for (key, value) in [("owner", &raw.owner), ("reason", &raw.reason)] {
                if value.trim().is_empty() {
                    return Err(Failure::usage(format!(
                        "{}: must not be empty (every accepted secret needs an owner and a reason)",
                        field(key)
                    )));
                }
            }
            let expires = NaiveDate::parse_from_str(&raw.expires, "%Y-%m-%d").map_err(|e| {
                Failure::usage(format!(
                    "{}: `{}` is not a date (YYYY-MM-DD): {e}",
                    field("expires"),
                    raw.expires
                ))
            })?;
            let path = match &raw.path {
                Some(pattern) => Some(
                    GlobBuilder::new(pattern)
                        .literal_separator(true)
                        .build()
                        .map_err(|e| {
                            Failure::usage(format!(
                                "{}: `{pattern}` is not a valid glob: {e}",
                                field("path")
                            ))
                        })?
                        .compile_matcher(),
                ),
                None => None,
            };
            entries.push(Entry { raw, expires, path });
        }
        Ok(Baseline {
            entries,
            source: Some(name.to_owned()),
        })
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry, as written.
    pub fn entries(&self) -> impl Iterator<Item = &BaselineEntry> {
        self.entries.iter().map(|e| &e.raw)
    }

    /// The entry at `index`, as written.
    pub fn entry(&self, index: usize) -> Option<&BaselineEntry> {
        self.entries.get(index).map(|e| &e.raw)
    }

    /// Look a finding up. A valid entry wins over an expired one, so
    /// renewing an entry by adding a new one works.
    pub fn check(&self, fingerprint: &str, rule: &str, file: &str, today: NaiveDate) -> Verdict {
        let mut expired = None;
        for (index, entry) in self.entries.iter().enumerate() {
            let matches = entry.raw.fingerprint == fingerprint
                && entry.raw.rule.as_deref().is_none_or(|r| r == rule)
                && entry.path.as_ref().is_none_or(|g| g.is_match(file));
            if !matches {
                continue;
            }
            if entry.expires >= today {
                return Verdict::Accepted { index };
            }
            expired.get_or_insert(index);
        }
        match expired {
            Some(index) => Verdict::Expired { index },
            None => Verdict::Unknown,
        }
    }
}

fn is_fingerprint(text: &str) -> bool {
    text.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == crate::secret::FINGERPRINT_HEX_LEN
            && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    const GOOD: &str = r#"{"version": 1, "entries": [
        {"fingerprint": "sha256:0123456789abcdef", "owner": "team-a", "reason": "r", "expires": "2026-06-01"},
        {"fingerprint": "sha256:1111111111111111", "rule": "jwt", "path": "docs/**", "owner": "b", "reason": "r", "expires": "2020-01-01"}
    ]}"#;

    #[test]
    fn entries_accept_until_their_last_day_then_expire() {
        let baseline = Baseline::parse("b.json", GOOD).unwrap();
        let fp = "sha256:0123456789abcdef";
        assert_eq!(
            baseline.check(fp, "any", "x", day("2026-06-01")),
            Verdict::Accepted { index: 0 }
        );
        assert_eq!(
            baseline.check(fp, "any", "x", day("2026-06-02")),
            Verdict::Expired { index: 0 }
        );
        assert_eq!(
            baseline.check("sha256:ffffffffffffffff", "any", "x", day("2026-01-01")),
            Verdict::Unknown
        );
    }

    #[test]
    fn rule_and_path_narrow_an_entry() {
        let baseline = Baseline::parse("b.json", GOOD).unwrap();
        let fp = "sha256:1111111111111111";
        let today = day("2026-01-01");
        assert_eq!(
            baseline.check(fp, "jwt", "docs/a/b.md", today),
            Verdict::Expired { index: 1 }
        );
        assert_eq!(
            baseline.check(fp, "jwt", "src/a.md", today),
            Verdict::Unknown
        );
        assert_eq!(
            baseline.check(fp, "other", "docs/a.md", today),
            Verdict::Unknown
        );
    }

    #[test]
    fn malformed_baselines_name_the_file_and_field() {
        for (text, field) in [
            ("[]", "(top level)"),
            (r#"{"version": 1}"#, "(top level)"),
            (r#"{"version": 2, "entries": []}"#, "`version`"),
            (
                r#"{"version": 1, "entries": [{"fingerprint": "x", "owner": "o", "reason": "r", "expires": "2026-01-01"}]}"#,
                "`entries[0].fingerprint`",
            ),
            (
                r#"{"version": 1, "entries": [{"fingerprint": "sha256:0123456789abcdef", "owner": " ", "reason": "r", "expires": "2026-01-01"}]}"#,
                "`entries[0].owner`",
            ),
            (
                r#"{"version": 1, "entries": [{"fingerprint": "sha256:0123456789abcdef", "owner": "o", "reason": "r", "expires": "soon"}]}"#,
                "`entries[0].expires`",
            ),
            (
                r#"{"version": 1, "entries": [{"fingerprint": "sha256:0123456789abcdef", "owner": "o", "reason": "r"}]}"#,
                "`entries[0]`",
            ),
            (
                r#"{"version": 1, "entries": [{"fingerprint": "sha256:0123456789abcdef", "owner": "o", "reason": "r", "expires": "2026-01-01", "value": "x"}]}"#,
                "`entries[0]",
            ),
            (
                r#"{"version": 1, "entries": [{"fingerprint": "sha256:0123456789abcdef", "owner": 5, "reason": "r", "expires": "2026-01-01"}]}"#,
                "`entries[0].owner`",
            ),
        ] {
            let err = Baseline::parse("conf/b.json", text).unwrap_err();
            assert_eq!(err.code, ci_intel_core::ExitCode::Usage);
            assert!(err.message.contains("conf/b.json"), "{}", err.message);
            assert!(err.message.contains(field), "{field}: {}", err.message);
        }
    }

    #[test]
    fn a_missing_default_baseline_is_empty_but_a_named_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.json");
        assert!(Baseline::load(&path, false).unwrap().is_empty());
        assert_eq!(
            Baseline::load(&path, true).unwrap_err().code,
            ci_intel_core::ExitCode::Usage
        );
    }
}
