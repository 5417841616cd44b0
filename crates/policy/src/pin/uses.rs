//! `uses:` references with the byte spans needed to rewrite them in place.
//!
//! Version comments (`@<sha> # v1.4.0`) are lost by YAML parsers, and a
//! rewrite must leave every other byte alone, so references are found line by
//! line on the raw text. Only block-style `uses: value` lines are recognised
//! (optionally after a `- ` list marker); values with expressions are skipped.

use std::ops::Range;

/// One `uses:` reference and where its parts are in the file's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsesSite {
    /// 1-based line and column of the value.
    pub line: u32,
    pub column: u32,
    /// The value without its quotes (`owner/repo/path@ref`).
    pub value: String,
    /// Where the value's text is (inside the quotes).
    pub value_span: Range<usize>,
    /// Just after the value, including a closing quote.
    pub value_end: usize,
    /// The comment from `#` to the end of the line's content (no line ending).
    pub comment_span: Option<Range<usize>>,
    /// The comment's text after `#`, trimmed.
    pub comment: Option<String>,
    pub target: Target,
}

/// What a `uses:` value points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `./path`, `$/path` or `docker://image`: nothing to pin.
    Skipped,
    /// `owner/repo[/path]@ref`.
    Remote {
        owner: String,
        repo: String,
        /// The ref as written and its byte span in the file.
        git_ref: String,
        ref_span: Range<usize>,
    },
    /// Something that looks remote but cannot be pinned (no `@ref`, no repo).
    Malformed(String),
}

/// Find every `uses:` reference in `text`.
pub fn extract(text: &str) -> Vec<UsesSite> {
    let mut sites = Vec::new();
    let mut line_start = 0usize;
    for (index, raw_line) in text.split_inclusive('\n').enumerate() {
        let start = line_start;
        line_start += raw_line.len();
        let content = raw_line
            .strip_suffix('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .unwrap_or(raw_line);
        if let Some(site) = extract_line(content, start, index) {
            sites.push(site);
        }
    }
    sites
}

fn extract_line(content: &str, start: usize, index: usize) -> Option<UsesSite> {
    let mut rest = content.trim_start_matches([' ', '\t']);
    while let Some(after) = rest.strip_prefix("- ") {
        rest = after.trim_start_matches([' ', '\t']);
    }
    let after_key = rest.strip_prefix("uses:")?;
    if !(after_key.is_empty() || after_key.starts_with([' ', '\t'])) {
        return None;
    }
    let value_region = after_key.trim_start_matches([' ', '\t']);
    let region_offset = content.len() - value_region.len();
    let (value, value_rel, value_end_rel) = match value_region.chars().next() {
        Some(quote @ ('"' | '\'')) => {
            let inner = &value_region[1..];
            let close = inner.find(quote)?;
            (&inner[..close], 1, close + 2)
        }
        Some(_) => {
            let end = plain_scalar_end(value_region);
            let value = value_region[..end].trim_end_matches([' ', '\t']);
            (value, 0, value.len())
        }
        None => return None,
    };
    if value.is_empty() || value.contains("${{") {
        return None;
    }
    let value_start = start + region_offset + value_rel;
    let value_end = start + region_offset + value_end_rel;
    let after_value = &content[region_offset + value_end_rel..];
    let trimmed = after_value.trim_start_matches([' ', '\t']);
    let (comment_span, comment) = if let Some(comment_text) = trimmed.strip_prefix('#') {
        let hash = start + content.len() - trimmed.len();
        let comment = comment_text.trim();
        (
            Some(hash..start + content.len()),
            (!comment.is_empty()).then(|| comment.to_owned()),
        )
    } else {
        (None, None)
    };
    Some(UsesSite {
        line: u32::try_from(index + 1).unwrap_or(u32::MAX),
        column: u32::try_from(region_offset + value_rel + 1).unwrap_or(u32::MAX),
        value: value.to_owned(),
        value_span: value_start..value_start + value.len(),
        value_end,
        comment_span,
        comment,
        target: classify(value, value_start),
    })
}

/// A plain scalar ends where ` #` starts a comment.
fn plain_scalar_end(region: &str) -> usize {
    let bytes = region.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && i > 0 && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
            return i;
        }
    }
    region.len()
}

fn classify(value: &str, value_start: usize) -> Target {
    if value.starts_with("./")
        || value.starts_with("../")
        || value.starts_with("$/")
        || value.starts_with("docker://")
    {
        return Target::Skipped;
    }
    let Some((target, git_ref)) = value.split_once('@') else {
        return Target::Malformed(format!("`{value}` has no @ref"));
    };
    let mut parts = target.splitn(3, '/');
    let owner = parts.next().unwrap_or_default();
    let repo = parts.next().unwrap_or_default();
    let valid = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    if !valid(owner) || !valid(repo) || git_ref.is_empty() {
        return Target::Malformed(format!("`{value}` is not owner/repo[/path]@ref"));
    }
    let ref_start = value_start + target.len() + 1;
    Target::Remote {
        owner: owner.to_owned(),
        repo: repo.to_owned(),
        git_ref: git_ref.to_owned(),
        ref_span: ref_start..ref_start + git_ref.len(),
    }
}

/// A replacement of one reference: the new ref and the new comment text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    pub ref_span: Range<usize>,
    pub value_end: usize,
    pub comment_span: Option<Range<usize>>,
    pub new_ref: String,
    /// Written as `# {comment}`.
    pub new_comment: String,
}

