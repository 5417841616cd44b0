//! One log line as rules see it: the runner's timestamp, ANSI colour and
//! cursor sequences, a byte-order mark and a trailing `\r` removed, and the
//! runner's line commands (`##[error]`, `##[group]`, `::error ...::`)
//! taken off the front and remembered as the line's annotation.
//!
//! GitHub Actions raw logs prefix every line with an RFC 3339 timestamp
//! with seven fractional digits (`2024-07-08T16:48:09.3750041Z `); plain
//! logs have none. Both read the same after normalising.

use std::borrow::Cow;

/// How the runner (or a tool, through a workflow command) marked a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Annotation {
    None,
    /// `##[error]`, `::error::`: the runner shows the line as an error.
    Error,
    /// `##[warning]`, `::warning::`.
    Warning,
    /// `##[notice]`, `##[debug]`, `##[command]`, `[command]`, `##[section]`...
    Other,
    /// `##[group]Title`, `::group::Title`: a step's or section's title.
    Group,
    /// `##[endgroup]`, `::endgroup::`.
    EndGroup,
}

/// A normalised line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normal<'a> {
    pub text: Cow<'a, str>,
    pub annotation: Annotation,
}

/// The longest timestamp prefix we strip: `YYYY-MM-DDTHH:MM:SS.fffffffffZ `.
const MAX_STAMP: usize = 40;

/// The length of a leading RFC 3339 UTC timestamp and its space, or 0.
pub fn timestamp_len(raw: &[u8]) -> usize {
    // YYYY-MM-DDTHH:MM:SS
    if raw.len() < 20 {
        return 0;
    }
    let digits = |range: std::ops::Range<usize>| raw[range].iter().all(u8::is_ascii_digit);
    if !(digits(0..4)
        && raw[4] == b'-'
        && digits(5..7)
        && raw[7] == b'-'
        && digits(8..10)
        && raw[10] == b'T'
        && digits(11..13)
        && raw[13] == b':'
        && digits(14..16)
        && raw[16] == b':'
        && digits(17..19))
    {
        return 0;
    }
    let mut i = 19;
    if raw.get(i) == Some(&b'.') {
        i += 1;
        while i < raw.len().min(MAX_STAMP) && raw[i].is_ascii_digit() {
            i += 1;
        }
    }
    if raw.get(i) != Some(&b'Z') {
        return 0;
    }
    i += 1;
    match raw.get(i) {
        Some(b' ') => i + 1,
        None => i,
        Some(_) => 0,
    }
}

/// Remove ANSI escape sequences (CSI `ESC [ ... final`, OSC `ESC ] ...
/// BEL|ESC \`, two-byte `ESC x`) and other C0 controls except tab.
pub fn strip_controls(raw: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.reserve(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b == 0x1b {
            i += 1;
            match raw.get(i) {
                Some(b'[') => {
                    i += 1;
                    // Parameters and intermediates, then one final byte.
                    while i < raw.len() && (0x20..=0x3f).contains(&raw[i]) {
                        i += 1;
                    }
                    if i < raw.len() && (0x40..=0x7e).contains(&raw[i]) {
                        i += 1;
                    }
                }
                Some(b']') => {
                    i += 1;
                    while i < raw.len() {
                        if raw[i] == 0x07 {
                            i += 1;
                            break;
                        }
                        if raw[i] == 0x1b && raw.get(i + 1) == Some(&b'\\') {
                            i += 2;
                            break;
                        }
                        i += 1;
                    }
                }
                Some(_) => i += 1,
                None => {}
            }
        } else if b < 0x20 && b != b'\t' {
            i += 1;
        } else {
            out.push(b);
            i += 1;
        }
    }
}

/// Normalise one raw line (without its `\n`).
pub fn normalise(raw: &[u8]) -> Normal<'_> {
    let mut raw = raw;
    if let Some(rest) = raw.strip_suffix(b"\r") {
        raw = rest;
    }
    if let Some(rest) = raw.strip_prefix(b"\xEF\xBB\xBF") {
        raw = rest;
    }
    raw = &raw[timestamp_len(raw)..];
    let needs_strip = raw.iter().any(|&b| b < 0x20 && b != b'\t');
    let text: Cow<'_, str> = if needs_strip {
        let mut clean = Vec::new();
        strip_controls(raw, &mut clean);
        Cow::Owned(String::from_utf8_lossy(&clean).into_owned())
    } else {
        String::from_utf8_lossy(raw)
    };
    split_annotation(text)
}

