//! Invariants shared by the fuzz targets. Every target checks more than
//! "no panic" where the parser allows it; the checks here are the common
//! ones:
//!
//! - [`json_round_trip`]: parse → render → parse. A reader of a JSON
//!   document given the same document re-rendered (compact, then pretty)
//!   returns the same value, and fails when and only when it failed on the
//!   original bytes; bytes that are not JSON ([`json_shape`]) fail.
//! - [`deterministic`]: the same bytes read twice give the same result.
//! - [`assert_no_secret`]: no byte sequence of a planted secret appears in
//!   a rendering.

use std::fmt::Debug;

use serde_json::Value;

/// The JSON document the bytes hold, as the readers see it (a UTF-8 byte
/// order mark dropped), or `None`.
pub fn json(data: &[u8]) -> Option<Value> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    serde_json::from_slice(data).ok()
}

/// What the bytes are, as JSON.
#[derive(Debug)]
pub enum JsonShape {
    /// Not UTF-8, or not JSON syntax (or more than one document): every
    /// JSON reader must refuse it.
    NotJson,
    /// JSON, but with a duplicate member name or a lone surrogate escape
    /// (`"\ud800"`). Readers legitimately differ on these in members they
    /// ignore (serde_json's typed reads skip them unchecked; a
    /// `serde_json::Value` keeps the last duplicate and refuses the
    /// surrogate), and a rendering drops the duplicates, so no round trip
    /// is compared.
    Ambiguous,
    /// One clean JSON document.
    Clean(Value),
}

/// Classify `data` (after a UTF-8 byte order mark, which the readers drop).
pub fn json_shape(data: &[u8]) -> JsonShape {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return JsonShape::NotJson;
    };
    if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
        return JsonShape::NotJson;
    }
    match serde_json::from_str::<Strict>(text) {
        Ok(_) => match serde_json::from_str::<Value>(text) {
            Ok(value) => JsonShape::Clean(value),
            Err(_) => JsonShape::Ambiguous,
        },
        Err(_) => JsonShape::Ambiguous,
    }
}

/// A JSON value walked to refuse duplicate member names (and, through
/// serde_json's string decoding, lone surrogates).
struct Strict;

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Strict, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON without duplicate member names")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_str<E>(self, _: &str) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        while seq.next_element::<Strict>()?.is_some() {}
        Ok(Strict)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key) {
                return Err(serde::de::Error::custom("duplicate member name"));
            }
            map.next_value::<Strict>()?;
        }
        Ok(Strict)
    }
}

/// Read `data` with `parse`, then: bytes that are not JSON must fail; a
/// clean JSON document rendered compact and rendered pretty must read to
/// the same value (or fail the same way: both `Err`). Returns the first
/// result.
pub fn json_round_trip<T, E>(data: &[u8], parse: impl Fn(&[u8]) -> Result<T, E>) -> Result<T, E>
where
    T: PartialEq + Debug,
    E: Debug,
{
    let first = parse(data);
    match json_shape(data) {
        JsonShape::NotJson => assert!(
            first.is_err(),
            "bytes that are not a JSON document were read as one: {first:?}"
        ),
        JsonShape::Ambiguous => {}
        JsonShape::Clean(value) => {
            // The renderings keep the input's byte order mark, if any: not
            // every reader accepts one.
            let bom: &[u8] = if data.starts_with(b"\xEF\xBB\xBF") {
                b"\xEF\xBB\xBF"
            } else {
                b""
            };
            for rendered in [
                serde_json::to_vec(&value).expect("a serde_json::Value always renders"),
                serde_json::to_vec_pretty(&value).expect("a serde_json::Value always renders"),
            ] {
                let rendered = [bom, &rendered].concat();
                let again = parse(&rendered);
                match (&first, &again) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "parse → render → parse changed the value"),
                    (Err(_), Err(_)) => {}
                    (a, b) => panic!(
                        "parse → render → parse changed the outcome:\n first: {a:?}\n again: {b:?}"
                    ),
                }
            }
        }
    }
    first
}

/// Read `data` twice: both results must be equal.
pub fn deterministic<T, E>(data: &[u8], parse: impl Fn(&[u8]) -> Result<T, E>) -> Result<T, E>
where
    T: PartialEq + Debug,
    E: PartialEq + Debug,
{
    let first = parse(data);
    assert_eq!(first, parse(data), "the same bytes read twice differ");
    first
}

/// Panic when `rendering` holds `secret` (given with a name for the
/// message). Secrets shorter than 4 bytes are not checked: they occur in
/// any text by chance.
pub fn assert_no_secret(rendering: &[u8], secret: &[u8], what: &str) {
    if secret.len() < 4 {
        return;
    }
    if rendering.windows(secret.len()).any(|w| w == secret) {
        panic!(
            "{what}: a planted secret ({} bytes) appears in the rendering:\n{}",
            secret.len(),
            String::from_utf8_lossy(rendering)
        );
    }
}

/// Split fuzz input in two at the first `sep` byte (all of it and nothing
/// when there is none).
pub fn split_at_byte(data: &[u8], sep: u8) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == sep) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}
