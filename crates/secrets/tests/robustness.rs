//! Untrusted input never panics: the detector over arbitrary strings, over
//! strings built from every rule's keywords and token-like fragments, and
//! over arbitrary bytes (decoded lossily, as `scan` does with non-UTF-8
//! files); every hit is an in-bounds, non-empty range on character
//! boundaries no longer than `MAX_SECRET_LEN`. A scan of files holding
//! arbitrary bytes finishes and counts every file.

#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;

use ci_intel_secrets::detect::{Detector, Hit, MAX_SECRET_LEN, synthetic};
use ci_intel_secrets::scan::{ScanOptions, scan_paths};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

fn detector() -> &'static Detector {
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    DETECTOR.get_or_init(Detector::builtin)
}

fn check_hits(text: &str, hits: &[Hit]) -> Result<(), TestCaseError> {
    for hit in hits {
        prop_assert!(hit.start < hit.end, "empty or reversed range {hit:?}");
        prop_assert!(
            hit.end <= text.len(),
            "out of bounds {hit:?} in {} bytes",
            text.len()
        );
        prop_assert!(
            text.is_char_boundary(hit.start) && text.is_char_boundary(hit.end),
            "{hit:?}"
        );
        prop_assert!(hit.end - hit.start <= MAX_SECRET_LEN, "{hit:?}");
        prop_assert!(hit.public_prefix <= hit.end - hit.start, "{hit:?}");
    }
    for pair in hits.windows(2) {
        prop_assert!(pair[0].start <= pair[1].start, "hits are sorted");
    }
    Ok(())
}

/// Pieces that wake every rule up, and characters that make tokens.
fn fragments() -> impl Strategy<Value = String> {
    let keywords: Vec<String> = Detector::builtin()
        .rules()
        .flat_map(|r| r.keywords.iter().map(|k| (*k).to_owned()))
        .chain(
            [
                "AKIA",
                "ghp_",
                "github_pat_",
                "eyJ",
                "-----BEGIN RSA PRIVATE KEY-----",
                "-----END RSA PRIVATE KEY-----",
                "-----BEGIN OPENSSH PRIVATE KEY-----",
                "-----END OPENSSH PRIVATE KEY-----",
                "\"type\": \"service_account\"",
                "\"private_key\": \"",
                "postgres://u:",
                "@db.example.com",
                "AccountKey=",
                "SharedAccessKey=",
                "Endpoint=sb://x;SharedAccessKeyName=y;",
                "password = ",
                "token: ",
                "\\n",
                "\n",
                "\"",
                "'",
                "=",
                ":",
                "::",
                ".",
                "/",
                "+",
                "é",
                "🔑",
            ]
            .iter()
            .map(|s| (*s).to_owned()),
        )
        .collect();
    let piece = prop_oneof![
        proptest::sample::select(keywords),
        "[A-Za-z0-9+/=_-]{1,48}",
        "(?s).{0,8}",
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic_and_hits_are_valid(text in "(?s).{0,600}") {
        check_hits(&text, &detector().find(&text))?;
        check_hits(&text, &detector().find_preferred(&text))?;
    }

    #[test]
    fn keyword_laden_strings_never_panic_and_hits_are_valid(text in fragments()) {
        check_hits(&text, &detector().find(&text))?;
        check_hits(&text, &detector().find_preferred(&text))?;
    }

    #[test]
    fn arbitrary_bytes_decoded_lossily_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let text = String::from_utf8_lossy(&bytes);
        check_hits(&text, &detector().find(&text))?;
    }

    #[test]
    fn arbitrary_git_logs_and_diffs_never_panic(
        bytes in proptest::collection::vec(
            proptest::prop_oneof![
                any::<u8>(),
                Just(0x1e),
                Just(b'\n'),
                Just(b'+'),
                Just(b'@'),
            ],
            0..800,
        ),
        header in proptest::sample::select(vec![
            "", "\x1eabc 2026-01-01T00:00:00Z\n", "diff --git a/x b/x\n+++ b/x\n@@ -0,0 +1 @@\n",
        ]),
    ) {
        let mut log = header.as_bytes().to_vec();
        log.extend_from_slice(&bytes);
        for commit in ci_intel_secrets::scan::diff::parse_log(&log) {
            for file in &commit.added.files {
                prop_assert_eq!(file.text.matches('\n').count(), file.lines.len());
            }
        }
        let added = ci_intel_secrets::scan::diff::parse_unified(&log);
        for file in &added.files {
            prop_assert_eq!(file.text.matches('\n').count(), file.lines.len());
        }
    }

    #[test]
    fn synthetic_tokens_are_found_whatever_surrounds_them(
        before in "[ \\n\"'=:,;(]{0,3}[a-z ]{0,10}[ \\n\"'=:]",
        after in "[ \\n\"',;)]{1,3}(?s).{0,20}",
        kind in proptest::sample::select(vec!["ghp", "ghs", "gho", "npm", "aws-akid", "gcp-api-key", "slack-bot", "stripe-live", "pypi", "dockerhub", "gitlab-pat", "jwt", "pem-rsa"]),
    ) {
        let token = synthetic::fake(kind, "prop").unwrap();
        let text = format!("{before}{token}{after}");
        let hits = detector().find(&text);
        check_hits(&text, &hits)?;
        prop_assert!(
            hits.iter().any(|h| text[h.start..h.end] == token),
            "{kind} not found whole in {text:?}: {hits:?}"
        );
    }
}

