//! The release evidence bundle: one directory and one deterministic `.tar`
//! holding the gate statements and everything else a release manager
//! needs, with a manifest of every file's sha256.
//!
//! Layout:
//!
//! ```text
//! manifest.json          release, subject, commit, time, every file's sha256
//! manifest.dsse.json     the manifest signed (DSSE), when a key signed the bundle
//! vsa.intoto.json        the SLSA Verification Summary Attestation (DSSE)
//! memo.md                the Go/No-Go memo
//! gates/                 one DSSE-wrapped gate statement per gate
//! sbom/ provenance/ scans/ telemetry/ rollout/ drills/
//! ```
//!
//! Deterministic: files are sorted by path, the archive's entries have a
//! fixed mtime (the bundle's time), uid/gid 0, no user or group names, mode
//! 0644, and JSON is written in one fixed form. The same inputs (and
//! `--time`) give the same bytes.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use ci_intel_core::Failure;
use ci_intel_core::canonical::sha256_hex;

use crate::statement::{GATE_PREDICATE_TYPE, ResourceDescriptor, ToolRef};

/// The parts of a bundle, each a directory.
pub const CATEGORIES: [&str; 7] = [
    "gates",
    "sbom",
    "provenance",
    "scans",
    "telemetry",
    "rollout",
    "drills",
];
pub const MANIFEST_FILE: &str = "manifest.json";
pub const MANIFEST_SIGNATURE_FILE: &str = "manifest.dsse.json";
pub const VSA_FILE: &str = "vsa.intoto.json";
pub const MEMO_FILE: &str = "memo.md";
/// `_type` of the manifest.
pub const MANIFEST_TYPE: &str = "https://github.com/ci-intel/ci-intel/evidence/manifest/v1";
/// DSSE payload type of the signed manifest.
pub const MANIFEST_PAYLOAD_TYPE: &str = "application/vnd.ci-intel.evidence-manifest+json";
/// The largest file a bundle may hold.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;
/// The most files a bundle may hold.
pub const MAX_FILES: usize = 100_000;

/// A bundle's files by path (`/`-separated, relative).
pub type Files = BTreeMap<String, Vec<u8>>;

/// The manifest: what the bundle is about and every file's digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    #[serde(rename = "_type")]
    pub type_: String,
    pub release: String,
    /// The released artifact (`digest.sha256`).
    pub subject: ResourceDescriptor,
    /// The commit released.
    pub commit: String,
    /// When the bundle was made (RFC 3339).
    pub created: String,
    pub tool: ToolRef,
    pub files: Vec<ManifestEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

impl Manifest {
    /// The subject's sha256 (hex), if the manifest names one.
    pub fn subject_sha256(&self) -> &str {
        self.subject
            .digest
            .get("sha256")
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// The manifest's bytes as written (pretty JSON, final newline).
    pub fn to_json(&self) -> Vec<u8> {
        let mut text = serde_json::to_vec_pretty(self).unwrap_or_default();
        text.push(b'\n');
        text
    }
}

/// Whether a bundle path is safe and canonical: relative, `/`-separated,
/// no `.`/`..`/empty segments, no backslash or NUL.
pub fn valid_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 1024
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..")
}

