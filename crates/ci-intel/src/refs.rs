//! Finding `uses:` references in workflow and action files, with their line,
//! their ref and their trailing version comment.
//!
//! Comments carry the version (`@<sha> # v1.4.0`, Renovate's format) and YAML
//! parsers drop comments, so references are read line by line; the file is
//! also parsed as YAML so that a broken file is reported, not skipped.

use ci_intel_core::checkout::{Checkout, CheckoutFile};

/// One `uses:` reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsesRef {
    /// Path relative to the scanned root, `/`-separated.
    pub file: String,
    /// 1-based line and column of the reference value.
    pub line: u32,
    pub column: u32,
    /// The value as written (`owner/repo/path@ref`).
    pub raw: String,
    pub kind: RefKind,
    /// The text after `#` on the same line, trimmed.
    pub comment: Option<String>,
}

/// What a `uses:` value points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefKind {
    /// `./path`: the workspace checkout.
    Local,
    /// `$/path`: the same repository at the running commit.
    SelfRepository,
    /// `docker://image`.
    Docker,
    /// `owner/repo[/path]@ref`.
    Remote {
        owner: String,
        repo: String,
        path: Option<String>,
        git_ref: Option<String>,
    },
}

impl UsesRef {
    /// `owner/repo`, for remote references.
    pub fn repository(&self) -> Option<String> {
        match &self.kind {
            RefKind::Remote { owner, repo, .. } => Some(format!("{owner}/{repo}")),
            _ => None,
        }
    }

    pub fn git_ref(&self) -> Option<&str> {
        match &self.kind {
            RefKind::Remote { git_ref, .. } => git_ref.as_deref(),
            _ => None,
        }
    }
}

/// Classify a `uses:` value.
pub fn classify(value: &str) -> RefKind {
    if value.starts_with("./") || value.starts_with("../") {
        return RefKind::Local;
    }
    if value.starts_with("$/") {
        return RefKind::SelfRepository;
    }
    if value.starts_with("docker://") {
        return RefKind::Docker;
    }
    let (target, git_ref) = match value.split_once('@') {
        Some((t, r)) => (t, Some(r.to_owned())),
        None => (value, None),
    };
    let mut parts = target.splitn(3, '/');
    let owner = parts.next().unwrap_or_default().to_owned();
    let repo = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().map(str::to_owned);
    RefKind::Remote {
        owner,
        repo,
        path,
        git_ref,
    }
}

/// Extract every `uses:` reference of one file's text.
pub fn extract(file: &str, text: &str) -> Vec<UsesRef> {
    let mut refs = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let after_dash = trimmed
            .strip_prefix("- ")
            .map(str::trim_start)
            .unwrap_or(trimmed);
        let Some(rest) = after_dash.strip_prefix("uses:") else {
            continue;
        };
        let (value_part, comment) = split_comment(rest);
        let value = value_part.trim().trim_matches(['"', '\'']);
        if value.is_empty() || value.contains("${{") {
            continue;
        }
        let column = line.len() - rest.len() + (rest.len() - rest.trim_start().len()) + 1;
        refs.push(UsesRef {
            file: file.to_owned(),
            line: u32::try_from(index + 1).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            raw: value.to_owned(),
            kind: classify(value),
            comment,
        });
    }
    refs
}

/// Split `value # comment`; a `#` counts as a comment only after whitespace,
/// as in YAML.
fn split_comment(rest: &str) -> (&str, Option<String>) {
    let bytes = rest.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            let comment = rest[i + 1..].trim();
            return (
                &rest[..i],
                (!comment.is_empty()).then(|| comment.to_owned()),
            );
        }
    }
    (rest, None)
}

/// Directories never scanned.
const SKIPPED_DIRS: [&str; 4] = [".git", "target", "node_modules", ".venv"];

/// The workflow and action metadata files of a checkout, relative paths,
/// sorted: `.github/workflows/*.{yml,yaml}` and `action.{yml,yaml}`
/// anywhere outside build and dependency folders.
pub fn workflow_files(checkout: &Checkout) -> Vec<&CheckoutFile> {
    checkout
        .files()
        .iter()
        .filter(|file| {
            let parts: Vec<&str> = file.relative.split('/').collect();
            let name = parts.last().copied().unwrap_or_default();
            let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
            let workflow = parts.len() == 3 && parts[0] == ".github" && parts[1] == "workflows";
            let action = name == "action.yml" || name == "action.yaml";
            yaml && (workflow || (action && !parts.iter().any(|p| SKIPPED_DIRS.contains(p))))
        })
        .collect()
}

/// True for a full 40-hex commit SHA.
pub fn is_full_sha(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// True for a Renovate-style version comment value: `vX.Y.Z` (optionally a
/// pre-release suffix), with or without the `v`.
pub fn is_version(text: &str) -> bool {
    let core = text.strip_prefix('v').unwrap_or(text);
    let core = core.split_once(['-', '+']).map(|(c, _)| c).unwrap_or(core);
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn extracts_steps_jobs_quotes_and_comments() {
        let text = "jobs:\n  a:\n    uses: acme/ci-intel/.github/workflows/hub.yml@0123456789abcdef0123456789abcdef01234567 # v1.4.0\n  b:\n    steps:\n      - uses: \"actions/checkout@v4\"\n      - name: x\n        uses: ./local\n      - uses: $/actions/telemetry\n      - uses: docker://alpine:3\n      - run: echo uses: not-a-ref\n      - uses: ${{ matrix.action }}\n";
        let refs = extract("w.yml", text);
        assert_eq!(refs.len(), 5, "{refs:#?}");
        assert_eq!(refs[0].line, 3);
        assert_eq!(refs[0].column, 11);
        assert_eq!(refs[0].comment.as_deref(), Some("v1.4.0"));
        assert_eq!(refs[0].repository().as_deref(), Some("acme/ci-intel"));
        assert_eq!(refs[1].raw, "actions/checkout@v4");
        assert_eq!(refs[1].git_ref(), Some("v4"));
        assert_eq!(refs[2].kind, RefKind::Local);
        assert_eq!(refs[3].kind, RefKind::SelfRepository);
        assert_eq!(refs[4].kind, RefKind::Docker);
    }

    #[test]
    fn hash_without_space_is_not_a_comment() {
        let refs = extract("w.yml", "      - uses: a/b@v1#x\n");
        assert_eq!(refs[0].raw, "a/b@v1#x");
        assert_eq!(refs[0].comment, None);
    }

    #[test]
    fn sha_and_version_shapes() {
        assert!(is_full_sha("0123456789abcdef0123456789abcdef01234567"));
        assert!(!is_full_sha("0123456"));
        assert!(!is_full_sha("main"));
        assert!(is_version("v1.4.0") && is_version("1.4.0") && is_version("v2.0.0-rc.1"));
        assert!(!is_version("v1.4") && !is_version("pin @v1.4.0") && !is_version("latest"));
    }

    proptest! {
        #[test]
        fn extraction_never_panics(text in "(?s).{0,400}") {
            let _ = extract("f.yml", &text);
        }

        #[test]
        fn classify_never_panics(value in ".{0,80}") {
            let _ = classify(&value);
        }
    }
}
