//! Invariants shared by the fuzz targets. Every target checks more than
//! "no panic" where the parser allows it; the checks here are the common
//! ones:
//!
//! - [`json_round_trip`]: parse → render → parse. A reader of a JSON
//!   document given the same document re-rendered (compact, then pretty)
//!   returns the same value, and fails when and only when it failed on the
//!   original bytes.
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

/// Read `data` with `parse`, then check that the JSON document it holds,
/// rendered compact and rendered pretty, reads to the same value (or fails
/// the same way: both `Err`). Returns the first result.
pub fn json_round_trip<T, E>(data: &[u8], parse: impl Fn(&[u8]) -> Result<T, E>) -> Result<T, E>
where
    T: PartialEq + Debug,
    E: Debug,
{
    let first = parse(data);
    if let Some(value) = json(data) {
        for rendered in [
            serde_json::to_vec(&value).expect("a serde_json::Value always renders"),
            serde_json::to_vec_pretty(&value).expect("a serde_json::Value always renders"),
        ] {
            let again = parse(&rendered);
            match (&first, &again) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "parse → render → parse changed the value"),
                (Err(_), Err(_)) => {}
                (a, b) => panic!(
                    "parse → render → parse changed the outcome:\n first: {a:?}\n again: {b:?}"
                ),
            }
        }
    } else {
        assert!(
            first.is_err(),
            "bytes that are not a JSON document were read as one: {first:?}"
        );
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
