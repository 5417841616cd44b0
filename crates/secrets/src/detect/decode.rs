//! Secrets inside encoded values: base64 (standard and URL-safe, padded or
//! not), hex, and URL percent-encoding.
//!
//! After the rules have run on a text, every run of characters that could
//! be an encoded value (20 or more base64 characters, 32 or more hex
//! digits, or a URL-encoded string with at least two `%XX` escapes) that
//! does not overlap a hit already found is decoded; when the result is
//! text (valid UTF-8, almost all printable), the rules run on it, and so
//! on inside it, up to [`MAX_DEPTH`] layers. A secret found that way is a
//! hit over the whole encoded value in the original text, carrying the
//! decoded secret (for its fingerprint, so an encoded and a plain copy of
//! one secret share it) and the encodings, outermost first.
//!
//! Bounds: an encoded value longer than [`MAX_SECRET_LEN`] is not decoded
//! (so hits stay within what a streaming reader keeps), and at most
//! [`MAX_DECODED`] bytes are decoded per text, all layers together.

use base64::Engine as _;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, general_purpose};
use serde::Serialize;

use super::{Decoded, Detector, Hit, MAX_SECRET_LEN};

/// Layers of encoding peeled off at most (`base64(url(secret))` is two).
pub const MAX_DEPTH: usize = 2;
/// Bytes decoded per text at most, all layers together.
pub const MAX_DECODED: usize = 4 << 20;
/// The shortest base64 run worth decoding (15 bytes of text).
const MIN_BASE64: usize = 20;
/// The shortest hex run worth decoding (16 bytes of text).
const MIN_HEX: usize = 32;
/// The shortest decoded text worth searching.
const MIN_TEXT: usize = 8;

/// An encoding a secret was found under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Base64,
    Hex,
    Url,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Hex => "hex",
            Encoding::Url => "url",
        }
    }
}

impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `base64`, `url in base64` ...: how a finding names its encodings.
pub fn describe(encodings: &[Encoding]) -> String {
    encodings
        .iter()
        .rev()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(" in ")
}

/// How much decoding is left for one text.
#[derive(Debug)]
pub struct Budget {
    left: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { left: MAX_DECODED }
    }
}

const TOLERANT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, TOLERANT);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, TOLERANT);

/// One candidate: where it is and how to decode it.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    start: usize,
    end: usize,
    encoding: Encoding,
}

/// Decode the candidates in `text` and push the hits found inside them.
pub(crate) fn find_encoded(
    detector: &Detector,
    text: &str,
    hits: &mut Vec<Hit>,
    depth: usize,
    budget: &mut Budget,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    for candidate in candidates(text) {
        if budget.left == 0 {
            return;
        }
        let (start, end) = (candidate.start, candidate.end);
        if hits.iter().any(|h| h.start < end && start < h.end) {
            continue;
        }
        let Some(decoded) = decode(&text[start..end], candidate.encoding) else {
            continue;
        };
        budget.left = budget.left.saturating_sub(decoded.len());
        let mut inner = detector.find_plain(&decoded);
        find_encoded(detector, &decoded, &mut inner, depth + 1, budget);
        for hit in inner {
            let mut encodings = vec![candidate.encoding];
            encodings.extend_from_slice(hit.encodings());
            let value = hit.value(&decoded).to_owned();
            hits.push(Hit {
                rule: hit.rule,
                start,
                end,
                public_prefix: 0,
                severity: hit.severity,
                check: None,
                decoded: Some(Box::new(Decoded { value, encodings })),
            });
        }
    }
}

/// Whether [`find_encoded`] certainly finds nothing in `text` at `depth`:
/// every candidate either does not decode to text or decodes to a text
/// that is itself clean ([`Detector::clean_at`]). Ignores the budget and
/// the overlap with plain hits, which only ever make `find_encoded` find
/// less, so "clean" here is never wrong.
pub(crate) fn encoded_clean(detector: &Detector, text: &str, depth: usize) -> bool {
    if depth >= MAX_DEPTH {
        return true;
    }
    candidates(text).into_iter().all(|candidate| {
        decode(&text[candidate.start..candidate.end], candidate.encoding)
            .is_none_or(|decoded| detector.clean_at(&decoded, depth + 1))
    })
}

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

/// Every run that may be encoded, in order.
fn candidates(text: &str) -> Vec<Candidate> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_base64_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_base64_byte(bytes[i]) {
            i += 1;
        }
        let mut end = i;
        while end < bytes.len() && end - i < 2 && bytes[end] == b'=' {
            end += 1;
        }
        let run = &bytes[start..i];
        let len = run.len();
        if (MIN_BASE64..=MAX_SECRET_LEN).contains(&len) {
            if len >= MIN_HEX && len.is_multiple_of(2) && run.iter().all(u8::is_ascii_hexdigit) {
                out.push(Candidate {
                    start,
                    end: i,
                    encoding: Encoding::Hex,
                });
            } else if !run.iter().all(u8::is_ascii_hexdigit) {
                out.push(Candidate {
                    start,
                    end,
                    encoding: Encoding::Base64,
                });
            }
        }
        i = end.max(i);
    }
    out.extend(url_candidates(text));
    out.sort_by_key(|c| (c.start, c.end));
    out
}

