//! Assignments: `NAME <operator> VALUE` in the syntaxes configuration and
//! code use, found around a word inside the name. One parser serves the
//! provider rules that recognise a secret by its name (`ADAFRUIT_KEY=...`)
//! and the generic rule, so every rule reads the same forms:
//!
//! | form | example |
//! |---|---|
//! | dotenv, shell, properties, INI, TOML | `TOKEN=v`, `export TOKEN="v"`, `token = 'v'` |
//! | YAML | `token: v`, `token: "v"` |
//! | JSON, JavaScript objects, Python dicts | `"token": "v"`, `{'token': 'v'}` |
//! | code | `token := "v"`, `var token string = "v"`, `$token .= "v"`, `"token" => "v"`, `TOKEN ?= v`, `TOKEN ::= v` |
//! | calls | `System.setProperty("TOKEN", "v")`, `os.environ["TOKEN"] = "v"` |
//! | XML elements | `<token>v</token>`, also with the value on the next line |
//!
//! Comparisons (`==`, `!=`, `<=`, `>=`) and paths (`a::b`) are not
//! assignments.

use std::ops::Range;

/// Longest assignment name we read around a word, each side.
const NAME_REACH: usize = 64;
/// Most characters allowed between a name and its operator (a closing
/// quote, a type: `var token string =`).
const TO_OPERATOR: usize = 24;

/// An assignment found around a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The name, absolute byte offsets.
    pub name: Range<usize>,
    /// Where the value starts (after the operator, spaces and an opening
    /// quote).
    pub value_start: usize,
    /// The quote that opened the value, if any.
    pub quote: Option<u8>,
}

