//! Canonical JSON and digests: the same value always gives the same bytes
//! and the same sha256, whatever order its keys were written or parsed in.
//! Evidence, config digests and bundle manifests all go through here.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// `value` as compact JSON with every object's keys sorted (by their UTF-8
/// bytes, as RFC 8785 sorts ASCII keys). Numbers and strings are written as
/// serde_json writes them.
pub fn to_vec(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write(value, &mut out);
    out
}

/// [`to_vec`] as a `String`.
pub fn to_string(value: &Value) -> String {
    // Every byte written is JSON text produced from UTF-8 strings.
    String::from_utf8(to_vec(value)).unwrap_or_default()
}

fn write(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            for (index, key) in keys.into_iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write(&Value::String(key.clone()), out);
                out.push(b':');
                write(&map[key], out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write(item, out);
            }
            out.push(b']');
        }
        scalar => {
            // Scalars have one serialisation; writing to a Vec cannot fail.
            let _ = serde_json::to_writer(&mut *out, scalar);
        }
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(DIGITS[usize::from(byte >> 4)] as char);
        text.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    text
}

/// The sha256 of `bytes`, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sorted_at_every_depth_and_whitespace_is_gone() {
        let a: Value =
            serde_json::from_str(r#"{"b": 1, "a": {"d": [1, {"z": null, "y": "x"}], "c": true}}"#)
                .unwrap();
        assert_eq!(
            to_string(&a),
            r#"{"a":{"c":true,"d":[1,{"y":"x","z":null}]},"b":1}"#
        );
        let b: Value =
            serde_json::from_str(r#"{"a": {"c": true, "d": [1, {"y": "x", "z": null}]}, "b": 1}"#)
                .unwrap();
        assert_eq!(to_vec(&a), to_vec(&b));
    }

    #[test]
    fn strings_are_escaped_and_hex_is_right() {
        assert_eq!(to_string(&Value::String("a\"\n".into())), r#""a\"\n""#);
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
