//! The files of a repository checkout, as the gates of `check` see them.

use std::path::{Path, PathBuf};

use ci_intel_core::Failure;

/// Which ignore files a walk honours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignores {
    /// `.gitignore` and friends: build outputs and vendored trees are
    /// skipped (records kept in the repository).
    Honour,
    /// Every file: artifacts are usually build outputs that .gitignore
    /// excludes, and must still be found.
    Disregard,
}

/// Every file under `dir` except those inside `.git`, relative to `dir`,
/// sorted.
pub fn files(dir: &Path, ignores: Ignores) -> Result<Vec<PathBuf>, Failure> {
    let honour = ignores == Ignores::Honour;
    let mut found = Vec::new();
    for entry in ignore::WalkBuilder::new(dir)
        .hidden(false)
        .git_ignore(honour)
        .git_exclude(honour)
        .git_global(honour)
        .ignore(honour)
        .parents(honour)
        .filter_entry(|e| e.file_name() != ".git")
        .build()
    {
        let entry =
            entry.map_err(|e| Failure::infra(format!("cannot walk {}: {e}", dir.display())))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        found.push(relative.to_path_buf());
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_files_are_listed_only_when_ignores_are_disregarded() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join(".git/config"), "").unwrap();
        std::fs::write(dir.path().join(".gitignore"), "dist/\n").unwrap();
        std::fs::create_dir_all(dir.path().join("dist")).unwrap();
        std::fs::write(dir.path().join("dist/app"), "").unwrap();
        std::fs::write(dir.path().join("README.md"), "").unwrap();
        let honoured = files(dir.path(), Ignores::Honour).unwrap();
        assert_eq!(
            honoured,
            [PathBuf::from(".gitignore"), PathBuf::from("README.md")]
        );
        let all = files(dir.path(), Ignores::Disregard).unwrap();
        assert_eq!(
            all,
            [
                PathBuf::from(".gitignore"),
                PathBuf::from("README.md"),
                PathBuf::from("dist/app")
            ]
        );
    }
}