#[test]
fn a_scan_of_arbitrary_files_finishes_and_counts_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = proptest::collection::vec(any::<u8>(), 0..2000);
    for i in 0..64 {
        let bytes = strategy.new_tree(&mut runner).unwrap().current();
        std::fs::write(dir.path().join(format!("f{i}.bin")), bytes).unwrap();
    }
    std::fs::write(dir.path().join("latin1.txt"), b"caf\xe9 token = \xff\xfe\n").unwrap();
    let report = scan_paths(&[dir.path().to_path_buf()], &ScanOptions::defaults()).unwrap();
    let s = &report.summary;
    assert_eq!(s.files_scanned + s.skipped_binary, 65, "{s:?}");
    assert!(s.lossy_utf8 >= 1, "{s:?}");
}

fn corpus() -> Option<std::path::PathBuf> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    dir.is_dir().then_some(dir)
}

/// The shared corpus (35 MB of real third-party data: Sigstore bundles and
/// trusted roots, SLSA provenance, certificates, public keys, digests, CI
/// logs, 1,503 workflows): the scan runs to the end, counts every file, and
/// reports nothing in the signed bundles, certificates, public keys and
/// hashes. Prints the findings per rule (docs/benchmarks.md classifies
/// them).
#[test]
fn the_shared_corpus_scans_without_flagging_certificates_keys_or_hashes() {
    let Some(dir) = corpus() else {
        println!("SKIPPED: ../shared/corpus is absent");
        return;
    };
    let report = scan_paths(std::slice::from_ref(&dir), &ScanOptions::defaults()).unwrap();
    let s = &report.summary;
    let files = ignore::WalkBuilder::new(&dir)
        .hidden(false)
        .require_git(false)
        .build()
        .filter(|e| e.as_ref().unwrap().file_type().is_some_and(|t| t.is_file()))
        .count();
    assert_eq!(
        s.files_scanned + s.skipped_binary + s.skipped_oversized,
        files,
        "every file is scanned or counted as skipped: {s:?}"
    );
    for finding in &report.findings {
        for public in ["sigstore-conformance", "sigstore-trust", "/slsa/"] {
            assert!(
                !finding.file.contains(public),
                "signed bundles, certificates, public keys and digests are not secrets: {finding:?}"
            );
        }
    }
    println!(
        "{} files scanned, {} skipped; findings by rule: {:?}",
        s.files_scanned,
        s.skipped_binary + s.skipped_oversized,
        s.by_rule
    );
    for finding in &report.findings {
        println!(
            "  {}:{} {} {}",
            finding.file, finding.line, finding.rule, finding.severity
        );
    }
}
