//! Property tests for the parsers of untrusted input: the log scanner (the
//! fuzz entry point `analyse`), the streaming reader (any chunking gives
//! the result of the whole), the rule-file parser and the JUnit reader
//! never panic, and their results stay within their invariants.

#![allow(clippy::unwrap_used)]

use std::io::Read;

use proptest::prelude::*;

use ci_intel_autopsy::redact::Redactor;
use ci_intel_autopsy::scan::{ScanOptions, Scanner};

/// Lines that look like logs: fragments of what the rules look for, runner
/// markers, colours, timestamps, long lines, odd bytes.
fn log_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"2024-07-08T16:48:09.3750041Z ##[error]Process completed with exit code 1.".to_vec()),
        Just(b"##[group]Run cargo test".to_vec()),
        Just(b"FAILED tests/test_a.py::test_b - AssertionError: x".to_vec()),
        Just(
            b"=================================== FAILURES ==================================="
                .to_vec()
        ),
        Just(b"____ test_b ____".to_vec()),
        Just(b"tests/test_a.py:12: AssertionError".to_vec()),
        Just(b"Traceback (most recent call last):".to_vec()),
        Just(b"  File \"x.py\", line 3, in f".to_vec()),
        Just(b"ValueError: bad".to_vec()),
        Just(b"The above exception was the direct cause of the following exception:".to_vec()),
        Just(b"src/a.c:1:2: error: boom".to_vec()),
        Just(b"error[E0308]: mismatched types".to_vec()),
        Just(b"  --> src/main.rs:4:5".to_vec()),
        Just(b"-----BEGIN RSA PRIVATE KEY-----".to_vec()),
        Just(b"-----END RSA PRIVATE KEY-----".to_vec()),
        Just(b"\x1b[31mERROR: Failed building wheel for x\x1b[0m".to_vec()),
        Just(b"\xEF\xBB\xBF\r".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..200),
        "[ -~]{0,120}".prop_map(String::into_bytes),
    ]
}

fn log() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(log_line(), 0..60).prop_map(|lines| lines.join(&b"\n"[..]))
}

/// A reader that hands out the bytes in the given chunk sizes.
struct Chunked<'a> {
    data: &'a [u8],
    sizes: Vec<usize>,
    next: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.data.is_empty() {
            return Ok(0);
        }
        let size = self.sizes[self.next % self.sizes.len()]
            .max(1)
            .min(buf.len())
            .min(self.data.len());
        self.next += 1;
        buf[..size].copy_from_slice(&self.data[..size]);
        self.data = &self.data[size..];
        Ok(size)
    }
}

fn summary(
    a: &ci_intel_autopsy::scan::LogAnalysis,
) -> Vec<(usize, u64, u64, u64, String, Vec<String>)> {
    a.causes
        .iter()
        .map(|c| {
            (
                c.rule,
                c.log_line,
                c.first_log_line,
                c.occurrences,
                c.message.clone(),
                c.before
                    .iter()
                    .chain(&c.after)
                    .map(|l| l.text.clone())
                    .collect(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn analyse_never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let analysis = ci_intel_autopsy::analyse(&bytes);
        prop_assert!(analysis.causes.iter().all(|c| c.log_line >= 1 && c.log_line <= analysis.lines.max(1)));
    }

    #[test]
    fn causes_are_ranked_and_within_the_log(bytes in log()) {
        let analysis = ci_intel_autopsy::analyse(&bytes);
        let (set, _) = ci_intel_autopsy::defaults().unwrap();
        let keys: Vec<(std::cmp::Reverse<u8>, u64)> = analysis
            .causes
            .iter()
            .map(|c| (std::cmp::Reverse(set.rule(c.rule).priority), c.first_log_line))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        prop_assert_eq!(keys, sorted);
        for c in &analysis.causes {
            prop_assert!(c.first_log_line <= c.log_line);
            prop_assert!(c.log_line <= analysis.lines);
            prop_assert!(c.occurrences >= 1);
        }
        prop_assert_eq!(analysis.bytes, bytes.len() as u64);
    }

    #[test]
    fn any_chunking_gives_the_result_of_the_whole(bytes in log(), sizes in proptest::collection::vec(1usize..300, 1..8)) {
        let (set, _) = ci_intel_autopsy::defaults().unwrap();
        let redactor = Redactor::new(Vec::new());
        let opts = ScanOptions::default();
        let whole = Scanner::new(set, &redactor, &opts).scan_slice(&bytes);
        let streamed = Scanner::new(set, &redactor, &opts)
            .read_all(Chunked { data: &bytes, sizes, next: 0 })
            .unwrap();
        prop_assert_eq!(whole.lines, streamed.lines);
        prop_assert_eq!(summary(&whole), summary(&streamed));
    }

    #[test]
    fn rule_files_never_panic(text in "[ -~\n]{0,400}") {
        let _ = ci_intel_autopsy::rules::parse_file("r.toml", &text, false);
    }

    #[test]
    fn junit_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let redactor = Redactor::new(Vec::new());
        let _ = ci_intel_autopsy::junit::parse(&bytes, "r.xml", &redactor);
    }
}

#[test]
fn a_long_line_and_a_huge_log_stay_bounded() {
    // One 3 MiB line with no newline, then a failure: the line is cut,
    // the failure after it is still found with the right number.
    let mut bytes = vec![b'x'; 3 * 1024 * 1024];
    bytes.extend_from_slice(b"\nerror[E0308]: mismatched types\n");
    let (set, _) = ci_intel_autopsy::defaults().unwrap();
    let redactor = Redactor::new(Vec::new());
    let opts = ScanOptions::default();
    let analysis = Scanner::new(set, &redactor, &opts)
        .read_all(&bytes[..])
        .unwrap();
    assert_eq!(analysis.lines, 2);
    assert_eq!(analysis.causes.len(), 1);
    assert_eq!(analysis.causes[0].log_line, 2);
    // Ten thousand distinct failures: the caps hold, the rest is counted.
    let mut many = String::new();
    for i in 0..10_000 {
        many.push_str(&format!(
            "FAILED tests/test_{i}.py::test_{i} - AssertionError\n"
        ));
    }
    let analysis = ci_intel_autopsy::analyse(many.as_bytes());
    assert!(analysis.causes.len() <= ci_intel_autopsy::scan::MAX_CAUSES);
    assert_eq!(analysis.causes.len() as u64 + analysis.unlisted, 10_000);
}
