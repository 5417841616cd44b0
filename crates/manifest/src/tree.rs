//! Building a manifest from the file system.
//!
//! The walk never follows a symlink (it records the link and its target),
//! so no file outside the roots is ever read. What cannot be recorded
//! faithfully is an error naming the path, never a silent skip:
//! device files, FIFOs and sockets, names that are not UTF-8, unreadable
//! files and directories, overlapping roots, and (unless allowed) symlinks
//! whose target leaves every root.

use std::fs;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};

use ci_intel_core::Failure;
use rayon::prelude::*;
use serde_json::Map;

use crate::model::{Entry, EntryKind, Manifest};

/// How to build a manifest.
#[derive(Debug, Clone)]
pub struct Options {
    /// Hashing threads; 0 means one per core.
    pub threads: usize,
    /// Record symlinks whose target leaves the roots instead of failing.
    pub allow_external_symlinks: bool,
    /// A root that does not exist contributes no entry instead of failing
    /// (verification: a missing root is a difference, not an error).
    pub allow_missing_roots: bool,
    /// Files at least this large are memory-mapped and hashed with several
    /// threads; smaller ones are read whole (b3sum maps from 16 KiB).
    pub mmap_threshold: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threads: 0,
            allow_external_symlinks: false,
            allow_missing_roots: false,
            mmap_threshold: 16 * 1024,
        }
    }
}

/// An entry waiting for its hash.
struct Pending {
    entry: Entry,
    /// The file to hash (regular files only).
    file: Option<PathBuf>,
}

/// The manifest of every entry under `roots` (directories, files or
/// symlinks), each root recorded as given.
pub fn manifest_of_roots(roots: &[PathBuf], options: &Options) -> Result<Manifest, Failure> {
    if roots.is_empty() {
        return Err(Failure::usage(
            "no path given: name at least one file or directory",
        ));
    }
    let mut names = Vec::with_capacity(roots.len());
    let mut absolute = Vec::with_capacity(roots.len());
    for root in roots {
        names.push(utf8(root)?.replace('\\', "/"));
        absolute.push(lexical_absolute(root)?);
    }
    for (i, a) in absolute.iter().enumerate() {
        for (j, b) in absolute.iter().enumerate() {
            if i != j && a.starts_with(b) {
                return Err(Failure::usage(format!(
                    "path {} lies inside path {}: give each tree once (overlapping roots would record files twice)",
                    roots[i].display(),
                    roots[j].display()
                )));
            }
        }
    }
    let mut pending = Vec::new();
    for (index, root) in roots.iter().enumerate() {
        let walker = Walker {
            root_index: u32::try_from(index).unwrap_or(u32::MAX),
            roots: &absolute,
            options,
        };
        walker.root(root, &mut pending)?;
    }
    finish(names, pending, options)
}

/// The manifest of `files` (paths relative to `base`, `/`-separated):
/// one root, `base`, and exactly those entries. Directories in the list
/// are recorded as directories (not walked).
pub fn manifest_of_files(
    base: &Path,
    files: &[String],
    options: &Options,
) -> Result<Manifest, Failure> {
    let absolute = vec![lexical_absolute(base)?];
    let walker = Walker {
        root_index: 0,
        roots: &absolute,
        options,
    };
    let mut pending = Vec::with_capacity(files.len());
    for relative in files {
        let path = base.join(relative);
        let meta = fs::symlink_metadata(&path).map_err(|e| unreadable(&path, &e))?;
        walker.one(&path, relative.clone(), &meta, &mut pending)?;
    }
    finish(vec![utf8(base)?.replace('\\', "/")], pending, options)
}

struct Walker<'a> {
    root_index: u32,
    roots: &'a [PathBuf],
    options: &'a Options,
}

