//! One shared view of a repository checkout for every gate of a run.
//!
//! The tree is walked once ([`crate::walk`]'s rules: `.gitignore` honoured,
//! hidden files included, `.git` excluded, links not followed); each file's
//! bytes are read at most once, on demand, and its sha256 is computed at
//! most once (the evidence records it for every input a gate read).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::Failure;
use crate::canonical::sha256_hex;

/// A file of the checkout.
#[derive(Debug)]
pub struct CheckoutFile {
    /// Relative to the checkout root, `/`-separated.
    pub relative: String,
    /// The path to open (the root joined with `relative`).
    pub path: PathBuf,
    /// Size in bytes when the walk saw it.
    pub size: u64,
    bytes: OnceLock<Result<Arc<[u8]>, String>>,
    sha256: OnceLock<String>,
}

/// The checkout as the gates see it.
#[derive(Debug)]
pub struct Checkout {
    root: PathBuf,
    git: bool,
    files: Vec<CheckoutFile>,
    index: BTreeMap<String, usize>,
}

impl Checkout {
    /// Walk `root` once. An unreadable directory is an infrastructure error:
    /// a gate that cannot look must not pass.
    pub fn open(root: &Path) -> Result<Checkout, Failure> {
        let mut files = Vec::new();
        for entry in crate::walk::builder(root).build() {
            let entry = entry
                .map_err(|e| Failure::infra(format!("cannot walk {}: {e}", root.display())))?;
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            let path = entry.into_path();
            let relative = slashed(path.strip_prefix(root).unwrap_or(&path));
            files.push(CheckoutFile {
                relative,
                path,
                size,
                bytes: OnceLock::new(),
                sha256: OnceLock::new(),
            });
        }
        files.sort_by(|a, b| a.relative.cmp(&b.relative));
        let index = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.relative.clone(), i))
            .collect();
        Ok(Checkout {
            root: root.to_path_buf(),
            git: root.join(".git").exists(),
            files,
            index,
        })
    }

    /// The directory that was walked.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether the root is a git work tree (it has `.git`, a directory or,
    /// for worktrees and submodules, a file).
    pub fn is_git(&self) -> bool {
        self.git
    }

    /// Every file, sorted by relative path.
    pub fn files(&self) -> &[CheckoutFile] {
        &self.files
    }

    /// The file at a relative path, if the walk found it.
    pub fn get(&self, relative: &str) -> Option<&CheckoutFile> {
        self.index.get(relative).map(|&i| &self.files[i])
    }

    /// The bytes of a file, read once. An unreadable file is an
    /// infrastructure error naming the file.
    pub fn read(&self, file: &CheckoutFile) -> Result<Arc<[u8]>, Failure> {
        file.bytes
            .get_or_init(|| {
                std::fs::read(&file.path)
                    .map(Arc::from)
                    .map_err(|e| format!("cannot read {}: {e}", file.path.display()))
            })
            .clone()
            .map_err(Failure::infra)
    }

    /// The sha256 (hex) of a file's bytes, computed once.
    pub fn sha256(&self, file: &CheckoutFile) -> Result<String, Failure> {
        if let Some(digest) = file.sha256.get() {
            return Ok(digest.clone());
        }
        let bytes = self.read(file)?;
        Ok(file.sha256.get_or_init(|| sha256_hex(&bytes)).clone())
    }

    /// An evidence input for a file: its path and sha256.
    pub fn input(&self, file: &CheckoutFile) -> Result<crate::gate::Input, Failure> {
        Ok(crate::gate::Input {
            path: file.relative.clone(),
            sha256: self.sha256(file)?,
        })
    }

    /// Files matching any of `patterns` (globs relative to the root, `*`
    /// stops at `/`, `**` crosses it). `key` names the setting in errors.
    pub fn matching(&self, patterns: &[String], key: &str) -> Result<Vec<&CheckoutFile>, Failure> {
        let set = glob_set(patterns, key)?;
        Ok(self
            .files
            .iter()
            .filter(|f| set.is_match(&f.relative))
            .collect())
    }

    /// Files matching `pattern` whether or not `.gitignore` excludes them
    /// (build outputs are artifacts too), found without walking the rest of
    /// the checkout: a literal path is looked up, and a glob walks only the
    /// directory its literal prefix names. Relative paths, sorted.
    pub fn find_unignored(&self, pattern: &str, key: &str) -> Result<Vec<String>, Failure> {
        if !has_glob_meta(pattern) {
            let path = self.root.join(pattern);
            return Ok(if path.is_file() {
                vec![slashed(Path::new(pattern))]
            } else {
                Vec::new()
            });
        }
        let set = glob_set(&[pattern.to_owned()], key)?;
        let base: Vec<&str> = pattern
            .split('/')
            .take_while(|segment| !has_glob_meta(segment))
            .collect();
        let start = self.root.join(base.join("/"));
        if !start.is_dir() {
            return Ok(Vec::new());
        }
        let mut found = Vec::new();
        for entry in ignore::WalkBuilder::new(&start)
            .standard_filters(false)
            .filter_entry(|e| e.file_name() != ".git")
            .build()
        {
            let entry = entry
                .map_err(|e| Failure::infra(format!("cannot walk {}: {e}", start.display())))?;
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let relative = slashed(
                entry
                    .path()
                    .strip_prefix(&self.root)
                    .unwrap_or(entry.path()),
            );
            if set.is_match(&relative) {
                found.push(relative);
            }
        }
        found.sort();
        Ok(found)
    }
}

