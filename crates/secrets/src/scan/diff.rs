//! `scan --diff BASE`: the lines a change adds, from the real `git diff`.
//!
//! Git runs as `git diff --no-color --no-ext-diff -U0 BASE -- PATHS` in the
//! repository directory, so BASE means what it means to git: a commit, a
//! branch, `origin/main`, or `origin/main...HEAD` for "since the merge
//! base". Without context lines every `+` line of a hunk is an added line,
//! and the hunk header `@@ -a,b +c,d @@` gives the new file's line number
//! of the first one.

use std::path::{Path, PathBuf};
use std::process::Command;

use ci_intel_core::Failure;

/// The added lines of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddedFile {
    /// The new path, relative to the repository root, `/`-separated.
    pub path: String,
    /// The added lines joined with `\n` (each line ends with one).
    pub text: String,
    /// The new-file line number of each line of `text`.
    pub lines: Vec<u32>,
}

/// Everything a diff adds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddedLines {
    pub files: Vec<AddedFile>,
    /// Files git reports as binary (`Binary files ... differ`).
    pub binary: Vec<String>,
}

/// Run `git diff` in `repo_dir` and collect the added lines.
pub fn added_lines(repo_dir: &Path, base: &str, paths: &[PathBuf]) -> Result<AddedLines, Failure> {
    if base.is_empty() || base.starts_with('-') {
        // Never let a caller's BASE become a git option.
        return Err(Failure::usage(format!(
            "--diff `{base}`: a base revision must not be empty or start with `-`"
        )));
    }
    let mut command = Command::new("git");
    command
        .current_dir(repo_dir)
        .args([
            "-c",
            "core.quotePath=false",
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "-U0",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            base,
            "--",
        ])
        .args(paths)
        // Git must not page, prompt or read the user's diff drivers.
        .env("GIT_PAGER", "cat")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_EXTERNAL_DIFF");
    let output = command.output().map_err(|e| {
        Failure::infra(format!(
            "--diff {base}: cannot run git in {}: {e}",
            repo_dir.display()
        ))
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        // A bad revision or "not a git repository": the caller's input.
        return Err(Failure::usage(format!(
            "--diff {base}: git diff failed in {} ({}): {}",
            repo_dir.display(),
            output.status,
            stderr.trim()
        )));
    }
    Ok(parse_unified(&output.stdout))
}

/// One commit of `scan --history`: what it added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Commit {
    /// The full commit id.
    pub id: String,
    /// The author date, strict ISO 8601 (`%aI`).
    pub author_time: String,
    pub added: AddedLines,
}

/// The separator git writes before each commit's header (`%x1e`).
const COMMIT_MARK: u8 = 0x1e;

/// Run `git log -p` in `repo_dir` and collect what each commit added,
/// oldest first: every commit reachable from any ref (`--all`), or with
/// `since`, those of `since..HEAD`. Merge commits show no diff of their own
/// (git's default): what they bring was added by the commits they merge.
pub fn history(
    repo_dir: &Path,
    since: Option<&str>,
    paths: &[PathBuf],
) -> Result<Vec<Commit>, Failure> {
    let range = match since {
        Some(rev) if rev.is_empty() || rev.starts_with('-') => {
            return Err(Failure::usage(format!(
                "--since `{rev}`: a revision must not be empty or start with `-`"
            )));
        }
        Some(rev) => format!("{rev}..HEAD"),
        None => "--all".to_owned(),
    };
    let mut command = Command::new("git");
    command
        .current_dir(repo_dir)
        .args([
            "-c",
            "core.quotePath=false",
            "log",
            "-p",
            "--reverse",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "-U0",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "--format=format:%x1e%H %aI",
            &range,
            "--",
        ])
        .args(paths)
        .env("GIT_PAGER", "cat")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_EXTERNAL_DIFF");
    let what = since.map_or_else(|| "--history".to_owned(), |rev| format!("--since {rev}"));
    let output = command.output().map_err(|e| {
        Failure::infra(format!(
            "{what}: cannot run git in {}: {e}",
            repo_dir.display()
        ))
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Failure::usage(format!(
            "{what}: git log failed in {} ({}): {}",
            repo_dir.display(),
            output.status,
            stderr.trim()
        )));
    }
    Ok(parse_log(&output.stdout))
}