impl Walker<'_> {
    fn root(&self, root: &Path, out: &mut Vec<Pending>) -> Result<(), Failure> {
        let meta = match fs::symlink_metadata(root) {
            Ok(meta) => meta,
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound && self.options.allow_missing_roots =>
            {
                return Ok(());
            }
            Err(e) => return Err(unreadable(root, &e)),
        };
        if meta.is_dir() {
            self.dir(root, "", out)
        } else {
            self.one(root, String::new(), &meta, out)
        }
    }

    /// Record one path that is not walked into.
    fn one(
        &self,
        path: &Path,
        relative: String,
        meta: &fs::Metadata,
        out: &mut Vec<Pending>,
    ) -> Result<(), Failure> {
        let kind = meta.file_type();
        if kind.is_symlink() {
            let target = fs::read_link(path).map_err(|e| unreadable(path, &e))?;
            let target_text = utf8(&target)?.to_owned();
            if !self.options.allow_external_symlinks && self.escapes(path, &target)? {
                return Err(Failure::usage(format!(
                    "{} is a symlink to {target_text}, outside the paths being recorded: a cache or output tree must not point elsewhere (use --allow-external-symlinks to record such links as they are)",
                    path.display()
                )));
            }
            out.push(Pending {
                entry: Entry {
                    root: self.root_index,
                    path: relative,
                    kind: EntryKind::Symlink,
                    mode: None,
                    size: None,
                    blake3: None,
                    target: Some(target_text),
                },
                file: None,
            });
        } else if kind.is_file() {
            out.push(Pending {
                entry: Entry {
                    root: self.root_index,
                    path: relative,
                    kind: EntryKind::File,
                    mode: Some(mode(meta)),
                    size: Some(meta.len()),
                    blake3: None,
                    target: None,
                },
                file: Some(path.to_path_buf()),
            });
        } else if kind.is_dir() {
            out.push(Pending {
                entry: Entry {
                    root: self.root_index,
                    path: relative,
                    kind: EntryKind::Dir,
                    mode: Some(mode(meta)),
                    size: None,
                    blake3: None,
                    target: None,
                },
                file: None,
            });
        } else {
            return Err(Failure::usage(format!(
                "{} is a {}: only regular files, directories and symlinks can be recorded; remove it from the tree or from the paths",
                path.display(),
                special_kind(&kind)
            )));
        }
        Ok(())
    }

    fn dir(&self, dir: &Path, relative: &str, out: &mut Vec<Pending>) -> Result<(), Failure> {
        let mut children = Vec::new();
        for entry in fs::read_dir(dir).map_err(|e| unreadable(dir, &e))? {
            let entry = entry.map_err(|e| unreadable(dir, &e))?;
            let name = entry.file_name();
            let name = name.to_str().ok_or_else(|| {
                Failure::usage(format!(
                    "{}: a name in this directory is not UTF-8 ({:?}); it cannot be recorded",
                    dir.display(),
                    entry.file_name()
                ))
            })?;
            children.push(name.to_owned());
        }
        children.sort_unstable();
        for name in children {
            let path = dir.join(&name);
            let child = if relative.is_empty() {
                name
            } else {
                format!("{relative}/{name}")
            };
            let meta = fs::symlink_metadata(&path).map_err(|e| unreadable(&path, &e))?;
            if meta.is_dir() {
                self.one(&path, child.clone(), &meta, out)?;
                self.dir(&path, &child, out)?;
            } else {
                self.one(&path, child, &meta, out)?;
            }
        }
        Ok(())
    }

    /// Whether a link at `link` with `target` resolves (lexically) outside
    /// every root.
    fn escapes(&self, link: &Path, target: &Path) -> Result<bool, Failure> {
        let link = lexical_absolute(link)?;
        let base = link.parent().unwrap_or(Path::new("/"));
        let resolved = normalize(&base.join(target));
        Ok(!self.roots.iter().any(|root| resolved.starts_with(root)))
    }
}

fn finish(
    roots: Vec<String>,
    mut pending: Vec<Pending>,
    options: &Options,
) -> Result<Manifest, Failure> {
    let threads = if options.threads == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        options.threads
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::infra(format!("cannot start {threads} hashing threads: {e}")))?;
    let threshold = options.mmap_threshold;
    pool.install(|| {
        pending.par_iter_mut().try_for_each(|item| {
            if let Some(file) = &item.file {
                let (size, hash) = hash_file(file, item.entry.size.unwrap_or(0), threshold)
                    .map_err(|e| unreadable(file, &e))?;
                item.entry.size = Some(size);
                item.entry.blake3 = Some(hash.to_hex().to_string());
            }
            Ok::<(), Failure>(())
        })
    })?;
    let entries = pending.into_iter().map(|p| p.entry).collect();
    Ok(Manifest::new(roots, entries, Map::new()))
}

/// BLAKE3 of a file and the number of bytes hashed.
pub fn hash_file(
    path: &Path,
    size_hint: u64,
    mmap_threshold: u64,
) -> std::io::Result<(u64, blake3::Hash)> {
    let mut hasher = blake3::Hasher::new();
    if size_hint >= mmap_threshold {
        hasher.update_mmap_rayon(path)?;
    } else {
        let mut file = fs::File::open(path)?;
        let mut buffer = Vec::with_capacity(usize::try_from(size_hint).unwrap_or(0) + 1);
        file.read_to_end(&mut buffer)?;
        hasher.update(&buffer);
    }
    Ok((hasher.count(), hasher.finalize()))
}

fn unreadable(path: &Path, error: &std::io::Error) -> Failure {
    Failure::infra(format!("cannot read {}: {error}", path.display()))
}

fn utf8(path: &Path) -> Result<&str, Failure> {
    path.to_str().ok_or_else(|| {
        Failure::usage(format!(
            "{} is not valid UTF-8: it cannot be recorded in a manifest",
            path.display()
        ))
    })
}

fn special_kind(kind: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_block_device() {
            return "block device";
        }
        if kind.is_char_device() {
            return "character device";
        }
        if kind.is_fifo() {
            return "FIFO";
        }
        if kind.is_socket() {
            return "socket";
        }
    }
    let _ = kind;
    "special file"
}

#[cfg(unix)]
fn mode(meta: &fs::Metadata) -> String {
    use std::os::unix::fs::PermissionsExt as _;
    format!("{:04o}", meta.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn mode(meta: &fs::Metadata) -> String {
    if meta.permissions().readonly() {
        "0444".to_owned()
    } else {
        "0644".to_owned()
    }
}

/// `path` made absolute against the current directory and normalised
/// lexically (no symlink is resolved).
pub fn lexical_absolute(path: &Path) -> Result<PathBuf, Failure> {
    let absolute = std::path::absolute(path)
        .map_err(|e| Failure::infra(format!("cannot make {} absolute: {e}", path.display())))?;
    Ok(normalize(&absolute))
}

/// Remove `.` and resolve `..` lexically; `..` never climbs above the
/// root of an absolute path.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() && !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}
