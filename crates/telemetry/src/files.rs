//! Expanding file arguments that may be glob patterns.

use std::path::{Path, PathBuf};

use ci_intel_core::Failure;

/// Directories never searched when expanding a pattern.
const SKIPPED_DIRS: [&str; 3] = [".git", "target", "node_modules"];

/// A literal path (returned as is when it exists) or a glob pattern matched
/// against files below the current directory (or below the pattern's literal
/// prefix), sorted.
pub fn expand(pattern: &str) -> Result<Vec<PathBuf>, Failure> {
    if !pattern.contains(['*', '?', '[', '{']) {
        let path = PathBuf::from(pattern);
        return Ok(if path.exists() {
            vec![path]
        } else {
            Vec::new()
        });
    }
    let matcher = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| Failure::usage(format!("`{pattern}` is not a valid glob: {e}")))?
        .compile_matcher();
    // Start walking at the longest directory prefix without glob characters.
    let base: PathBuf = Path::new(pattern)
        .components()
        .take_while(|c| {
            !c.as_os_str()
                .to_string_lossy()
                .contains(['*', '?', '[', '{'])
        })
        .collect();
    let root = if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base
    };
    let mut found = Vec::new();
    walk(&root, &mut |path| {
        let relative = path.strip_prefix("./").unwrap_or(path);
        if matcher.is_match(relative) {
            found.push(relative.to_path_buf());
        }
    })
    .map_err(|e| Failure::infra(format!("cannot list {}: {e}", root.display())))?;
    found.sort();
    Ok(found)
}

fn walk(dir: &Path, visit: &mut dyn FnMut(&Path)) -> std::io::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if SKIPPED_DIRS.iter().any(|s| entry.file_name() == *s) {
                continue;
            }
            walk(&path, visit)?;
        } else if kind.is_file() {
            visit(&path);
        }
    }
    Ok(())
}
