//! Reading a manifest that came from elsewhere (a cache entry, another
//! job, another day). [`parse_manifest`] never panics: anything that is not
//! a well-formed version 1 manifest is a [`ManifestError`] that names where
//! (JSON pointer, and line for syntax errors), what was expected and what
//! was found.

use std::fmt;

use crate::model::{ALGORITHM, EntryKind, Manifest, SCHEMA, counts, root_digest};

/// Why a manifest was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    /// JSON pointer of the offending value (`/entries/3/path`); empty for
    /// the whole document.
    pub pointer: String,
    /// 1-based line of a syntax error.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.pointer.is_empty()) {
            (Some(line), false) => write!(f, "line {line}, at {}: {}", self.pointer, self.message),
            (Some(line), true) => write!(f, "line {line}: {}", self.message),
            (None, false) => write!(f, "at {}: {}", self.pointer, self.message),
            (None, true) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ManifestError {}

fn error(pointer: impl Into<String>, message: impl Into<String>) -> ManifestError {
    ManifestError {
        pointer: pointer.into(),
        line: None,
        message: message.into(),
    }
}

/// Parse and check a manifest: JSON shape, schema and algorithm, entry
/// paths (relative, no `..`, sorted and unique), the fields each kind must
/// have, and the root digest and counts recomputed from the entries.
pub fn parse_manifest(bytes: &[u8]) -> Result<Manifest, ManifestError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let manifest: Manifest = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let pointer = e.path().to_string();
        let inner = e.into_inner();
        ManifestError {
            pointer: if pointer == "." {
                String::new()
            } else {
                pointer
            },
            line: (inner.line() > 0).then(|| inner.line()),
            message: format!("not a ci-intel manifest: {inner}"),
        }
    })?;
    deserializer.end().map_err(|e| ManifestError {
        pointer: String::new(),
        line: Some(e.line()),
        message: format!("trailing data after the manifest: {e}"),
    })?;
    validate(&manifest)?;
    Ok(manifest)
}

/// The checks of [`parse_manifest`] on a value already in memory.
pub fn validate(manifest: &Manifest) -> Result<(), ManifestError> {
    if manifest.schema != SCHEMA {
        return Err(error(
            "/schema",
            format!("expected `{SCHEMA}`, found `{}`", manifest.schema),
        ));
    }
    if manifest.algorithm != ALGORITHM {
        return Err(error(
            "/algorithm",
            format!("expected `{ALGORITHM}`, found `{}`", manifest.algorithm),
        ));
    }
    if manifest.roots.is_empty() {
        return Err(error("/roots", "expected at least one root, found none"));
    }
    let mut previous: Option<(u32, &str)> = None;
    for (index, entry) in manifest.entries.iter().enumerate() {
        let at = |field: &str| format!("/entries/{index}/{field}");
        if entry.root as usize >= manifest.roots.len() {
            return Err(error(
                at("root"),
                format!(
                    "expected a root index below {}, found {}",
                    manifest.roots.len(),
                    entry.root
                ),
            ));
        }
        check_path(&entry.path).map_err(|why| error(at("path"), why))?;
        if let Some(before) = previous
            && before >= entry.key()
        {
            return Err(error(
                at("path"),
                format!(
                    "entries must be sorted by root and path and unique: `{}` comes after `{}`",
                    entry.path, before.1
                ),
            ));
        }
        if entry.path.is_empty() && entry.kind == EntryKind::Dir {
            return Err(error(
                at("path"),
                "a directory root is not an entry itself: expected a non-empty path",
            ));
        }
        if let Some((root, path)) = previous
            && root == entry.root
            && path.is_empty()
        {
            return Err(error(
                at("path"),
                "this root is a single file or symlink (an entry with an empty path): it has no other entries",
            ));
        }
        previous = Some(entry.key());
        let fields = (
            entry.mode.is_some(),
            entry.size.is_some(),
            entry.blake3.is_some(),
            entry.target.is_some(),
        );
        let expected = match entry.kind {
            EntryKind::File => (true, true, true, false),
            EntryKind::Dir => (true, false, false, false),
            EntryKind::Symlink => (false, false, false, true),
        };
        if fields != expected {
            return Err(error(
                format!("/entries/{index}"),
                format!(
                    "a {} entry has {}; found {}",
                    entry.kind.as_str(),
                    match entry.kind {
                        EntryKind::File => "mode, size and blake3",
                        EntryKind::Dir => "mode only",
                        EntryKind::Symlink => "target only",
                    },
                    present(fields)
                ),
            ));
        }
        if let Some(mode) = &entry.mode
            && !(mode.len() == 4 && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)))
        {
            return Err(error(
                at("mode"),
                format!("expected four octal digits (`0644`), found `{mode}`"),
            ));
        }
        if let Some(digest) = &entry.blake3
            && !is_hex64(digest)
        {
            return Err(error(
                at("blake3"),
                format!("expected 64 lower-case hex digits, found `{digest}`"),
            ));
        }
        if let Some(target) = &entry.target
            && (target.is_empty() || target.contains('\0'))
        {
            return Err(error(
                at("target"),
                "expected a non-empty link target without NUL",
            ));
        }
    }
    if !is_hex64(&manifest.root_digest) {
        return Err(error(
            "/root_digest",
            format!(
                "expected 64 lower-case hex digits, found `{}`",
                manifest.root_digest
            ),
        ));
    }
    let digest = root_digest(&manifest.entries);
    if digest != manifest.root_digest {
        return Err(error(
            "/root_digest",
            format!(
                "the entries hash to {digest}, not to the recorded {}: the manifest was edited",
                manifest.root_digest
            ),
        ));
    }
    let (files, bytes) = counts(&manifest.entries);
    if (files, bytes) != (manifest.files, manifest.bytes) {
        return Err(error(
            "/files",
            format!(
                "the entries hold {files} files and {bytes} bytes; the manifest says {} and {}",
                manifest.files, manifest.bytes
            ),
        ));
    }
    Ok(())
}

fn present(fields: (bool, bool, bool, bool)) -> String {
    let names: Vec<&str> = [
        (fields.0, "mode"),
        (fields.1, "size"),
        (fields.2, "blake3"),
        (fields.3, "target"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, name)| *name)
    .collect();
    if names.is_empty() {
        "none of them".to_owned()
    } else {
        names.join(", ")
    }
}

fn is_hex64(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A relative path that stays inside its root: `/`-separated, no empty,
/// `.` or `..` component, no leading `/`, no backslash or NUL.
pub fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Ok(());
    }
    if path.starts_with('/') {
        return Err(format!(
            "`{path}` is absolute: entry paths are relative to their root"
        ));
    }
    if path.contains('\0') || path.contains('\\') {
        return Err(format!(
            "`{}` contains NUL or a backslash",
            path.escape_debug()
        ));
    }
    for part in path.split('/') {
        match part {
            "" => return Err(format!("`{path}` has an empty component")),
            "." | ".." => {
                return Err(format!(
                    "`{path}` has a `{part}` component: it could escape its root"
                ));
            }
            _ => {}
        }
    }
    Ok(())
}
