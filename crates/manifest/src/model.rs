//! The manifest: every entry of the tree with its BLAKE3, size, mode or
//! symlink target, sorted, and a root digest over all of them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `schema` of every manifest this crate writes and reads.
pub const SCHEMA: &str = "https://ci-intel.dev/schemas/manifest/v1";
/// The one hash algorithm of version 1.
pub const ALGORITHM: &str = "blake3";

/// What an entry is. Anything else (devices, FIFOs, sockets) cannot be in
/// a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Dir,
    File,
    Symlink,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Dir => "dir",
            EntryKind::File => "file",
            EntryKind::Symlink => "symlink",
        }
    }
}

/// One entry of a tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Index into [`Manifest::roots`].
    pub root: u32,
    /// Relative to the root, `/`-separated; empty for the root itself when
    /// the root is a file or a symlink.
    pub path: String,
    pub kind: EntryKind,
    /// Permission bits in octal (`0644`), files and directories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Bytes, files only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Lower-case hex BLAKE3 of the contents, files only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blake3: Option<String>,
    /// The link's target as stored (not resolved), symlinks only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

impl Entry {
    /// The sort key: root index, then the path's bytes.
    pub fn key(&self) -> (u32, &str) {
        (self.root, self.path.as_str())
    }
}

/// A manifest of one or more roots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub schema: String,
    pub algorithm: String,
    /// The roots as they were given (`/`-separated). Not part of the root
    /// digest: the same tree at another place has the same digest.
    pub roots: Vec<String>,
    /// BLAKE3 (hex) of the canonical JSON of `{"algorithm", "entries"}`.
    pub root_digest: String,
    /// Regular files.
    pub files: u64,
    /// Total bytes of the regular files.
    pub bytes: u64,
    /// Sorted by (root, path), unique.
    pub entries: Vec<Entry>,
    /// What the writer adds (ci-intel-cache: the cache key, the trust
    /// domain, the run that wrote it). Covered by a signature over the
    /// manifest, not by the root digest.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub meta: Map<String, Value>,
}

impl Manifest {
    /// A manifest of `entries` (sorted here) under `roots`.
    pub fn new(roots: Vec<String>, mut entries: Vec<Entry>, meta: Map<String, Value>) -> Manifest {
        entries.sort_by(|a, b| a.key().cmp(&b.key()));
        let (files, bytes) = counts(&entries);
        Manifest {
            schema: SCHEMA.to_owned(),
            algorithm: ALGORITHM.to_owned(),
            root_digest: root_digest(&entries),
            roots,
            files,
            bytes,
            entries,
            meta,
        }
    }

    /// The canonical bytes: sorted keys, no whitespace, one final newline.
    /// These are the bytes that are written, signed and verified.
    pub fn to_canonical_bytes(&self) -> Vec<u8> {
        let value = serde_json::to_value(self).unwrap_or(Value::Null);
        let mut bytes = ci_intel_core::canonical::to_vec(&value);
        bytes.push(b'\n');
        bytes
    }

    /// `path` of an entry as a reader sees it: with one root, the path
    /// relative to it; with several, prefixed by the root.
    pub fn display_path(&self, root: u32, path: &str) -> String {
        if self.roots.len() <= 1 {
            if path.is_empty() {
                self.roots.first().cloned().unwrap_or_default()
            } else {
                path.to_owned()
            }
        } else {
            let base = self
                .roots
                .get(root as usize)
                .map(String::as_str)
                .unwrap_or("?");
            if path.is_empty() {
                base.to_owned()
            } else {
                format!("{}/{path}", base.trim_end_matches('/'))
            }
        }
    }

    /// A string field of `meta`.
    pub fn meta_str(&self, key: &str) -> Option<&str> {
        self.meta.get(key).and_then(Value::as_str)
    }
}

/// Regular files and their total size.
pub fn counts(entries: &[Entry]) -> (u64, u64) {
    entries
        .iter()
        .filter(|e| e.kind == EntryKind::File)
        .fold((0, 0), |(n, b), e| {
            (n + 1, b.saturating_add(e.size.unwrap_or(0)))
        })
}

/// The root digest of sorted entries.
pub fn root_digest(entries: &[Entry]) -> String {
    let value = serde_json::json!({
        "algorithm": ALGORITHM,
        "entries": entries,
    });
    blake3::hash(&ci_intel_core::canonical::to_vec(&value))
        .to_hex()
        .to_string()
}
