//! What differs between two manifests, entry by entry.

use serde::Serialize;

use crate::model::{Entry, EntryKind, Manifest};

/// How one entry differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Only in the actual tree.
    Added,
    /// Only in the expected tree.
    Removed,
    /// A file whose bytes differ.
    Content,
    /// A file became a directory, a link became a file...
    Kind,
    /// A symlink that points elsewhere.
    Target,
    /// Permission bits differ.
    Mode,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Content => "content",
            Change::Kind => "kind",
            Change::Target => "target",
            Change::Mode => "mode",
        }
    }
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The path as a reader sees it (see [`Manifest::display_path`]).
    pub path: String,
    pub change: Change,
    /// What the expected manifest says (digest, kind, target or mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What the actual manifest says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
}

/// What to compare.
#[derive(Debug, Clone, Copy)]
pub struct DiffOptions {
    /// Compare permission bits too.
    pub modes: bool,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions { modes: true }
    }
}

/// Every difference between `expected` and `actual`, in path order.
/// Entries are matched by root index and path, so two trees at different
/// places compare by content.
pub fn diff(expected: &Manifest, actual: &Manifest, options: &DiffOptions) -> Vec<Difference> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    let (a, b) = (&expected.entries, &actual.entries);
    while i < a.len() || j < b.len() {
        let order = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => x.key().cmp(&y.key()),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, _) => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                let x = &a[i];
                out.push(Difference {
                    path: expected.display_path(x.root, &x.path),
                    change: Change::Removed,
                    expected: Some(describe(x)),
                    actual: None,
                });
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                let y = &b[j];
                out.push(Difference {
                    path: actual.display_path(y.root, &y.path),
                    change: Change::Added,
                    expected: None,
                    actual: Some(describe(y)),
                });
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                let (x, y) = (&a[i], &b[j]);
                if let Some((change, e, f)) = compare(x, y, options) {
                    out.push(Difference {
                        path: expected.display_path(x.root, &x.path),
                        change,
                        expected: Some(e),
                        actual: Some(f),
                    });
                }
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn compare(x: &Entry, y: &Entry, options: &DiffOptions) -> Option<(Change, String, String)> {
    if x.kind != y.kind {
        return Some((Change::Kind, describe(x), describe(y)));
    }
    match x.kind {
        EntryKind::File if x.blake3 != y.blake3 || x.size != y.size => {
            return Some((Change::Content, describe(x), describe(y)));
        }
        EntryKind::Symlink if x.target != y.target => {
            return Some((Change::Target, describe(x), describe(y)));
        }
        _ => {}
    }
    if options.modes && x.mode != y.mode {
        return Some((
            Change::Mode,
            x.mode.clone().unwrap_or_default(),
            y.mode.clone().unwrap_or_default(),
        ));
    }
    None
}

/// An entry in a few words: `file 12 bytes blake3:ab12…`, `symlink -> x`.
pub fn describe(entry: &Entry) -> String {
    match entry.kind {
        EntryKind::File => format!(
            "file {} bytes blake3:{}",
            entry.size.unwrap_or(0),
            entry.blake3.as_deref().unwrap_or("?")
        ),
        EntryKind::Dir => "dir".to_owned(),
        EntryKind::Symlink => format!("symlink -> {}", entry.target.as_deref().unwrap_or("")),
    }
}