/// Parse `git log -p -U0 --format=%x1e%H %aI` output.
pub fn parse_log(log: &[u8]) -> Vec<Commit> {
    log.split(|&b| b == COMMIT_MARK)
        .filter(|chunk| !chunk.is_empty())
        .filter_map(|chunk| {
            let end = chunk
                .iter()
                .position(|&b| b == b'\n')
                .unwrap_or(chunk.len());
            let header = String::from_utf8_lossy(&chunk[..end]);
            let mut fields = header.split_whitespace();
            let id = fields.next()?.to_owned();
            let author_time = fields.next().unwrap_or_default().to_owned();
            Some(Commit {
                id,
                author_time,
                added: parse_unified(&chunk[end..]),
            })
        })
        .collect()
}

/// Parse `git diff -U0` output.
pub fn parse_unified(diff: &[u8]) -> AddedLines {
    let mut out = AddedLines::default();
    let mut current: Option<AddedFile> = None;
    let mut in_hunk = false;
    let mut next_line: u32 = 0;
    let mut header_path: Option<String> = None;
    for raw in diff.split(|&b| b == b'\n') {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.starts_with(b"diff --git ") {
            flush(&mut out, current.take());
            in_hunk = false;
            header_path = git_header_new_path(&String::from_utf8_lossy(raw));
            continue;
        }
        if !in_hunk {
            let line = String::from_utf8_lossy(raw);
            if let Some(path) = line.strip_prefix("+++ ") {
                current = new_path(path).map(|path| AddedFile {
                    path,
                    ..AddedFile::default()
                });
            } else if line.starts_with("Binary files ") {
                if let Some(path) = header_path.clone() {
                    out.binary.push(path);
                }
            } else if let Some(start) = hunk_start(&line) {
                in_hunk = true;
                next_line = start;
            }
            continue;
        }
        match raw.first() {
            Some(b'+') => {
                if let Some(file) = current.as_mut() {
                    file.text.push_str(&String::from_utf8_lossy(&raw[1..]));
                    file.text.push('\n');
                    file.lines.push(next_line);
                }
                next_line = next_line.saturating_add(1);
            }
            Some(b' ') => next_line = next_line.saturating_add(1),
            Some(b'@') => {
                if let Some(start) = hunk_start(&String::from_utf8_lossy(raw)) {
                    next_line = start;
                }
            }
            // `-` lines, `\ No newline at end of file`, the empty last line.
            _ => {}
        }
    }
    flush(&mut out, current);
    out
}

fn flush(out: &mut AddedLines, file: Option<AddedFile>) {
    if let Some(file) = file
        && !file.lines.is_empty()
    {
        out.files.push(file);
    }
}

/// `@@ -a[,b] +c[,d] @@ ...` → c.
fn hunk_start(line: &str) -> Option<u32> {
    let rest = line.strip_prefix("@@ ")?;
    let plus = rest.split_whitespace().find(|p| p.starts_with('+'))?;
    let number = plus[1..].split(',').next()?;
    number.parse().ok()
}

/// The path of a `+++` line: `b/x` → `x`, `/dev/null` → none, C-quoted
/// paths (names with control characters or quotes) unquoted.
fn new_path(field: &str) -> Option<String> {
    let field = field.trim_end_matches('\t');
    if field == "/dev/null" {
        return None;
    }
    let unquoted = if field.starts_with('"') {
        unquote(field)?
    } else {
        field.to_owned()
    };
    unquoted.strip_prefix("b/").map(str::to_owned)
}

/// The new path from `diff --git a/x b/y` (used for binary files, which
/// have no `+++` line). Only unambiguous when the two halves have no space.
fn git_header_new_path(line: &str) -> Option<String> {
    let rest = line.strip_prefix("diff --git ")?;
    let b = rest.rfind(" b/")?;
    Some(rest[b + 3..].trim_matches('"').to_owned())
}