/// The manifest of `files` (every file except the manifest and its
/// signature).
pub fn manifest_of(
    files: &Files,
    release: &str,
    subject_sha256: &str,
    commit: &str,
    created: &str,
) -> Manifest {
    Manifest {
        type_: MANIFEST_TYPE.to_owned(),
        release: release.to_owned(),
        subject: ResourceDescriptor::sha256(release, subject_sha256),
        commit: commit.to_owned(),
        created: created.to_owned(),
        tool: ToolRef {
            name: crate::TOOL.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        files: files
            .iter()
            .filter(|(path, _)| !is_manifest_file(path))
            .map(|(path, bytes)| ManifestEntry {
                path: path.clone(),
                sha256: sha256_hex(bytes),
                size: bytes.len() as u64,
            })
            .collect(),
    }
}

fn is_manifest_file(path: &str) -> bool {
    path == MANIFEST_FILE || path == MANIFEST_SIGNATURE_FILE
}

/// Gather the inputs of `bundle --from DIR...` into their bundle paths.
/// Files under a directory named like a part (`gates/`, `sbom/`...) keep
/// their place; other files are placed by their content. Two different
/// files for one place, or a file whose place cannot be told, are usage
/// errors.
pub fn collect(from: &[PathBuf]) -> Result<(Files, Vec<String>), Failure> {
    let mut files = Files::new();
    let mut notes = Vec::new();
    for dir in from {
        if !dir.is_dir() {
            return Err(Failure::usage(format!(
                "--from {}: not a directory",
                dir.display()
            )));
        }
        for (relative, bytes) in read_tree(dir)? {
            let name = relative.rsplit('/').next().unwrap_or(&relative);
            if name.starts_with('.') {
                notes.push(format!("skipped hidden file {}/{relative}", dir.display()));
                continue;
            }
            let origin = format!("{}/{relative}", dir.display());
            let place = place_of(&relative, &bytes).map_err(|why| {
                Failure::usage(format!(
                    "{origin}: {why}; put it under one of {}/ in {}",
                    CATEGORIES.join("/, "),
                    dir.display()
                ))
            })?;
            if is_manifest_file(&place) || place == VSA_FILE || place == MEMO_FILE {
                return Err(Failure::usage(format!(
                    "{origin}: `{place}` is written by `bundle` itself; remove it from the input"
                )));
            }
            match files.get(&place) {
                Some(existing) if *existing != bytes => {
                    return Err(Failure::usage(format!(
                        "{origin}: a different file for {place} came from another --from directory; each place in the bundle holds one file"
                    )));
                }
                Some(_) => notes.push(format!("{origin}: identical to one already collected")),
                None => {
                    files.insert(place, bytes);
                }
            }
        }
    }
    Ok((files, notes))
}

/// Where a collected file goes.
pub fn place_of(relative: &str, bytes: &[u8]) -> Result<String, String> {
    let mut segments = relative.splitn(2, '/');
    let first = segments.next().unwrap_or_default();
    if let Some(rest) = segments.next()
        && CATEGORIES.contains(&first)
    {
        return Ok(format!("{first}/{rest}"));
    }
    let name = relative.rsplit('/').next().unwrap_or(relative);
    let lower = name.to_ascii_lowercase();
    let category = classify(&lower, bytes)?;
    Ok(format!("{category}/{name}"))
}

fn classify(lower_name: &str, bytes: &[u8]) -> Result<&'static str, String> {
    if lower_name.ends_with(".sarif") || lower_name.ends_with(".sarif.json") {
        return Ok("scans");
    }
    if lower_name.ends_with(".intoto.jsonl")
        || lower_name.ends_with(".sigstore.json")
        || lower_name.ends_with(".sigstore")
    {
        return Ok("provenance");
    }
    if lower_name.ends_with(".spdx") || lower_name.ends_with(".cdx.xml") {
        return Ok("sbom");
    }
    if lower_name.ends_with(".ndjson") || lower_name.ends_with(".jsonl") {
        let first = bytes
            .split(|b| *b == b'\n')
            .find(|line| !line.iter().all(u8::is_ascii_whitespace))
            .unwrap_or_default();
        let schema = serde_json::from_slice::<Value>(first)
            .ok()
            .and_then(|v| v.get("schema").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        return if schema.starts_with("pipeline_run") {
            Ok("telemetry")
        } else {
            Err("an NDJSON file that is not pipeline_run records".to_owned())
        };
    }
    if lower_name.ends_with(".json") {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| format!("not JSON ({e}), so its kind cannot be told"))?;
        if value.get("payloadType").is_some() && value.get("payload").is_some() {
            let gate = crate::statement::parse_envelope(bytes, lower_name)
                .map(|s| s.predicate_type == GATE_PREDICATE_TYPE)
                .unwrap_or(false);
            return Ok(if gate { "gates" } else { "provenance" });
        }
        if value
            .get("mediaType")
            .and_then(Value::as_str)
            .is_some_and(|m| m.starts_with("application/vnd.dev.sigstore.bundle"))
        {
            return Ok("provenance");
        }
        if value.get("runs").is_some()
            && value.get("version").and_then(Value::as_str) == Some("2.1.0")
        {
            return Ok("scans");
        }
        if value.get("bomFormat").is_some() || value.get("spdxVersion").is_some() {
            return Ok("sbom");
        }
        if value.get("_type").and_then(Value::as_str) == Some(crate::statement::STATEMENT_TYPE) {
            return Ok("provenance");
        }
        return Err(
            "a JSON file that is neither a DSSE envelope, a Sigstore bundle, SARIF 2.1.0, nor an SBOM"
                .to_owned(),
        );
    }
    Err("its kind cannot be told from its name".to_owned())
}