fn split_annotation(text: Cow<'_, str>) -> Normal<'_> {
    let (annotation, skip) = annotation_of(&text);
    if skip == 0 {
        return Normal { text, annotation };
    }
    let text = match text {
        Cow::Borrowed(s) => Cow::Borrowed(&s[skip..]),
        Cow::Owned(s) => Cow::Owned(s[skip..].to_owned()),
    };
    Normal { text, annotation }
}

/// The annotation of a line and how many bytes of prefix to drop.
fn annotation_of(text: &str) -> (Annotation, usize) {
    if let Some(rest) = text.strip_prefix("##[")
        && let Some(close) = rest.find(']')
    {
        let tag = &rest[..close];
        let kind = match tag.split([' ', ';']).next().unwrap_or("") {
            "error" => Annotation::Error,
            "warning" => Annotation::Warning,
            "group" => Annotation::Group,
            "endgroup" => Annotation::EndGroup,
            _ => Annotation::Other,
        };
        return (kind, 3 + close + 1);
    }
    if text.starts_with("[command]") {
        return (Annotation::Other, 0);
    }
    if let Some(rest) = text.strip_prefix("::") {
        // ::name[ key=value,...]::message
        let name_end = rest.find([' ', ':']).unwrap_or(rest.len());
        let kind = match &rest[..name_end] {
            "error" => Annotation::Error,
            "warning" => Annotation::Warning,
            "notice" | "debug" => Annotation::Other,
            "group" => Annotation::Group,
            "endgroup" => Annotation::EndGroup,
            _ => return (Annotation::None, 0),
        };
        if let Some(sep) = rest[name_end..].find("::") {
            return (kind, 2 + name_end + sep + 2);
        }
    }
    (Annotation::None, 0)
}

/// A shell trace line (`set -x`): `+ cmd`, `++ cmd`.
pub fn is_shell_trace(text: &str) -> bool {
    let rest = text.trim_start_matches('+');
    rest.len() < text.len() && rest.starts_with(' ')
}

/// The text of a line for display: normalised, annotation kept in front
/// (`##[error]` is part of what the reader recognises), at most `max`
/// bytes (cut at a character boundary, with `…`).
pub fn display(normal: &Normal<'_>, max: usize) -> String {
    let prefix = match normal.annotation {
        Annotation::Error => "##[error]",
        Annotation::Warning => "##[warning]",
        _ => "",
    };
    let mut text = String::with_capacity(prefix.len() + normal.text.len().min(max));
    text.push_str(prefix);
    text.push_str(&normal.text);
    truncate(text, max)
}

/// At most `max` bytes, cut at a character boundary, with `…` when cut.
pub fn truncate(mut text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push('…');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_lines_lose_timestamp_colour_and_command() {
        let line = b"2026-07-29T19:59:45.5529348Z \x1b[31m  ERROR: Failed building wheel for x\x1b[0m\x1b[31m\r";
        let n = normalise(line);
        assert_eq!(n.text, "  ERROR: Failed building wheel for x");
        assert_eq!(n.annotation, Annotation::None);
        let n = normalise(
            b"\xEF\xBB\xBF2026-07-30T10:39:20.7140484Z ##[error]Failed to download archive",
        );
        assert_eq!(n.text, "Failed to download archive");
        assert_eq!(n.annotation, Annotation::Error);
        let n = normalise(b"2024-07-08T16:48:09.3763139Z ##[group]Run cargo test");
        assert_eq!(
            (n.text.as_ref(), n.annotation),
            ("Run cargo test", Annotation::Group)
        );
        let n = normalise(b"::error file=src/a.rs,line=3::mismatched types");
        assert_eq!(
            (n.text.as_ref(), n.annotation),
            ("mismatched types", Annotation::Error)
        );
        let n = normalise(b"::notaCommand");
        assert_eq!(n.annotation, Annotation::None);
        assert_eq!(normalise(b"plain").text, "plain");
        // A timestamp must be followed by a space or end the line.
        assert_eq!(timestamp_len(b"2024-07-08T16:48:09Zx"), 0);
        assert_eq!(timestamp_len(b"2024-07-08T16:48:09Z"), 20);
        assert_eq!(timestamp_len(b"2024-07-08T16:48:09.1Z a"), 23);
    }

    #[test]
    fn osc_and_unfinished_escapes_are_dropped() {
        let mut out = Vec::new();
        strip_controls(b"a\x1b]8;;http://x\x07link\x1b]8;;\x1b\\b\x1b[", &mut out);
        assert_eq!(out, b"alinkb");
        strip_controls(b"\x1b", &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn display_keeps_the_error_marker_and_truncates_on_a_boundary() {
        let n = normalise("##[error]héllo wörld".as_bytes());
        assert_eq!(display(&n, 100), "##[error]héllo wörld");
        assert_eq!(display(&n, 11), "##[error]h…");
    }
}
