//! The lists in `crates/policy/data/actions.txt` (archived repositories,
//! popular actions, superfluous actions, actions that fetch unpinned tools),
//! read once. The file names its source.

use std::collections::BTreeMap;
use std::sync::OnceLock;

const TEXT: &str = include_str!("../../data/actions.txt");

/// Every section of the data file: its entries, lower-cased, with the text
/// after ` = ` where there is one.
#[derive(Debug, Default)]
pub struct Lists {
    sections: BTreeMap<String, BTreeMap<String, String>>,
}

impl Lists {
    fn parse(text: &str) -> Lists {
        let mut lists = Lists::default();
        let mut current = String::new();
        for raw in text.lines() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                current = name.to_owned();
                continue;
            }
            let (key, value) = match line.split_once(" = ") {
                Some((k, v)) => (k.trim(), v.trim()),
                None => (line, ""),
            };
            lists
                .sections
                .entry(current.clone())
                .or_default()
                .insert(key.to_ascii_lowercase(), value.to_owned());
        }
        lists
    }

    /// Is `name` (any case) listed in `section`?
    pub fn contains(&self, section: &str, name: &str) -> bool {
        self.get(section, name).is_some()
    }

    /// The text after ` = ` of `name` in `section`, or "" when it has none.
    pub fn get(&self, section: &str, name: &str) -> Option<&str> {
        self.sections
            .get(section)
            .and_then(|s| s.get(&name.to_ascii_lowercase()))
            .map(String::as_str)
    }

    /// Every entry of `section`.
    pub fn entries(&self, section: &str) -> impl Iterator<Item = &str> {
        self.sections
            .get(section)
            .into_iter()
            .flat_map(|s| s.keys().map(String::as_str))
    }
}

/// The lists, parsed on first use.
pub fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| Lists::parse(TEXT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_is_present() {
        let l = lists();
        assert!(l.contains("archived", "ACTIONS/setup-ruby"));
        assert!(l.contains("popular", "actions/checkout"));
        assert_eq!(
            l.get("superfluous", "dtolnay/rust-toolchain"),
            Some("rustup")
        );
        assert!(l.contains("unpinned-tools", "aquasecurity/setup-trivy"));
        assert!(!l.contains("archived", "actions/checkout"));
    }
}
