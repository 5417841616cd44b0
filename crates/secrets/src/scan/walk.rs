//! Which files a scan reads.

use std::path::{Path, PathBuf};

use ci_intel_core::Failure;

/// A file to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub path: PathBuf,
    /// As reported: `/`-separated, without a leading `./`.
    pub display: String,
    /// Relative to the root it was found under (`secrets.allowlist.paths`
    /// match this); for a file named on the command line, `display`.
    pub relative: String,
}

fn slashed(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut text = text.as_str();
    while let Some(rest) = text.strip_prefix("./") {
        text = rest;
    }
    text.to_owned()
}

/// Every file under `paths`. Directories are walked honouring `.gitignore`
/// (also outside a git repository), `.ignore` and `.git/info/exclude`;
/// hidden files are included (`.env` is a finding) and `.git` is not;
/// symbolic links are not followed. A file named explicitly is always
/// included. A missing path is a usage error; an unreadable directory is an
/// infrastructure error (a scan that cannot look must not pass).
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Target>, Failure> {
    let mut out = Vec::new();
    for root in paths {
        let meta = std::fs::metadata(root)
            .map_err(|e| Failure::usage(format!("cannot scan {}: {e}", root.display())))?;
        if meta.is_file() {
            let display = slashed(root);
            out.push(Target {
                path: root.clone(),
                relative: display.clone(),
                display,
            });
            continue;
        }
        for path in ci_intel_core::walk::files(root)? {
            let path = path.as_path();
            let relative = path
                .strip_prefix(root)
                .map(slashed)
                .unwrap_or_else(|_| slashed(path));
            out.push(Target {
                path: path.to_path_buf(),
                display: slashed(path),
                relative,
            });
        }
    }
    out.sort_by(|a, b| a.display.cmp(&b.display));
    out.dedup_by(|a, b| a.display == b.display);
    Ok(out)
}
