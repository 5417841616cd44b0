//! The raw text of an audited file: comments (which YAML parsers drop) and
//! exact positions inside multi-line scalars.

use super::yaml::Pos;

/// What starts an ignore comment, after the `#`.
const IGNORE_MARKERS: [&str; 2] = ["ci-intel: ignore[", "zizmor: ignore["];

/// A file's text split into lines.
#[derive(Debug)]
pub struct Source<'a> {
    lines: Vec<&'a str>,
    /// Whether any line could carry an ignore comment: most files have
    /// none, and then no finding needs its lines looked up.
    has_ignore_comments: bool,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str) -> Self {
        Source {
            lines: text.lines().collect(),
            has_ignore_comments: IGNORE_MARKERS.iter().any(|m| text.contains(m)),
        }
    }

    /// False when no line has `ci-intel: ignore[` or `zizmor: ignore[`, so
    /// [`Source::ignores`] is false for every line and rule.
    pub fn has_ignore_comments(&self) -> bool {
        self.has_ignore_comments
    }

    /// Line `n` (1-based), or "".
    pub fn line(&self, n: u32) -> &'a str {
        usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| self.lines.get(i))
            .copied()
            .unwrap_or("")
    }

    /// True when line `n` carries `# ci-intel: ignore[rule]` or
    /// `# zizmor: ignore[rule]` (several rules may be listed, comma-separated),
    /// under the rule's id or one of its other names
    /// ([`super::rules::ignore_names`]).
    pub fn ignores(&self, n: u32, rule: &str) -> bool {
        let names = super::rules::ignore_names(rule);
        let line = self.line(n);
        let Some(hash) = line.find('#') else {
            return false;
        };
        let comment = &line[hash..];
        IGNORE_MARKERS.iter().any(|marker| {
            let mut rest = comment;
            while let Some(at) = rest.find(marker) {
                let after = &rest[at + marker.len()..];
                if let Some(end) = after.find(']')
                    && after[..end]
                        .split(',')
                        .any(|r| r.trim() == rule || names.contains(&r.trim()))
                {
                    return true;
                }
                rest = after;
            }
            false
        })
    }

    /// The comment after `value` on line `n` (`# v1.2.3`), without the `#`,
    /// trimmed.
    pub fn trailing_comment(&self, n: u32, value: &str) -> Option<&'a str> {
        let line = self.line(n);
        let start = line.find(value).map(|i| i + value.len()).unwrap_or(0);
        let rest = line.get(start..)?;
        let hash = rest.find('#')?;
        // Only a comment if it is preceded by whitespace (or a closing quote).
        let before = rest[..hash].trim_start_matches(['"', '\'']);
        if !before.chars().all(char::is_whitespace) {
            return None;
        }
        Some(rest[hash + 1..].trim())
    }

    /// Where `needle` first occurs within the lines of `pos` (1-based line and
    /// character column), to point inside a block scalar.
    pub fn locate(&self, pos: Pos, needle: &str) -> Option<Pos> {
        if needle.is_empty() {
            return None;
        }
        let last = pos.end_line.max(pos.line);
        for n in pos.line..=last {
            let line = self.line(n);
            if let Some(byte) = line.find(needle) {
                let col = u32::try_from(line[..byte].chars().count() + 1).unwrap_or(u32::MAX);
                let len = u32::try_from(needle.chars().count()).unwrap_or(u32::MAX);
                return Some(Pos {
                    line: n,
                    col,
                    end_line: n,
                    end_col: col.saturating_add(len),
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_comments_of_both_tools() {
        let src = Source::new(
            "a: 1 # ci-intel: ignore[x, y]\nb: 2 # zizmor: ignore[z]\nc: 3 # ignore[x]\n",
        );
        assert!(src.ignores(1, "x") && src.ignores(1, "y") && !src.ignores(1, "z"));
        assert!(src.ignores(2, "z"));
        assert!(!src.ignores(3, "x"));
        assert!(!src.ignores(99, "x"));
    }

    #[test]
    fn zizmor_names_silence_our_rules() {
        let src = Source::new(
            "a: 1 # zizmor: ignore[hardcoded-container-credentials]\nb: 2 # zizmor: ignore[unpinned-uses]\n",
        );
        assert!(src.ignores(1, "hardcoded-credentials"));
        assert!(!src.ignores(1, "unpinned-images"));
        assert!(src.ignores(2, "unpinned-uses") && src.ignores(2, "floating-ref"));
        assert!(!src.ignores(2, "pin-comment"));
    }

    #[test]
    fn trailing_comments() {
        let src = Source::new("  - uses: a/b@abc # v1.2.3\n  - uses: a/b@abc#x\n");
        assert_eq!(src.trailing_comment(1, "a/b@abc"), Some("v1.2.3"));
        assert_eq!(src.trailing_comment(2, "a/b@abc#x"), None);
    }
}