/// Apply rewrites to `text`, changing only each reference and its comment.
/// Overlapping rewrites (impossible for sites from [`extract`]) are skipped.
pub fn apply(text: &str, rewrites: &[Rewrite]) -> String {
    // (start, end, replacement), applied in order.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for rw in rewrites {
        edits.push((rw.ref_span.start, rw.ref_span.end, rw.new_ref.clone()));
        match &rw.comment_span {
            Some(span) => edits.push((span.start, span.end, format!("# {}", rw.new_comment))),
            None => edits.push((rw.value_end, rw.value_end, format!(" # {}", rw.new_comment))),
        }
    }
    edits.sort_by_key(|e| (e.0, e.1));
    let mut out = String::with_capacity(text.len() + edits.len() * 48);
    let mut cursor = 0usize;
    for (start, end, replacement) in edits {
        if start < cursor || end > text.len() || start > end {
            continue;
        }
        let (Some(keep), true) = (text.get(cursor..start), text.is_char_boundary(end)) else {
            continue;
        };
        out.push_str(keep);
        out.push_str(&replacement);
        cursor = end;
    }
    out.push_str(text.get(cursor..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    fn remote(site: &UsesSite) -> (&str, &str, &str) {
        match &site.target {
            Target::Remote {
                owner,
                repo,
                git_ref,
                ..
            } => (owner, repo, git_ref),
            other => panic!("not remote: {other:?}"),
        }
    }

    #[test]
    fn extracts_forms_and_skips_local_docker_and_expressions() {
        let text = "jobs:\n  a:\n    uses: acme/x/.github/workflows/hub.yml@v1 # keep\n    steps:\n      - uses: \"actions/checkout@v4\"\n      - uses: './local'\n      - uses: $/actions/t\n      - uses: docker://alpine:3\n      - uses: ${{ matrix.a }}\n      - run: echo uses: nope\n      - uses: a/b@c#d\n";
        let sites = extract(text);
        assert_eq!(sites.len(), 6, "{sites:#?}");
        assert_eq!(remote(&sites[0]), ("acme", "x", "v1"));
        assert_eq!(sites[0].comment.as_deref(), Some("keep"));
        assert_eq!((sites[0].line, sites[0].column), (3, 11));
        assert_eq!(remote(&sites[1]), ("actions", "checkout", "v4"));
        assert_eq!(sites[2].target, Target::Skipped);
        assert_eq!(sites[3].target, Target::Skipped);
        assert_eq!(sites[4].target, Target::Skipped);
        assert_eq!(remote(&sites[5]), ("a", "b", "c#d"));
    }

    #[test]
    fn rewrites_only_the_ref_and_comment_preserving_crlf_and_quotes() {
        let text = "on: push\r\nsteps:\r\n  - uses: 'actions/checkout@v4'   \r\n  - uses: a/b@v1.0.0  #  v1.0.0 old\r\n  - &x uses: a/b@v1\r\n";
        let sites = extract(text);
        assert_eq!(sites.len(), 2, "anchored line is not a block key here");
        let rewrites: Vec<Rewrite> = sites
            .iter()
            .map(|s| match &s.target {
                Target::Remote { ref_span, .. } => Rewrite {
                    ref_span: ref_span.clone(),
                    value_end: s.value_end,
                    comment_span: s.comment_span.clone(),
                    new_ref: SHA.to_owned(),
                    new_comment: "v9.9.9".to_owned(),
                },
                _ => unreachable!(),
            })
            .collect();
        let out = apply(text, &rewrites);
        assert_eq!(
            out,
            format!(
                "on: push\r\nsteps:\r\n  - uses: 'actions/checkout@{SHA}' # v9.9.9   \r\n  - uses: a/b@{SHA}  # v9.9.9\r\n  - &x uses: a/b@v1\r\n"
            )
        );
    }

    #[test]
    fn malformed_values_are_reported() {
        let sites = extract("- uses: actions/checkout\n- uses: justone@v1\n");
        assert!(matches!(sites[0].target, Target::Malformed(_)));
        assert!(matches!(sites[1].target, Target::Malformed(_)));
    }

    proptest! {
        #[test]
        fn extraction_and_rewrite_never_panic(text in "(?s)[ -~\t\r\n\u{e9}\u{1f600}]{0,300}") {
            let sites = extract(&text);
            let rewrites: Vec<Rewrite> = sites.iter().filter_map(|s| match &s.target {
                Target::Remote { ref_span, .. } => Some(Rewrite {
                    ref_span: ref_span.clone(),
                    value_end: s.value_end,
                    comment_span: s.comment_span.clone(),
                    new_ref: SHA.to_owned(),
                    new_comment: "v1".to_owned(),
                }),
                _ => None,
            }).collect();
            let out = apply(&text, &rewrites);
            if rewrites.is_empty() {
                prop_assert_eq!(out, text);
            }
        }

        #[test]
        fn lines_without_uses_are_untouched(prefix in "[a-z: \r\n#'\"]{0,60}", suffix in "[a-z: \r\n#'\"]{0,60}") {
            let text = format!("{prefix}\n  - uses: o/r@v1 # v1\n{suffix}");
            let sites = extract(&text);
            let rewrites: Vec<Rewrite> = sites.iter().filter_map(|s| match &s.target {
                Target::Remote { ref_span, .. } => Some(Rewrite {
                    ref_span: ref_span.clone(),
                    value_end: s.value_end,
                    comment_span: s.comment_span.clone(),
                    new_ref: SHA.to_owned(),
                    new_comment: "v1".to_owned(),
                }),
                _ => None,
            }).collect();
            let out = apply(&text, &rewrites);
            let expected = text.replace("  - uses: o/r@v1 # v1\n", &format!("  - uses: o/r@{SHA} # v1\n"));
            prop_assert_eq!(out, expected);
        }
    }
}
