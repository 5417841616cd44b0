//! Bytes as text, for the detectors and for people.
//!
//! Environments and logs are bytes, not necessarily UTF-8; the detectors read
//! `&str`. [`detectable_text`] replaces each byte of an invalid UTF-8 sequence
//! with one ASCII SUBSTITUTE (0x1A), so that every byte offset in the text is
//! the same offset in the input: a hit's range can be cut out of the
//! original bytes (to fingerprint or mask them) without any mapping. SUB is a
//! control character, so no secret pattern continues through it; a token
//! next to a stray byte is still seen, bounded by it as by a space.
//!
//! [`display_text`] is for names that end up in output (variable names,
//! process names): lossy, with control characters escaped, so a crafted name
//! cannot forge an output line or drive a terminal.

use std::borrow::Cow;
use std::fmt::Write as _;

/// What an invalid byte becomes in [`detectable_text`].
pub const SUBSTITUTE: char = '\u{1A}';

/// `bytes` as text of exactly the same length: valid UTF-8 is kept, every
/// byte of an invalid sequence becomes [`SUBSTITUTE`].
pub fn detectable_text(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for _ in chunk.invalid() {
            text.push(SUBSTITUTE);
        }
    }
    Cow::Owned(text)
}

/// `bytes` for a human: lossy UTF-8, control characters written as
/// `\u{..}`, so the result is one line of printable text.
pub fn display_text(bytes: &[u8]) -> String {
    let lossy = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(lossy.len());
    for ch in lossy.chars() {
        if ch.is_control() {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(ch));
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_text_is_borrowed_unchanged() {
        assert!(matches!(detectable_text(b"plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn invalid_bytes_keep_every_offset() {
        let input = b"a\xff\xfeb\xe2\x82c\xc3\xa9";
        let text = detectable_text(input);
        assert_eq!(text.len(), input.len());
        assert_eq!(text, "a\u{1a}\u{1a}b\u{1a}\u{1a}c\u{e9}");
    }

    #[test]
    fn display_escapes_control_characters() {
        assert_eq!(display_text(b"A\nB\x1b[31m"), "A\\u{a}B\\u{1b}[31m");
        assert_eq!(display_text(b"x\xffy"), "x\u{fffd}y");
    }
}