/// Runs of URL characters holding at least two `%XX` escapes.
fn url_candidates(text: &str) -> Vec<Candidate> {
    let bytes = text.as_bytes();
    let is_url_byte = |b: u8| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'%' | b'.'
                    | b'_'
                    | b'~'
                    | b'+'
                    | b'-'
                    | b'='
                    | b'&'
                    | b'/'
                    | b':'
                    | b'?'
                    | b'#'
                    | b'@'
                    | b'!'
                    | b'$'
                    | b'*'
                    | b','
                    | b';'
            )
    };
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(offset) = memchr::memchr(b'%', &bytes[from..]) {
        let at = from + offset;
        let mut start = at;
        while start > 0 && is_url_byte(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = at;
        while end < bytes.len() && is_url_byte(bytes[end]) {
            end += 1;
        }
        let escapes = bytes[start..end]
            .windows(3)
            .filter(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
            .count();
        if escapes >= 2 && end - start <= MAX_SECRET_LEN {
            out.push(Candidate {
                start,
                end,
                encoding: Encoding::Url,
            });
        }
        from = end.max(at + 1);
    }
    out
}

/// `encoded` decoded, when the result is text worth searching.
fn decode(encoded: &str, encoding: Encoding) -> Option<String> {
    let bytes = match encoding {
        Encoding::Base64 => {
            let url_safe = encoded.contains(['-', '_']);
            if url_safe && encoded.contains(['+', '/']) {
                return None;
            }
            let engine = if url_safe { &URL_SAFE } else { &STANDARD };
            let trimmed = encoded.trim_end_matches('=');
            // A length of 4n+1 cannot be base64; the run may carry one
            // extra character (a word glued to the end).
            let usable = if trimmed.len() % 4 == 1 {
                &trimmed[..trimmed.len() - 1]
            } else {
                trimmed
            };
            engine.decode(usable).ok()?
        }
        Encoding::Hex => hex_decode(encoded)?,
        Encoding::Url => {
            let decoded = percent_decode(encoded);
            if decoded == encoded.as_bytes() {
                return None;
            }
            decoded
        }
    };
    let text = String::from_utf8(bytes).ok()?;
    (text.len() >= MIN_TEXT && mostly_printable(&text)).then_some(text)
}

fn hex_decode(hex: &str) -> Option<Vec<u8>> {
    let digit = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    hex.as_bytes()
        .chunks(2)
        .map(|pair| match pair {
            [hi, lo] => Some(digit(*hi)? << 4 | digit(*lo)?),
            _ => None,
        })
        .collect()
}

/// `%XX` escapes decoded; anything else (a lone `%`) kept as it is.
pub fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).and_then(|b| char::from(*b).to_digit(16)),
                bytes.get(i + 2).and_then(|b| char::from(*b).to_digit(16)),
            )
            && let Ok(byte) = u8::try_from(hi * 16 + lo)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Text, not binary that happens to be UTF-8: at least 95% of the
/// characters printable or ordinary whitespace.
fn mostly_printable(text: &str) -> bool {
    let mut total = 0usize;
    let mut odd = 0usize;
    for c in text.chars() {
        total += 1;
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t') || c == '\u{fffd}' {
            odd += 1;
        }
    }
    total > 0 && odd * 20 <= total
}

/// Base64 of `text` as a URL-safe, unpadded string (for tests and fixtures).
pub fn base64_url(text: &str) -> String {
    general_purpose::URL_SAFE_NO_PAD.encode(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_find_base64_hex_and_url_runs() {
        let b64 = general_purpose::STANDARD.encode("token = some text here");
        let text = format!("a {b64} b 746f6b656e3d736f6d6520746578742068657265 c x%3Dy%26z d tiny");
        let found: Vec<Encoding> = candidates(&text).iter().map(|c| c.encoding).collect();
        assert_eq!(found, vec![Encoding::Base64, Encoding::Hex, Encoding::Url]);
    }

    #[test]
    fn only_text_is_decoded() {
        let b64 = general_purpose::STANDARD.encode("hello, decoded world");
        assert_eq!(
            decode(&b64, Encoding::Base64).as_deref(),
            Some("hello, decoded world")
        );
        let binary = general_purpose::STANDARD.encode([0u8, 1, 2, 3, 255, 254, 7, 8, 9, 10, 11]);
        assert_eq!(decode(&binary, Encoding::Base64), None);
        assert_eq!(
            decode("68656c6c6f2c20776f726c64", Encoding::Hex).as_deref(),
            Some("hello, world")
        );
        assert_eq!(
            decode("key%3Dvalue%26c%3Dd", Encoding::Url).as_deref(),
            Some("key=value&c=d")
        );
        assert_eq!(
            describe(&[Encoding::Base64, Encoding::Url]),
            "url in base64"
        );
    }
}
