//! GitHub Actions expressions (`${{ ... }}`): where they are in a string and
//! which context paths (`github.event.issue.title`) they read.

/// One `${{ ... }}` occurrence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr<'a> {
    /// The whole `${{ ... }}` text.
    pub raw: &'a str,
    /// What is between the braces, trimmed.
    pub inner: &'a str,
}

/// Every expression in `text`, in order. An unterminated `${{` ends the scan.
pub fn expressions(text: &str) -> Vec<Expr<'_>> {
    let mut out = Vec::new();
    let mut rest = 0usize;
    while let Some(found) = text.get(rest..).and_then(|t| t.find("${{")) {
        let start = rest + found;
        let body = start + 3;
        let Some(end) = closing(text, body) else {
            break;
        };
        out.push(Expr {
            raw: &text[start..end + 2],
            inner: text[body..end].trim(),
        });
        rest = end + 2;
    }
    out
}

/// Byte index of the `}}` that closes an expression body starting at `from`,
/// skipping `}}` inside single-quoted string literals.
fn closing(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if b == b'\'' {
                if bytes.get(i + 1) == Some(&b'\'') {
                    i += 1;
                } else {
                    in_string = false;
                }
            }
        } else if b == b'\'' {
            in_string = true;
        } else if b == b'}' && bytes.get(i + 1) == Some(&b'}') {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The context paths an expression reads, normalised: `a.b['c'][0].d` is
/// `a.b.c.*.d`. Function names, literals and operators are dropped.
pub fn context_paths(expr: &str) -> Vec<String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut i = 0usize;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            i = skip_string(&chars, i);
            continue;
        }
        if !(c.is_ascii_alphabetic() || c == '_') {
            i += 1;
            continue;
        }
        let (name, next) = ident(&chars, i);
        i = next;
        if chars.get(i) == Some(&'(') {
            continue; // a function call
        }
        if matches!(name.as_str(), "true" | "false" | "null") {
            continue;
        }
        let mut path = name;
        loop {
            match chars.get(i) {
                Some('.') => {
                    i += 1;
                    if chars.get(i) == Some(&'*') {
                        path.push_str(".*");
                        i += 1;
                    } else if chars
                        .get(i)
                        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
                    {
                        let (segment, next) = ident(&chars, i);
                        path.push('.');
                        path.push_str(&segment);
                        i = next;
                    } else {
                        break;
                    }
                }
                Some('[') => {
                    let close = find_bracket_end(&chars, i);
                    let inside: String = chars[i + 1..close.min(chars.len())].iter().collect();
                    let inside = inside.trim();
                    if inside.len() >= 2 && inside.starts_with('\'') && inside.ends_with('\'') {
                        path.push('.');
                        path.push_str(&inside[1..inside.len() - 1].replace("''", "'"));
                    } else {
                        path.push_str(".*");
                    }
                    i = (close + 1).min(chars.len());
                }
                _ => break,
            }
        }
        out.push(path.to_ascii_lowercase());
    }
    out
}

fn ident(chars: &[char], start: usize) -> (String, usize) {
    let mut i = start;
    while i < chars.len()
        && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '-')
    {
        i += 1;
    }
    (chars[start..i].iter().collect(), i)
}

fn skip_string(chars: &[char], start: usize) -> usize {
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == '\'' {
            if chars.get(i + 1) == Some(&'\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    i
}

fn find_bracket_end(chars: &[char], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < chars.len() {
        match chars[i] {
            '\'' => {
                i = skip_string(chars, i);
                continue;
            }
            '[' => depth += 1,
            ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    chars.len()
}

/// True when the expression can only produce a boolean (a comparison or a
/// `contains`/`startsWith`/`endsWith` call), so expanding it injects nothing.
pub fn is_boolean(expr: &str) -> bool {
    let e = expr.trim();
    let stripped: String = {
        // Remove string literals so operators inside them do not count.
        let chars: Vec<char> = e.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '\'' {
                i = skip_string(&chars, i);
                out.push_str("''");
            } else {
                out.push(chars[i]);
                i += 1;
            }
        }
        out
    };
    if stripped.contains("&&") || stripped.contains("||") {
        return false;
    }
    if ["==", "!=", "<", ">"]
        .iter()
        .any(|op| stripped.contains(op))
    {
        return true;
    }
    let lower = stripped.to_ascii_lowercase();
    ["contains(", "startswith(", "endswith("]
        .iter()
        .any(|f| lower.starts_with(f) && lower.ends_with(')'))
        || lower.starts_with('!')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_expressions_and_skips_braces_in_strings() {
        let found = expressions("a ${{ x }} b ${{ format('}}', y) }} ${{ broken");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].inner, "x");
        assert_eq!(found[1].inner, "format('}}', y)");
    }

    #[test]
    fn normalises_paths() {
        assert_eq!(
            context_paths(
                "toJSON(github.event['pull_request'].title) || github.event.commits[0].message"
            ),
            vec![
                "github.event.pull_request.title",
                "github.event.commits.*.message"
            ]
        );
        assert_eq!(
            context_paths("'github.head_ref' == true"),
            Vec::<String>::new()
        );
        assert_eq!(context_paths("inputs.my-input"), vec!["inputs.my-input"]);
    }

    #[test]
    fn booleans() {
        assert!(is_boolean("github.event.issue.title == 'x'"));
        assert!(is_boolean("contains(github.event.issue.title, 'x')"));
        assert!(!is_boolean("github.event.issue.title"));
        assert!(!is_boolean("a == 'b' && github.event.issue.title || 'c'"));
    }
}