/// Bytes of an assignment name.
pub fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// The assignment whose name contains `word` (a byte range of `text`).
pub fn around(text: &str, word: Range<usize>) -> Option<Assignment> {
    let bytes = text.as_bytes();
    if word.end > bytes.len() || word.start >= word.end {
        return None;
    }
    let mut start = word.start;
    while start > 0 && word.start - start < NAME_REACH && is_name_byte(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = word.end;
    while end < bytes.len() && end - word.end < NAME_REACH && is_name_byte(bytes[end]) {
        end += 1;
    }
    // A name does not end in a dot (`$token .= v` is `token` and `.=`).
    while end > word.end && bytes[end - 1] == b'.' {
        end -= 1;
    }
    let before = start.checked_sub(1).map(|i| bytes[i]);
    let quoted_name = matches!(before, Some(b'"' | b'\'' | b'`'));
    let xml_name = before == Some(b'<');
    if xml_name {
        // `<token>v</token>` (not `</token>`: that closes an element).
        if bytes.get(end) != Some(&b'>') {
            return None;
        }
        let value_start = skip_value_lead(bytes, end + 1, true).0;
        return Some(Assignment {
            name: start..end,
            value_start,
            quote: None,
        });
    }
    // `NAME", "value"` is an assignment only as the first two arguments
    // of a call (`setProperty("NAME", "v")`, `setenv("NAME", "v")`), not in
    // a list or tuple of names (`["a-token", "b-token"]`).
    let call_arg = quoted_name && is_call_open(bytes, start - 1);
    let (op_end, _) = operator(bytes, end, call_arg)?;
    let (value_start, quote) = skip_value_lead(bytes, op_end, false);
    Some(Assignment {
        name: start..end,
        value_start,
        quote,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Assign,
    Colon,
    Comma,
}

/// True when the quote at `quote` opens a call's first argument: `(`
/// (after optional spaces) right after an identifier.
fn is_call_open(bytes: &[u8], quote: usize) -> bool {
    let mut i = quote;
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    i >= 2 && bytes[i - 1] == b'(' && (bytes[i - 2].is_ascii_alphanumeric() || bytes[i - 2] == b'_')
}

/// Find the operator after a name ending at `from`: only spaces, quotes,
/// brackets and a short type may come between. Returns the offset after
/// the operator.
fn operator(bytes: &[u8], from: usize, call_arg: bool) -> Option<(usize, Op)> {
    let mut i = from;
    let limit = (from + TO_OPERATOR).min(bytes.len());
    let mut seen_quote = false;
    while i < limit {
        let b = bytes[i];
        match b {
            b'"' | b'\'' | b'`' | b']' => {
                seen_quote = true;
                i += 1;
            }
            b'\\' if bytes.get(i + 1) == Some(&b'"') => {
                seen_quote = true;
                i += 2;
            }
            b' ' | b'\t' => i += 1,
            b'=' => {
                return match bytes.get(i + 1) {
                    Some(b'=') => None,
                    Some(b'>') => Some((i + 2, Op::Assign)),
                    _ if i > from && matches!(bytes[i - 1], b'!' | b'<' | b'>') => None,
                    _ => Some((i + 1, Op::Assign)),
                };
            }
            b':' => {
                let mut j = i;
                while j < bytes.len() && bytes[j] == b':' && j - i < 3 {
                    j += 1;
                }
                return match bytes.get(j) {
                    Some(b'=') => Some((j + 1, Op::Assign)),
                    // `a::b` is a path, not an assignment.
                    _ if j - i > 1 => None,
                    _ => Some((j, Op::Colon)),
                };
            }
            b'?' if bytes.get(i + 1) == Some(&b'=') => return Some((i + 2, Op::Assign)),
            b'.' if bytes.get(i + 1) == Some(&b'=') => return Some((i + 2, Op::Assign)),
            b',' if call_arg && seen_quote => return Some((i + 1, Op::Comma)),
            // A type between name and operator: `var token string = "v"`.
            _ if b.is_ascii_alphanumeric() || b == b'_' => {
                if i == from || !matches!(bytes[i - 1], b' ' | b'\t') {
                    return None;
                }
                while i < limit && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
            }
            _ => return None,
        }
    }
    None
}

/// Skip what comes between an operator and its value: spaces, at most one
/// line break (`multiline`) or a YAML block indicator, then one opening
/// quote (also `\"` inside a JSON string, and Python's `b"`/`r"`/`f"`).
fn skip_value_lead(bytes: &[u8], from: usize, multiline: bool) -> (usize, Option<u8>) {
    let mut i = from;
    let mut breaks = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' => i += 1,
            b'\r' | b'\n' if multiline && breaks < 2 => {
                breaks += 1;
                i += 1;
            }
            _ => break,
        }
    }
    match bytes.get(i) {
        Some(&q @ (b'"' | b'\'' | b'`')) => (i + 1, Some(q)),
        Some(b'\\') if bytes.get(i + 1) == Some(&b'"') => (i + 2, Some(b'"')),
        Some(b'b' | b'r' | b'f' | b'u' | b'@')
            if matches!(bytes.get(i + 1), Some(b'"' | b'\''))
                && bytes.get(i + 2).is_none_or(|b| *b != bytes[i + 1]) =>
        {
            (i + 2, Some(bytes[i + 1]))
        }
        _ => (i, None),
    }
}

/// True when byte `at` of `text` can end a value: the end, whitespace, a
/// quote, or punctuation that closes or separates (`,;)]}<>&|\`).
pub fn ends_value(text: &str, at: usize) -> bool {
    match text.as_bytes().get(at) {
        None => true,
        Some(b) => {
            b.is_ascii_whitespace()
                || matches!(
                    b,
                    b'"' | b'\''
                        | b'`'
                        | b','
                        | b';'
                        | b')'
                        | b']'
                        | b'}'
                        | b'<'
                        | b'>'
                        | b'&'
                        | b'|'
                        | b'\\'
                        | b'#'
                )
        }
    }
}

/// True when the word at `word` starts a part of the name it is in: at the
/// name's start, after a separator, or at a camel-case hump, and written
/// in one case (`sumo`, `Sumo`, `SUMO`; not `sumO` as in `sumOfValues`).
pub fn is_name_part(text: &str, word: Range<usize>) -> bool {
    let bytes = text.as_bytes();
    let Some(found) = text.get(word.clone()) else {
        return false;
    };
    let letters: Vec<u8> = found.bytes().filter(u8::is_ascii_alphabetic).collect();
    let one_case = letters.iter().all(u8::is_ascii_lowercase)
        || letters.iter().all(u8::is_ascii_uppercase)
        || (letters.first().is_some_and(u8::is_ascii_uppercase)
            && letters[1..].iter().all(u8::is_ascii_lowercase));
    if !one_case {
        return false;
    }
    let Some(&first) = bytes.get(word.start) else {
        return false;
    };
    match word.start.checked_sub(1).map(|i| bytes[i]) {
        None => true,
        Some(prev) if !prev.is_ascii_alphanumeric() => true,
        // `adafruitToken` → `Token`; `myAdafruit` → `Adafruit`.
        Some(prev) if prev.is_ascii_lowercase() || prev.is_ascii_digit() => {
            first.is_ascii_uppercase()
        }
        // `ADAFRUITTOKEN` has no boundary; `APIToken` does.
        Some(_) => {
            first.is_ascii_uppercase()
                && bytes
                    .get(word.start + 1)
                    .is_some_and(u8::is_ascii_lowercase)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(text: &str, word: &str) -> Option<String> {
        let at = text.to_ascii_lowercase().find(word)?;
        let a = around(text, at..at + word.len())?;
        let rest = &text[a.value_start..];
        let end = (0..=rest.len())
            .find(|&i| ends_value(rest, i))
            .unwrap_or(rest.len());
        Some(rest[..end].to_owned())
    }

    #[test]
    fn every_documented_form_is_read() {
        for text in [
            "adafruit_token=v4lue",
            "export ADAFRUIT_TOKEN=\"v4lue\"",
            "adafruitToken = 'v4lue'",
            "adafruit_token: v4lue",
            "adafruit_token: \"v4lue\"",
            "{\"adafruit_token\": \"v4lue\"}",
            "{'adafruit_token':'v4lue'}",
            "adafruitToken := \"v4lue\"",
            "adafruitToken := `v4lue`",
            "var adafruitToken string = \"v4lue\"",
            "$adafruitToken .= \"v4lue\"",
            "  \"adafruitToken\" => \"v4lue\"",
            "adafruit_TOKEN ?= \"v4lue\"",
            "adafruit_TOKEN ::= \"v4lue\"",
            "adafruit_TOKEN :::= \"v4lue\"",
            "System.setProperty(\"ADAFRUIT_TOKEN\", \"v4lue\")",
            "os.environ[\"ADAFRUIT_TOKEN\"] = \"v4lue\"",
            "<adafruitToken>v4lue</adafruitToken>",
            "<adafruitToken>\n    v4lue\n</adafruitToken>",
            "{\"config.ini\": \"ADAFRUIT_TOKEN=v4lue\\nBACKUP_ENABLED=true\"}",
            "[default]\nadafruit_token = v4lue\n",
        ] {
            assert_eq!(
                value_of(text, "adafruit").as_deref(),
                Some("v4lue"),
                "{text}"
            );
        }
    }

    #[test]
    fn comparisons_and_paths_are_not_assignments() {
        for text in [
            "if adafruit_token == other",
            "adafruit_token != x",
            "adafruit::token::new()",
            "adafruit_token(x)",
            "</adafruitToken>",
            "gitleaks: &[\"adafruit-api-key\", \"adafruit-other-key\"],",
            "(\"ADAFRUIT_TOKEN\", \"v4lue\")",
            "//! `adafruit-token`, `adafruit-other-token`",
        ] {
            assert_eq!(value_of(text, "adafruit"), None, "{text}");
        }
    }

    #[test]
    fn name_parts_respect_camel_case_and_separators() {
        let part = |text: &str, word: &str| {
            let at = text.to_ascii_lowercase().find(word).unwrap();
            is_name_part(text, at..at + word.len())
        };
        assert!(part("sumoToken", "sumo"));
        assert!(part("mySumoToken", "sumo"));
        assert!(part("SUMO_TOKEN", "sumo"));
        assert!(part("x.sumo", "sumo"));
        assert!(!part("sumOfValues", "sumo"));
        assert!(!part("consumoX", "sumo"));
        assert!(!part("global", "lob"));
    }
}