fn has_glob_meta(text: &str) -> bool {
    text.contains(['*', '?', '[', '{'])
}

fn glob_set(patterns: &[String], key: &str) -> Result<globset::GlobSet, Failure> {
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in patterns {
        let glob = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| Failure::usage(format!("{key}: `{pattern}` is not a valid glob: {e}")))?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|e| Failure::usage(format!("{key}: {e}")))
}

fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn walks_once_honouring_gitignore_and_reads_on_demand() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        write(dir.path(), ".git/config", "");
        write(dir.path(), ".gitignore", "dist/\n");
        write(dir.path(), "dist/app", "binary");
        write(dir.path(), "src/a.rs", "abc");
        write(dir.path(), ".env", "X=1");
        let checkout = Checkout::open(dir.path()).unwrap();
        assert!(checkout.is_git());
        let names: Vec<&str> = checkout
            .files()
            .iter()
            .map(|f| f.relative.as_str())
            .collect();
        assert_eq!(names, [".env", ".gitignore", "src/a.rs"]);
        let file = checkout.get("src/a.rs").unwrap();
        assert_eq!(&*checkout.read(file).unwrap(), b"abc");
        assert_eq!(
            checkout.sha256(file).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // Read once: a change on disk after the first read is not seen.
        write(dir.path(), "src/a.rs", "changed");
        assert_eq!(&*checkout.read(file).unwrap(), b"abc");
        // Ignored build outputs are still found as artifacts.
        assert_eq!(
            checkout.find_unignored("dist/*", "k").unwrap(),
            ["dist/app"]
        );
        assert_eq!(
            checkout.find_unignored("dist/app", "k").unwrap(),
            ["dist/app"]
        );
        assert!(checkout.find_unignored("out/*", "k").unwrap().is_empty());
        assert_eq!(
            checkout.matching(&["src/*.rs".into()], "k").unwrap().len(),
            1
        );
        assert_eq!(
            checkout
                .matching(&["[".into()], "gates.x.records")
                .unwrap_err()
                .code,
            crate::ExitCode::Usage
        );
    }

    #[test]
    fn an_unreadable_file_is_an_infrastructure_error() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", "x");
        let checkout = Checkout::open(dir.path()).unwrap();
        std::fs::remove_file(dir.path().join("a.txt")).unwrap();
        let err = checkout.read(checkout.get("a.txt").unwrap()).unwrap_err();
        assert_eq!(err.code, crate::ExitCode::Infra);
        assert!(err.message.contains("a.txt"), "{}", err.message);
    }
}
