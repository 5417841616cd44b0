//! `# ci-intel: ignore[secrets]` (or `// ci-intel: ignore[secrets]`) on a
//! line suppresses what `scan` finds on it. A rule id instead of `secrets`
//! suppresses only that rule; several may be listed, comma-separated.
//! Suppressions are counted in the summary, never silent.

/// True when `line` carries an ignore comment covering `rule`.
pub fn ignores(line: &str, rule: &str) -> bool {
    const MARKER: &str = "ci-intel:";
    let mut rest = line;
    while let Some(at) = rest.find(MARKER) {
        let before = &line[..line.len() - rest.len() + at];
        let after = rest[at + MARKER.len()..].trim_start();
        // Only inside a comment: a `#` or `//` earlier on the line.
        let in_comment = before.contains('#') || before.contains("//");
        if in_comment
            && let Some(list) = after.strip_prefix("ignore[")
            && let Some(end) = list.find(']')
            && list[..end]
                .split(',')
                .map(str::trim)
                .any(|item| item == "secrets" || item == rule)
        {
            return true;
        }
        rest = &rest[at + MARKER.len()..];
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_slash_comments_with_the_tool_or_a_rule() {
        assert!(ignores("token = 'x' # ci-intel: ignore[secrets]", "jwt"));
        assert!(ignores(
            "let t = \"x\"; // ci-intel: ignore[jwt, private-key]",
            "jwt"
        ));
        assert!(ignores("x #ci-intel:ignore[secrets]", "jwt"));
        assert!(!ignores(
            "let t = \"x\"; // ci-intel: ignore[private-key]",
            "jwt"
        ));
        assert!(
            !ignores("ci-intel: ignore[secrets]", "jwt"),
            "not in a comment"
        );
        assert!(!ignores("# ci-intel: ignore[policy]", "jwt"));
        assert!(!ignores("# ci-intel: ignore[secrets", "jwt"));
        assert!(!ignores("", "jwt"));
    }
}
