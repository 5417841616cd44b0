//! Byte positions in the text of a file, from the 1-based line and
//! character columns the YAML loader reports, and the conventions of the
//! file (line ending, indentation) that an edit must follow.

use crate::audit::yaml::{Node, Pos};

/// One replacement of the bytes `start..end` by `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit {
            start: at,
            end: at,
            text: text.into(),
        }
    }
}

/// Apply `edits` (non-overlapping) to `text`; `None` when two overlap or
/// one lies outside the text or inside a character.
pub fn apply(text: &str, edits: &[Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(text.len() + 256);
    let mut done = 0usize;
    for edit in sorted {
        if edit.start < done
            || edit.end < edit.start
            || !text.is_char_boundary(edit.start)
            || !text.is_char_boundary(edit.end)
        {
            return None;
        }
        out.push_str(text.get(done..edit.start)?);
        out.push_str(&edit.text);
        done = edit.end;
    }
    out.push_str(text.get(done..)?);
    Some(out)
}

/// A file's text with its line starts.
#[derive(Debug)]
pub struct Text<'a> {
    pub text: &'a str,
    starts: Vec<usize>,
    /// The file's line ending: `\r\n` when it uses them, else `\n`.
    pub eol: &'static str,
}

impl<'a> Text<'a> {
    /// `None` for a text with a lone carriage return (a line break to YAML
    /// that line-based editing would misplace).
    pub fn new(text: &'a str) -> Option<Text<'a>> {
        let bytes = text.as_bytes();
        if bytes
            .iter()
            .enumerate()
            .any(|(i, b)| *b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
        {
            return None;
        }
        let mut starts = vec![0];
        starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
        Some(Text { text, starts, eol })
    }

    /// Line `n` (1-based) without its line break.
    pub fn line(&self, n: u32) -> Option<&'a str> {
        let i = usize::try_from(n).ok()?.checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).copied().unwrap_or(self.text.len());
        let line = self.text.get(start..end)?;
        Some(line.trim_end_matches('\n').trim_end_matches('\r'))
    }

    /// The byte offset of the start of line `n`.
    pub fn line_start(&self, n: u32) -> Option<usize> {
        let i = usize::try_from(n).ok()?.checked_sub(1)?;
        self.starts.get(i).copied()
    }

    /// The byte offset just before the line break of line `n`.
    pub fn line_end(&self, n: u32) -> Option<usize> {
        Some(self.line_start(n)? + self.line(n)?.len())
    }

    /// The byte offset of `(line, col)` (1-based, columns in characters).
    pub fn offset(&self, line: u32, col: u32) -> Option<usize> {
        let text = self.line(line)?;
        let skip = usize::try_from(col).ok()?.checked_sub(1)?;
        let within = if skip == 0 {
            0
        } else {
            match text.char_indices().nth(skip) {
                Some((i, _)) => i,
                None if text.chars().count() == skip => text.len(),
                None => return None,
            }
        };
        Some(self.line_start(line)? + within)
    }

    /// The byte offset where `pos` starts.
    pub fn start_of(&self, pos: Pos) -> Option<usize> {
        self.offset(pos.line, pos.col)
    }

    /// The text of line `pos.line` before `pos`.
    pub fn before(&self, pos: Pos) -> Option<&'a str> {
        let at = self.start_of(pos)?;
        self.text.get(self.line_start(pos.line)?..at)
    }

    /// The key `key` starts a line of a block mapping: only spaces and
    /// sequence dashes (`- `) come before it on its line. Returns the
    /// number of columns before it (the mapping's indentation).
    pub fn block_key_indent(&self, key: &Node) -> Option<usize> {
        let before = self.before(key.pos)?;
        let ok = before.split(' ').all(|part| part.is_empty() || part == "-");
        (ok && (before.is_empty() || before.ends_with(' '))).then(|| before.chars().count())
    }

    /// After the single-line value `value`, nothing but spaces and a
    /// comment until the end of its line.
    pub fn ends_its_line(&self, value: &Node) -> bool {
        if value.pos.end_line != value.pos.line {
            return false;
        }
        let (Some(end), Some(line_end)) = (
            self.offset(value.pos.end_line, value.pos.end_col),
            self.line_end(value.pos.end_line),
        ) else {
            return false;
        };
        self.text
            .get(end..line_end)
            .is_some_and(|rest| rest.trim().is_empty() || rest.trim_start().starts_with('#'))
    }
}

/// The indentation step of the document: how much deeper the keys of the
/// first job (or of `runs:`) sit than their parent. 2 when it cannot be
/// told.
pub fn indent_unit(doc: &Node) -> usize {
    let nested = doc
        .entry("jobs")
        .and_then(|(k, jobs)| Some((k, jobs.entries().first()?.0.pos)))
        .or_else(|| {
            doc.entry("runs")
                .and_then(|(k, runs)| Some((k, runs.entries().first()?.0.pos)))
        });
    nested
        .and_then(|(parent, child)| child.col.checked_sub(parent.pos.col))
        .and_then(|d| usize::try_from(d).ok())
        .filter(|d| (1..=8).contains(d))
        .unwrap_or(2)
}

/// `value` as a YAML scalar on one line: plain when YAML reads it back as
/// the same string, else double-quoted.
pub fn scalar(value: &str) -> String {
    let plain_safe = !value.is_empty()
        && !value.starts_with([
            ' ', '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"',
            '%', '@', '`',
        ])
        && !value.ends_with(' ')
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && !value.contains(['\n', '\r', '\t'])
        && !matches!(
            value,
            "true" | "false" | "True" | "False" | "TRUE" | "FALSE" | "null" | "Null" | "NULL" | "~"
        )
        && value.parse::<f64>().is_err();
    if plain_safe {
        return value.to_owned();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters_and_keep_crlf() {
        let t = Text::new("a: é\r\nb: x\r\n").unwrap();
        assert_eq!(t.eol, "\r\n");
        assert_eq!(t.line(1), Some("a: é"));
        assert_eq!(t.offset(2, 4), Some(10));
        assert_eq!(t.line_end(1), Some(5));
        assert!(Text::new("a\rb").is_none());
    }

    #[test]
    fn edits_apply_in_order_and_refuse_overlaps() {
        let e = [Edit::insert(3, "X"), Edit::insert(0, "Y")];
        assert_eq!(apply("abcdef", &e).as_deref(), Some("YabcXdef"));
        let bad = [
            Edit {
                start: 0,
                end: 3,
                text: String::new(),
            },
            Edit::insert(1, "Z"),
        ];
        assert_eq!(apply("abcdef", &bad), None);
    }

    #[test]
    fn scalars_are_quoted_only_when_needed() {
        assert_eq!(
            scalar("${{ github.event.issue.title }}"),
            "${{ github.event.issue.title }}"
        );
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("say \"x\" # y"), "\"say \\\"x\\\" # y\"");
    }
}
