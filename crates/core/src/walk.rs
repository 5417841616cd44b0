//! The one way tools list the files under a directory they were given.

use std::path::{Path, PathBuf};

use crate::Failure;

/// Every file under `root`, in walk order: `.gitignore` (also outside a git
/// repository), `.ignore` and `.git/info/exclude` are honoured, hidden files
/// are included (a committed `.env` matters) and `.git` is not, symbolic
/// links are not followed. An unreadable directory is an infrastructure
/// error: a tool that cannot look must not pass.
pub fn files(root: &Path) -> Result<Vec<PathBuf>, Failure> {
    let mut found = Vec::new();
    for entry in builder(root).build() {
        let entry =
            entry.map_err(|e| Failure::infra(format!("cannot walk {}: {e}", root.display())))?;
        if entry.file_type().is_some_and(|t| t.is_file()) {
            found.push(entry.into_path());
        }
    }
    Ok(found)
}

/// The walker every listing of a tree uses, with the rules above; callers
/// may add to it (sorting) before building.
pub fn builder(root: &Path) -> ignore::WalkBuilder {
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .hidden(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git");
    builder
}
