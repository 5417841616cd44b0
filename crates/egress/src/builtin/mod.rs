//! The built-in allowlist: the endpoints every GitHub Actions job needs,
//! one group per file (the group's `//!` comment is its documentation in
//! docs/egress.md; a test keeps the two identical).
//!
//! The list is versioned ([`VERSION`]): any change to a group's names
//! bumps it, and docs/egress.md keeps the history. `egress.builtin` in the
//! configuration keeps only some groups (a repository may drop groups,
//! never add names through them); the names come from GitHub's
//! "Communicating with self-hosted runners" page.

mod artifacts;
mod cache;
mod checkout;
mod logs;
mod oidc;
mod runner;

use crate::allowlist::NamePattern;

/// The version of the built-in list. Bumped whenever a group's names change.
pub const VERSION: u32 = 1;

/// A group of built-in endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    /// The id used in `egress.builtin`.
    pub id: &'static str,
    /// One line for listings.
    pub title: &'static str,
    /// Exact names and `*.` wildcards.
    pub names: &'static [&'static str],
}

impl Group {
    /// The group's names as patterns (the built-in names are valid; a test
    /// holds them to it).
    pub fn patterns(&self) -> Vec<NamePattern> {
        self.names
            .iter()
            .filter_map(|name| NamePattern::parse(name).ok())
            .collect()
    }
}

/// Every group, in documentation order.
pub const GROUPS: &[Group] = &[
    runner::GROUP,
    checkout::GROUP,
    artifacts::GROUP,
    cache::GROUP,
    oidc::GROUP,
    logs::GROUP,
];

/// Each group's documentation (its file's `//!` comment), by id.
pub const DOCS: &[(&str, &str)] = &[
    ("runner", include_str!("runner.rs")),
    ("checkout", include_str!("checkout.rs")),
    ("artifacts", include_str!("artifacts.rs")),
    ("cache", include_str!("cache.rs")),
    ("oidc", include_str!("oidc.rs")),
    ("logs", include_str!("logs.rs")),
];

/// The group with this id.
pub fn group(id: &str) -> Option<&'static Group> {
    GROUPS.iter().find(|g| g.id == id)
}

/// The documentation of one group: its source's leading `//!` lines.
pub fn doc_of(source: &str) -> String {
    source
        .lines()
        .map_while(|line| line.strip_prefix("//!"))
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_is_valid_documented_and_listed_once() {
        let mut ids: Vec<&str> = GROUPS.iter().map(|g| g.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), GROUPS.len());
        assert_eq!(DOCS.len(), GROUPS.len());
        for group in GROUPS {
            assert_eq!(group.patterns().len(), group.names.len(), "{}", group.id);
            let (_, source) = DOCS
                .iter()
                .find(|(id, _)| *id == group.id)
                .unwrap_or_else(|| panic!("{} has no docs", group.id));
            let doc = doc_of(source);
            for heading in ["## What it allows", "## Why a job needs it", "## Narrowing"] {
                assert!(doc.contains(heading), "{}: {heading}", group.id);
            }
            for name in group.names {
                assert!(doc.contains(&format!("`{name}`")), "{}: {name}", group.id);
            }
        }
    }
}