/// Every regular file below `dir`, by `/`-separated relative path.
fn read_tree(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = std::fs::read_dir(&current)
            .map_err(|e| Failure::infra(format!("cannot read {}: {e}", current.display())))?;
        for entry in entries {
            let entry = entry
                .map_err(|e| Failure::infra(format!("cannot read {}: {e}", current.display())))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| Failure::infra(format!("cannot stat {}: {e}", path.display())))?;
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            if !kind.is_file() {
                return Err(Failure::infra(format!(
                    "{}: not a regular file (a symbolic link or device); a bundle holds regular files only",
                    path.display()
                )));
            }
            let relative = relative_path(dir, &path)?;
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if size > MAX_FILE_BYTES {
                return Err(Failure::infra(format!(
                    "{}: {size} bytes, over the {MAX_FILE_BYTES}-byte limit per file",
                    path.display()
                )));
            }
            let bytes = std::fs::read(&path)
                .map_err(|e| Failure::infra(format!("cannot read {}: {e}", path.display())))?;
            out.push((relative, bytes));
            if out.len() > MAX_FILES {
                return Err(Failure::infra(format!(
                    "{}: more than {MAX_FILES} files",
                    dir.display()
                )));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn relative_path(root: &Path, path: &Path) -> Result<String, Failure> {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut segments = Vec::new();
    for component in relative.components() {
        match component {
            Component::Normal(part) => segments.push(part.to_str().ok_or_else(|| {
                Failure::infra(format!("{}: the file name is not UTF-8", path.display()))
            })?),
            _ => {
                return Err(Failure::infra(format!(
                    "{}: unexpected path component",
                    path.display()
                )));
            }
        }
    }
    Ok(segments.join("/"))
}

/// Write `files` into `out` (which must not exist, or be empty).
pub fn write_dir(out: &Path, files: &Files) -> Result<(), Failure> {
    if out.exists() {
        let empty = std::fs::read_dir(out)
            .map(|mut entries| entries.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(Failure::usage(format!(
                "--out {}: exists and is not empty; choose a new directory (a bundle is never written over another)",
                out.display()
            )));
        }
    }
    for (path, bytes) in files {
        let target = out.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Failure::infra(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&target, bytes)
            .map_err(|e| Failure::infra(format!("cannot write {}: {e}", target.display())))?;
    }
    Ok(())
}

/// The bundle as a tar archive, byte for byte the same for the same files
/// and `mtime`.
pub fn tar_bytes(files: &Files, mtime: u64) -> Result<Vec<u8>, Failure> {
    let mut builder = tar::Builder::new(Vec::new());
    builder.mode(tar::HeaderMode::Deterministic);
    for (path, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, path, bytes.as_slice())
            .map_err(|e| Failure::infra(format!("cannot add {path} to the archive: {e}")))?;
    }
    builder
        .into_inner()
        .map_err(|e| Failure::infra(format!("cannot finish the archive: {e}")))
}

/// A bundle read from a directory or a `.tar`.
#[derive(Debug, Clone)]
pub struct LoadedBundle {
    pub files: Files,
    pub manifest: Manifest,
    /// The manifest's bytes as stored (what signatures cover).
    pub manifest_bytes: Vec<u8>,
    pub origin: String,
}

/// Read a bundle. Anything that keeps it from being read (missing,
/// unreadable, not a tar, an unsafe path, no or an unparsable manifest) is
/// an infrastructure error: exit 3.
pub fn load(path: &Path) -> Result<LoadedBundle, Failure> {
    let origin = path.display().to_string();
    let files = if path.is_dir() {
        read_tree(path)?.into_iter().collect()
    } else {
        let bytes = std::fs::read(path)
            .map_err(|e| Failure::infra(format!("cannot read the bundle {origin}: {e}")))?;
        read_tar(&bytes).map_err(|why| Failure::infra(format!("{origin}: {why}")))?
    };
    from_files(files, &origin)
}

/// A bundle from its files (the manifest must be among them).
pub fn from_files(files: Files, origin: &str) -> Result<LoadedBundle, Failure> {
    let manifest_bytes = files.get(MANIFEST_FILE).cloned().ok_or_else(|| {
        Failure::infra(format!(
            "{origin}: no {MANIFEST_FILE}; this is not an evidence bundle (make one with `ci-intel-evidence bundle`)"
        ))
    })?;
    let mut de = serde_json::Deserializer::from_slice(&manifest_bytes);
    let manifest: Manifest = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        Failure::infra(format!(
            "{origin}/{MANIFEST_FILE}: unreadable at `{}`: {}; see schemas/evidence/manifest.v1.schema.json",
            e.path(),
            e.inner()
        ))
    })?;
    if manifest.type_ != MANIFEST_TYPE {
        return Err(Failure::infra(format!(
            "{origin}/{MANIFEST_FILE}: `_type` is `{}`, expected `{MANIFEST_TYPE}`",
            manifest.type_
        )));
    }
    Ok(LoadedBundle {
        files,
        manifest,
        manifest_bytes,
        origin: origin.to_owned(),
    })
}

