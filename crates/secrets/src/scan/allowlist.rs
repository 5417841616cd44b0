//! `secrets.allowlist`: paths that are not scanned, and secret values that
//! are not findings. Every entry is validated up front; a bad one is a usage
//! error naming its key and index.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use regex::Regex;

use crate::config::SecretsAllowlist;
use ci_intel_core::Failure;

/// The compiled allowlist.
#[derive(Debug, Clone)]
pub struct Allowlist {
    paths: GlobSet,
    regexes: Vec<(Regex, String)>,
    /// Lower-cased.
    stopwords: Vec<String>,
}

impl Default for Allowlist {
    fn default() -> Self {
        Allowlist {
            paths: GlobSet::empty(),
            regexes: Vec::new(),
            stopwords: Vec::new(),
        }
    }
}

impl Allowlist {
    pub fn new(config: &SecretsAllowlist) -> Result<Allowlist, Failure> {
        let mut paths = GlobSetBuilder::new();
        for (i, pattern) in config.paths.iter().enumerate() {
            // `*` stays within one directory, as in .gitignore; `**` crosses.
            let glob = GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| {
                    Failure::usage(format!(
                        "secrets.allowlist.paths[{i}]: `{pattern}` is not a valid glob: {e}"
                    ))
                })?;
            paths.add(glob);
        }
        let paths = paths
            .build()
            .map_err(|e| Failure::usage(format!("secrets.allowlist.paths: {e}")))?;
        let mut regexes = Vec::new();
        for (i, source) in config.regexes.iter().enumerate() {
            let regex = regex::RegexBuilder::new(source)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| {
                    Failure::usage(format!(
                        "secrets.allowlist.regexes[{i}]: `{source}` is not a valid regular expression: {e}"
                    ))
                })?;
            regexes.push((regex, source.clone()));
        }
        let mut stopwords = Vec::new();
        for (i, word) in config.stopwords.iter().enumerate() {
            if word.trim().is_empty() {
                // An empty stopword would be contained in every value.
                return Err(Failure::usage(format!(
                    "secrets.allowlist.stopwords[{i}] is empty: it would allow every secret"
                )));
            }
            stopwords.push(word.to_lowercase());
        }
        Ok(Allowlist {
            paths,
            regexes,
            stopwords,
        })
    }

    /// True when `relative` (`/`-separated, relative to the scanned root)
    /// is not to be scanned.
    pub fn excludes_path(&self, relative: &str) -> bool {
        self.paths.is_match(relative)
    }

    /// Why `value` is allowed, if it is: the regex or stopword that matched.
    pub fn allows_value(&self, value: &str) -> Option<String> {
        if let Some((_, source)) = self.regexes.iter().find(|(r, _)| r.is_match(value)) {
            return Some(format!("secrets.allowlist.regexes `{source}`"));
        }
        let lower = value.to_lowercase();
        self.stopwords
            .iter()
            .find(|w| lower.contains(w.as_str()))
            .map(|w| format!("secrets.allowlist.stopwords `{w}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(paths: &[&str], regexes: &[&str], stopwords: &[&str]) -> SecretsAllowlist {
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
        SecretsAllowlist {
            paths: owned(paths),
            regexes: owned(regexes),
            stopwords: owned(stopwords),
        }
    }

    #[test]
    fn paths_regexes_and_stopwords() {
        let list = Allowlist::new(&config(&["test/**", "*.lock"], &["^FAKE"], &["Dummy"])).unwrap();
        assert!(list.excludes_path("test/a/b.txt"));
        assert!(list.excludes_path("Cargo.lock"));
        assert!(
            !list.excludes_path("sub/Cargo.lock"),
            "`*` stays in one directory"
        );
        assert!(list.allows_value("FAKE123").unwrap().contains("^FAKE"));
        assert!(list.allows_value("xxDUMMYxx").unwrap().contains("dummy"));
        assert!(list.allows_value("real").is_none());
    }

    #[test]
    fn bad_entries_name_their_key() {
        let err = Allowlist::new(&config(&["a/[b"], &[], &[])).unwrap_err();
        assert!(
            err.message.contains("secrets.allowlist.paths[0]"),
            "{}",
            err.message
        );
        let err = Allowlist::new(&config(&[], &["ok", "("], &[])).unwrap_err();
        assert!(
            err.message.contains("secrets.allowlist.regexes[1]"),
            "{}",
            err.message
        );
        let err = Allowlist::new(&config(&[], &[], &[" "])).unwrap_err();
        assert!(
            err.message.contains("secrets.allowlist.stopwords[0]"),
            "{}",
            err.message
        );
    }
}
