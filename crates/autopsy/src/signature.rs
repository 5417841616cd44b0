//! Failure signatures: what makes two failures "the same" across runs.
//!
//! A signature is the cause's rule plus its message (or the rule's
//! `signature` template) with everything that changes from run to run
//! replaced by a placeholder: URLs, timestamps and dates, UUIDs, hex
//! strings (commit SHAs, addresses), paths, and numbers (line numbers, run
//! ids, durations, counts). `test_x.py::T::test_a_2` keeps its name; the
//! `2` inside a word is not a number.

use std::sync::OnceLock;

use regex::Regex;
use sha2::{Digest, Sha256};

struct Patterns {
    url: Regex,
    timestamp: Regex,
    uuid: Regex,
    hex: Regex,
    path: Regex,
    number: Regex,
    space: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        // Fixed patterns: compiling them cannot fail.
        let re = |p: &str| Regex::new(p).unwrap_or_else(|e| panic!("signature pattern {p}: {e}"));
        Patterns {
            url: re(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\x22<>)\]]+"),
            timestamp: re(
                r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?|\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b",
            ),
            uuid: re(r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),
            hex: re(r"(?i)\b(?:0x[0-9a-f]+|[0-9a-f]*[0-9][0-9a-f]*[a-f][0-9a-f]*|[0-9a-f]*[a-f][0-9a-f]*[0-9][0-9a-f]*)\b"),
            path: re(r"(?:[A-Za-z]:)?(?:[\w.~@+-]*[/\\])+[\w.@+-]*"),
            number: re(r"\b\d+(?:\.\d+)*\b"),
            space: re(r"\s+"),
        }
    })
}

/// The text with run-specific parts replaced (see the module docs).
pub fn normalise(text: &str) -> String {
    let p = patterns();
    let text = p.url.replace_all(text, "<url>");
    let text = p.timestamp.replace_all(&text, "<time>");
    let text = p.uuid.replace_all(&text, "<uuid>");
    let text = p.hex.replace_all(&text, |caps: &regex::Captures<'_>| {
        let m = &caps[0];
        // Short words that happen to be hex (`add`, `cafe1`) stay; hashes,
        // addresses and ids are longer.
        if m.len() >= 7 || m.starts_with("0x") || m.starts_with("0X") {
            "<hex>".to_owned()
        } else {
            m.to_owned()
        }
    });
    let text = p.path.replace_all(&text, |caps: &regex::Captures<'_>| {
        let m = &caps[0];
        if m.contains(['/', '\\']) && m.len() > 1 {
            "<path>".to_owned()
        } else {
            m.to_owned()
        }
    });
    let text = p.number.replace_all(&text, "<n>");
    p.space.replace_all(text.trim(), " ").into_owned()
}

/// The signature of a cause: sha256 over `rule \0 normalised`, hex, the
/// first 16 characters (the issue marker).
pub fn digest(rule: &str, normalised: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rule.as_bytes());
    hasher.update([0u8]);
    hasher.update(normalised.as_bytes());
    hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_specific_parts_are_normalised_away() {
        assert_eq!(
            normalise(
                "Error at 2026-07-30T10:39:20.7140484Z in run 30533012812 (sha 050ce9e1226b95d6b5938bdd5e245491f7219fd8)"
            ),
            "Error at <time> in run <n> (sha <hex>)"
        );
        assert_eq!(
            normalise("/__w/pytorch/pytorch/torch/x.cpp:128:26: error: no matching function"),
            "<path>:<n>:<n>: error: no matching function"
        );
        assert_eq!(
            normalise(r"C:\a\b\c.h(89): error C2143: syntax error"),
            "<path>(<n>): error C2143: syntax error"
        );
        assert_eq!(
            normalise("took 3.52 s, 12 retries"),
            "took <n> s, <n> retries"
        );
        assert_eq!(
            normalise("test_cpu_float32 failed"),
            "test_cpu_float32 failed"
        );
        assert_eq!(
            normalise(
                "GET https://api.github.com/repos/o/r?x=1 failed: id 6a693f59-aaaa-bbbb-cccc-0123456789ab"
            ),
            "GET <url> failed: id <uuid>"
        );
        assert_eq!(normalise("  a \t b  "), "a b");
    }

    #[test]
    fn the_same_failure_in_two_runs_has_one_signature() {
        let a = normalise("tests/test_api.py::TestLogin::test_token - AssertionError: 401 != 200");
        let b = normalise("tests/test_api.py::TestLogin::test_token - AssertionError: 401 != 200");
        assert_eq!(
            digest("pytest-failed-test", &a),
            digest("pytest-failed-test", &b)
        );
        assert_ne!(digest("pytest-failed-test", &a), digest("other", &a));
        assert_eq!(digest("r", "x").len(), 16);
    }
}