/// The regular files of a tar archive. Links, devices, unsafe or duplicate
/// paths and oversized entries are refused.
pub fn read_tar(bytes: &[u8]) -> Result<Files, String> {
    let mut archive = tar::Archive::new(bytes);
    let entries = archive
        .entries()
        .map_err(|e| format!("not a tar archive: {e}"))?;
    let mut files = Files::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("unreadable tar entry: {e}"))?;
        let kind = entry.header().entry_type();
        let path = entry
            .path()
            .map_err(|e| format!("unreadable path in the archive: {e}"))?
            .to_str()
            .map(|p| p.trim_start_matches("./").trim_end_matches('/').to_owned())
            .ok_or_else(|| "a path in the archive is not UTF-8".to_owned())?;
        if kind.is_dir() {
            continue;
        }
        if !(kind.is_file() || kind == tar::EntryType::Continuous) {
            return Err(format!(
                "`{path}` is not a regular file (type {:?}); a bundle holds regular files only",
                kind
            ));
        }
        if !valid_path(&path) {
            return Err(format!("`{path}` is not a safe relative path"));
        }
        let size = entry
            .header()
            .size()
            .map_err(|e| format!("`{path}`: {e}"))?;
        if size > MAX_FILE_BYTES {
            return Err(format!(
                "`{path}`: {size} bytes, over the {MAX_FILE_BYTES}-byte limit per file"
            ));
        }
        let mut data = Vec::with_capacity(usize::try_from(size.min(1 << 20)).unwrap_or(0));
        entry
            .read_to_end(&mut data)
            .map_err(|e| format!("`{path}`: truncated or unreadable: {e}"))?;
        if files.insert(path.clone(), data).is_some() {
            return Err(format!("`{path}` appears twice in the archive"));
        }
        if files.len() > MAX_FILES {
            return Err(format!("more than {MAX_FILES} files"));
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_be_safe_and_canonical() {
        for good in ["manifest.json", "gates/policy.intoto.json", "a/b/c"] {
            assert!(valid_path(good), "{good}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "./a",
            "a\\b",
            "a/",
        ] {
            assert!(!valid_path(bad), "{bad}");
        }
    }

    #[test]
    fn the_archive_is_deterministic_and_reads_back() {
        let files: Files = [
            ("manifest.json".to_owned(), b"{}".to_vec()),
            ("gates/b.intoto.json".to_owned(), b"b".to_vec()),
            ("gates/a.intoto.json".to_owned(), b"a".to_vec()),
            (
                format!("scans/{}.sarif", "x".repeat(150)),
                b"long name".to_vec(),
            ),
        ]
        .into_iter()
        .collect();
        let one = tar_bytes(&files, 1_700_000_000).unwrap();
        let two = tar_bytes(&files, 1_700_000_000).unwrap();
        assert_eq!(one, two);
        assert_eq!(read_tar(&one).unwrap(), files);
        assert_ne!(
            tar_bytes(&files, 1).unwrap(),
            one,
            "the mtime is in the bytes"
        );
    }

    #[test]
    fn inputs_are_placed_by_directory_or_content() {
        assert_eq!(place_of("gates/x.json", b"").unwrap(), "gates/x.json");
        assert_eq!(
            place_of("out/zizmor.sarif", b"").unwrap(),
            "scans/zizmor.sarif"
        );
        assert_eq!(
            place_of("bom.json", br#"{"bomFormat":"CycloneDX"}"#).unwrap(),
            "sbom/bom.json"
        );
        assert_eq!(
            place_of("r.json", br#"{"version":"2.1.0","runs":[]}"#).unwrap(),
            "scans/r.json"
        );
        assert_eq!(
            place_of("runs.ndjson", b"{\"schema\":\"pipeline_run.v1.2\"}\n").unwrap(),
            "telemetry/runs.ndjson"
        );
        assert!(
            place_of("notes.txt", b"hello")
                .unwrap_err()
                .contains("cannot be told")
        );
        assert!(place_of("x.ndjson", b"{}\n").is_err());
    }

    #[test]
    fn unsafe_archives_are_refused() {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Symlink);
        header.set_size(0);
        builder
            .append_link(&mut header, "gates/x", "/etc/passwd")
            .unwrap();
        let bytes = builder.into_inner().unwrap();
        assert!(read_tar(&bytes).unwrap_err().contains("not a regular file"));
        assert!(read_tar(b"garbage that is not a tar archive").is_err());
    }
}