/// Undo git's C-style quoting: `"a\tb\"c\303\251"`.
fn unquote(field: &str) -> Option<String> {
    let inner = field.strip_prefix('"')?.strip_suffix('"')?;
    let mut bytes = Vec::with_capacity(inner.len());
    let mut chars = inner.bytes().peekable();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match chars.next()? {
            b'n' => bytes.push(b'\n'),
            b't' => bytes.push(b'\t'),
            b'r' => bytes.push(b'\r'),
            b'a' => bytes.push(7),
            b'b' => bytes.push(8),
            b'f' => bytes.push(12),
            b'v' => bytes.push(11),
            d @ b'0'..=b'7' => {
                let mut value = u32::from(d - b'0');
                for _ in 0..2 {
                    let next = chars.next()?;
                    value = value * 8 + u32::from(next.checked_sub(b'0').filter(|v| *v < 8)?);
                }
                bytes.push(u8::try_from(value).ok()?);
            }
            other => bytes.push(other),
        }
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_lines_carry_new_file_line_numbers() {
        let diff = b"diff --git a/src/a.txt b/src/a.txt\nindex 1..2 100644\n--- a/src/a.txt\n+++ b/src/a.txt\n@@ -3,0 +4,2 @@ ctx\n+four\n+five\n@@ -10 +12 @@\n-old\n+twelve\n\\ No newline at end of file\ndiff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\n--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\ndiff --git a/img.png b/img.png\nBinary files a/img.png and b/img.png differ\ndiff --git \"a/sp\\303\\251cial \\\"q\\\".txt\" \"b/sp\\303\\251cial \\\"q\\\".txt\"\nnew file mode 100644\n--- /dev/null\n+++ \"b/sp\\303\\251cial \\\"q\\\".txt\"\n@@ -0,0 +1 @@\n++plus\n";
        let added = parse_unified(diff);
        assert_eq!(added.files.len(), 2, "{added:?}");
        assert_eq!(added.files[0].path, "src/a.txt");
        assert_eq!(added.files[0].text, "four\nfive\ntwelve\n");
        assert_eq!(added.files[0].lines, vec![4, 5, 12]);
        assert_eq!(added.files[1].path, "spécial \"q\".txt");
        assert_eq!(added.files[1].text, "+plus\n");
        assert_eq!(added.files[1].lines, vec![1]);
        assert_eq!(added.binary, vec!["img.png"]);
    }

    #[test]
    fn a_log_is_split_into_commits_with_their_added_lines() {
        let log = b"\x1eaaaa1111 2026-01-02T03:04:05+00:00\n\ndiff --git a/x.txt b/x.txt\n--- /dev/null\n+++ b/x.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n\x1ebbbb2222 2026-01-03T00:00:00Z\n\x1ecccc3333 2026-01-04T00:00:00Z\n\ndiff --git a/x.txt b/x.txt\n--- a/x.txt\n+++ b/x.txt\n@@ -2 +2 @@\n-two\n+deux\n";
        let commits = parse_log(log);
        assert_eq!(commits.len(), 3, "{commits:?}");
        assert_eq!(commits[0].id, "aaaa1111");
        assert_eq!(commits[0].author_time, "2026-01-02T03:04:05+00:00");
        assert_eq!(commits[0].added.files[0].text, "one\ntwo\n");
        assert!(commits[1].added.files.is_empty(), "a merge shows no diff");
        assert_eq!(commits[2].added.files[0].lines, vec![2]);
        assert!(parse_log(b"").is_empty());
    }

    #[test]
    fn a_since_that_looks_like_an_option_is_refused() {
        let err = history(Path::new("."), Some("--output=/tmp/x"), &[]).unwrap_err();
        assert_eq!(err.code, ci_intel_core::ExitCode::Usage);
    }

    #[test]
    fn a_base_that_looks_like_an_option_is_refused() {
        let err = added_lines(Path::new("."), "--output=/tmp/x", &[]).unwrap_err();
        assert_eq!(err.code, ci_intel_core::ExitCode::Usage);
    }
}
