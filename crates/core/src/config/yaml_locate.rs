//! Best-effort line lookup for a dotted key in block-style YAML, for error
//! messages about keys whose problem is found after parsing (a lock
//! violation). Parsing errors carry their own location from the parser.

/// The 1-based line where `path` (`["gates", "telemetry", "allow_empty"]`)
/// is defined, if the document writes it in block style.
pub fn key_line(text: &str, path: &[&str]) -> Option<usize> {
    // One entry per matched ancestor: its indent, and the indent its direct
    // children use (learnt from the first child line).
    let mut stack: Vec<(usize, Option<usize>)> = Vec::new();
    let mut top_indent: Option<usize> = None;
    for (index, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('-') {
            continue;
        }
        let Some((key, _)) = trimmed.split_once(':') else {
            continue;
        };
        let indent = raw.len() - trimmed.len();
        while stack.last().is_some_and(|(parent, _)| indent <= *parent) {
            stack.pop();
        }
        let depth = stack.len();
        let child_indent = match stack.last_mut() {
            Some((_, child)) => *child.get_or_insert(indent),
            None => *top_indent.get_or_insert(indent),
        };
        if indent != child_indent || depth >= path.len() {
            continue;
        }
        let key = key.trim().trim_matches(['"', '\'']);
        if key == path[depth] {
            if depth + 1 == path.len() {
                return Some(index + 1);
            }
            stack.push((indent, None));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys_and_not_lookalikes() {
        let text = "fail_on: high\ngates:\n  hub_pins:\n    enabled: true\n  telemetry:\n    # note\n    enabled: false\n";
        assert_eq!(key_line(text, &["fail_on"]), Some(1));
        assert_eq!(key_line(text, &["gates", "telemetry", "enabled"]), Some(7));
        assert_eq!(key_line(text, &["gates", "hub_pins", "enabled"]), Some(4));
        assert_eq!(key_line(text, &["enabled"]), None);
    }
}
