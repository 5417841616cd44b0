//! The streaming masker against the whole-input answer: secrets split by
//! read boundaries and by window rounds at every offset, arbitrary chunkings
//! (property test), and constant memory on a 50 MB stream.

#![allow(clippy::unwrap_used)]

use std::io::{self, Read, Write};

use ci_intel_secrets::detect::{Detector, synthetic};
use ci_intel_secrets::redact::emitter::{DEFAULT_PENDING_CAP, Emitter};
use ci_intel_secrets::redact::masker::{
    CollectingSink, Literal, MaskStyle, Masker, Window, mask_all,
};
use ci_intel_secrets::redact::{MAX_LISTED, RedactConfig, redact};
use ci_intel_secrets::test_support::classic_pat;
use proptest::prelude::*;

/// Compiled once: building the detector (21 rules) costs more than masking
/// a small input, and the property test masks thousands.
static DETECTOR: std::sync::LazyLock<Detector> = std::sync::LazyLock::new(Detector::builtin);

/// A reader that hands out `data` in chunks of the given sizes, cycling.
struct ChunkedReader<'a> {
    data: &'a [u8],
    sizes: Vec<usize>,
    next: usize,
}

impl<'a> ChunkedReader<'a> {
    fn new(data: &'a [u8], sizes: &[usize]) -> Self {
        ChunkedReader {
            data,
            sizes: sizes.to_vec(),
            next: 0,
        }
    }
}

impl Read for ChunkedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = self.sizes[self.next % self.sizes.len()].max(1);
        self.next += 1;
        let n = want.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn config(literals: Vec<Literal>, window: Window, read_size: usize) -> RedactConfig {
    RedactConfig {
        literals,
        style: MaskStyle::Labelled,
        window,
        read_size,
        input_name: "test.log".into(),
    }
}

/// Run the real `redact` loop over `reader`.
fn redact_with(reader: impl Read, config: &RedactConfig) -> Vec<u8> {
    let mut emitter = Emitter::direct(Vec::new());
    redact(reader, &mut emitter, &DETECTOR, config, None).unwrap();
    emitter.finish().unwrap()
}

fn whole(input: &[u8], literals: Vec<Literal>) -> Vec<u8> {
    mask_all(&DETECTOR, literals, MaskStyle::Labelled, input)
        .unwrap()
        .output
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_secret_split_by_read_boundaries_at_every_offset_is_masked() {
    let pat = classic_pat(201);
    let literal = Literal {
        name: "DB_PASSWORD".into(),
        value: b"correct-horse-battery".to_vec(),
    };
    let input = format!("start {pat} middle correct-horse-battery end\n");
    let expected = whole(input.as_bytes(), vec![literal.clone()]);
    assert!(!contains(&expected, pat.as_bytes()));
    let pat_at = input.find(&pat).unwrap();
    let literal_at = input.find("correct-horse").unwrap();
    for (start, len) in [(pat_at, pat.len()), (literal_at, literal.value.len())] {
        for offset in 0..=len {
            // One boundary exactly `offset` bytes into the secret, then odd
            // small reads.
            let sizes = [start + offset, 3, 1, 5];
            let got = redact_with(
                ChunkedReader::new(input.as_bytes(), &sizes),
                &config(vec![literal.clone()], Window::for_detectors(), 64 * 1024),
            );
            assert_eq!(got, expected, "boundary at +{offset}");
        }
    }
    for read_size in [1, 2, 3, 7, 13] {
        let got = redact_with(
            ChunkedReader::new(input.as_bytes(), &[read_size]),
            &config(vec![literal.clone()], Window::for_detectors(), read_size),
        );
        assert_eq!(got, expected, "reads of {read_size}");
    }
}

#[test]
fn a_window_round_ending_at_every_offset_inside_a_secret_changes_nothing() {
    // With the real window, the first round decides exactly `step` bytes
    // once `lookahead + step` are buffered. Put the secret across that mark
    // at every offset and check the round really cut through it.
    let window = Window::for_detectors();
    let lookahead = window.max_secret_len + window.context;
    let first_round_at = lookahead + window.step;
    let detector = Detector::builtin();
    let pat = classic_pat(202);
    let filler_line = b"2025-01-01T00:00:00Z compiling something harmless\n";
    for offset in 0..=pat.len() {
        let pat_at = window.step - offset;
        let mut input: Vec<u8> = filler_line
            .iter()
            .copied()
            .cycle()
            .take(pat_at - 1)
            .collect();
        input.push(b' ');
        input.extend_from_slice(pat.as_bytes());
        input.push(b'\n');
        input.extend(filler_line.iter().copied().cycle().take(first_round_at));

        let mut masker = Masker::new(&detector, Vec::new(), MaskStyle::Labelled, window).unwrap();
        let mut sink = CollectingSink::default();
        masker.feed(&input[..first_round_at], &mut sink).unwrap();
        assert_eq!(masker.decided(), window.step as u64, "offset {offset}");
        assert!(pat_at <= window.step && window.step <= pat_at + pat.len());
        masker.feed(&input[first_round_at..], &mut sink).unwrap();
        masker.finish(&mut sink).unwrap();

        assert_eq!(sink.output, whole(&input, Vec::new()), "offset {offset}");
        assert_eq!(sink.masked, 1, "offset {offset}");
        assert!(!contains(&sink.output, pat.as_bytes()));
    }
}

#[test]
fn a_multi_line_private_key_is_masked_whole_wherever_a_round_cuts_it() {
    let window = Window::for_detectors();
    let lookahead = window.max_secret_len + window.context;
    let first_round_at = lookahead + window.step;
    let key = synthetic::fake("pem-rsa", "redact").unwrap();
    assert!(key.lines().count() > 20, "a multi-line key");
    let body_line = key.lines().nth(5).unwrap().to_owned();
    let filler_line = b"building step output line\n";
    // Every offset near both ends of the key, every line break, and a
    // sample of the rest.
    let offsets: Vec<usize> = (0..=key.len())
        .filter(|&o| {
            o < 48 || o + 48 > key.len() || o % 97 == 0 || key.as_bytes().get(o) == Some(&b'\n')
        })
        .collect();
    for offset in offsets {
        let key_at = window.step - offset;
        let mut input: Vec<u8> = filler_line
            .iter()
            .copied()
            .cycle()
            .take(key_at - 1)
            .collect();
        input.push(b'\n');
        input.extend_from_slice(key.as_bytes());
        input.extend(filler_line.iter().copied().cycle().take(first_round_at));

        let mut masker = Masker::new(&DETECTOR, Vec::new(), MaskStyle::Labelled, window).unwrap();
        let mut sink = CollectingSink::default();
        masker.feed(&input[..first_round_at], &mut sink).unwrap();
        assert_eq!(masker.decided(), window.step as u64);
        masker.feed(&input[first_round_at..], &mut sink).unwrap();
        masker.finish(&mut sink).unwrap();

        assert_eq!(sink.masked, 1, "offset {offset}");
        assert!(
            !contains(&sink.output, body_line.as_bytes()),
            "offset {offset}"
        );
        assert!(!contains(&sink.output, b"PRIVATE KEY"), "offset {offset}");
        assert_eq!(sink.output, whole(&input, Vec::new()), "offset {offset}");
    }
}

#[test]
fn bytes_that_are_not_utf8_pass_through_unchanged() {
    let pat = classic_pat(203);
    let mut input = b"\xff\xfe binary \xc3(".to_vec();
    input.extend_from_slice(format!(" {pat} ").as_bytes());
    input.extend_from_slice(b"\xe2\x82 tail \x80\n");
    let got = redact_with(
        ChunkedReader::new(&input, &[1]),
        &config(Vec::new(), Window::for_detectors(), 1),
    );
    let fingerprint = ci_intel_secrets::secret::fingerprint(pat.as_bytes());
    let mut expected = b"\xff\xfe binary \xc3(".to_vec();
    expected.extend_from_slice(format!(" [REDACTED:github-pat-classic:{fingerprint}] ").as_bytes());
    expected.extend_from_slice(b"\xe2\x82 tail \x80\n");
    assert_eq!(got, expected);
}

/// One piece of a generated log.
#[derive(Debug, Clone)]
enum Piece {
    /// Text with no secret in it (may hold partial look-alikes and bytes
    /// that are not UTF-8).
    Filler(Vec<u8>),
    /// A classic PAT, set off by a separator on both sides.
    Pat(u64),
    /// One of the literal values.
    Literal(usize),
    /// A short (EC) private key, several lines long.
    Pem(u64),
    /// A PAT glued to a word character on the left (`x`, `é`, `_`), which
    /// the rule does not match (no word boundary): whether it is masked must
    /// not depend on where a window starts.
    GluedPat(u64, usize),
}

const LITERALS: [&str; 3] = ["s3cr3t-value", "another:secret!", "s3cr3t-value-longer"];

fn piece() -> impl Strategy<Value = Piece> {
    let filler_bytes = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..12),
        "[a-z \\n=:_]{0,20}".prop_map(String::into_bytes),
        Just(b"ghp_".to_vec()),
        Just("é中 ".as_bytes().to_vec()),
        Just(b"s3cr3t-val".to_vec()),
    ];
    prop_oneof![
        4 => filler_bytes.prop_map(Piece::Filler),
        2 => (0u64..4).prop_map(Piece::Pat),
        2 => (0usize..LITERALS.len()).prop_map(Piece::Literal),
        1 => (0u64..4, 0usize..3).prop_map(|(seed, glue)| Piece::GluedPat(seed, glue)),
        1 => (0u64..3).prop_map(Piece::Pem),
    ]
}

fn build(pieces: &[Piece]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut input = Vec::new();
    let mut planted = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Filler(bytes) => input.extend_from_slice(bytes),
            Piece::Pat(seed) => {
                let pat = classic_pat(1000 + seed);
                input.extend_from_slice(format!("\n{pat} ").as_bytes());
                planted.push(pat.into_bytes());
            }
            Piece::Literal(i) => {
                input.extend_from_slice(LITERALS[*i].as_bytes());
                planted.push(LITERALS[*i].as_bytes().to_vec());
            }
            Piece::Pem(seed) => {
                let key = synthetic::fake("pem-ec", &seed.to_string()).unwrap();
                input.extend_from_slice(format!("\n{key}").as_bytes());
                planted.push(key.into_bytes());
            }
            Piece::GluedPat(seed, glue) => {
                let glue = ["x", "é", "_"][*glue];
                input.extend_from_slice(format!(" {glue}{} ", classic_pat(2000 + seed)).as_bytes());
            }
        }
    }
    (input, planted)
}

fn literals() -> Vec<Literal> {
    LITERALS
        .iter()
        .enumerate()
        .map(|(i, v)| Literal {
            name: format!("SECRET_{i}"),
            value: v.as_bytes().to_vec(),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any chunking, any small window: the same output as masking the whole
    /// input at once, and no planted secret survives.
    #[test]
    fn any_chunking_gives_the_whole_input_answer(
        pieces in proptest::collection::vec(piece(), 0..40),
        sizes in proptest::collection::vec(1usize..40, 1..8),
        // The window must hold the longest planted secret (a PAT is 40
        // bytes, an EC key about 300): that plus up to 32 more. 4 bytes of
        // context covers the longest UTF-8 character, all a word boundary
        // looks at.
        extra_len in 0usize..32,
        context in 4usize..16,
        step in 1usize..48,
    ) {
        let (input, planted) = build(&pieces);
        let expected = whole(&input, literals());
        let longest = planted.iter().map(Vec::len).max().unwrap_or(0).max(40);
        let window = Window { max_secret_len: longest + extra_len, context, step };
        let got = redact_with(
            ChunkedReader::new(&input, &sizes),
            &config(literals(), window, 64),
        );
        prop_assert_eq!(&got, &expected);
        for secret in &planted {
            prop_assert!(!contains(&got, secret), "{} survived", String::from_utf8_lossy(secret));
        }
    }
}

/// Generates `total` bytes of log: ordinary lines, every 97th line with
/// one of five PATs, and now and then one very long line without a newline
/// in sight.
struct LogGenerator {
    total: usize,
    produced: usize,
    line: u64,
    pending: Vec<u8>,
    pats: Vec<String>,
    planted: u64,
}

impl LogGenerator {
    fn new(total: usize) -> Self {
        LogGenerator {
            total,
            produced: 0,
            line: 0,
            pending: Vec::new(),
            pats: (0..5).map(|i| classic_pat(300 + i)).collect(),
            planted: 0,
        }
    }

    fn next_line(&mut self) {
        self.line += 1;
        self.pending.clear();
        if self.line.is_multiple_of(97) {
            let pat = &self.pats[(self.line / 97 % 5) as usize];
            self.pending
                .extend_from_slice(format!("line {} token={pat} done\n", self.line).as_bytes());
            self.planted += 1;
        } else if self.line.is_multiple_of(50_000) {
            self.pending.resize(300 * 1024, b'x');
            self.pending.push(b'\n');
        } else {
            self.pending.extend_from_slice(
                format!("line {} compiling ci-intel v0.1.0 (/work) ok\n", self.line).as_bytes(),
            );
        }
    }
}

impl Read for LogGenerator {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.produced >= self.total {
            return Ok(0);
        }
        if self.pending.is_empty() {
            self.next_line();
        }
        let n = buf
            .len()
            .min(self.pending.len())
            .min(self.total - self.produced);
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        self.produced += n;
        // Never end inside a planted token: stop only at a line end.
        if self.produced >= self.total && !self.pending.is_empty() {
            self.total += self.pending.len();
        }
        Ok(n)
    }
}

/// Counts bytes and the occurrences of two markers, across write
/// boundaries, without keeping the output.
#[derive(Default)]
struct CountingWriter {
    bytes: u64,
    tail: Vec<u8>,
    ghp: u64,
    add_mask: u64,
}

impl Write for CountingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes += buf.len() as u64;
        let mut joined = std::mem::take(&mut self.tail);
        joined.extend_from_slice(buf);
        let count = |needle: &[u8]| {
            joined
                .windows(needle.len())
                .filter(|w| *w == needle)
                .count() as u64
        };
        // The tail carried over is shorter than either marker, so nothing
        // is counted twice.
        self.ghp += count(b"ghp_");
        self.add_mask += count(b"::add-mask::");
        let keep = joined.len().min(11);
        self.tail = joined[joined.len() - keep..].to_vec();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn fifty_megabytes_stream_through_a_bounded_buffer() {
    const TOTAL: usize = 50 * 1024 * 1024;
    let mut generator = LogGenerator::new(TOTAL);
    let detector = Detector::builtin();
    // Inline ::add-mask:: as in Actions, so the held-back line is bounded
    // too; an odd read size so reads and lines never align.
    let mut emitter = Emitter::inline(CountingWriter::default(), DEFAULT_PENDING_CAP);
    let outcome = redact(
        &mut generator,
        &mut emitter,
        &detector,
        &config(Vec::new(), Window::for_detectors(), 61_441),
        None,
    )
    .unwrap();
    let peak_pending = emitter.peak_pending();
    let written = emitter.finish().unwrap();

    assert!(outcome.bytes >= TOTAL as u64);
    assert_eq!(outcome.masked, generator.planted);
    assert!(generator.planted > 5_000, "{}", generator.planted);
    // The bound is fixed by the window, not by the input: 152 KiB.
    assert_eq!(outcome.buffer_bound, 152 * 1024);
    assert!(
        outcome.peak_buffered <= outcome.buffer_bound,
        "{} > {}",
        outcome.peak_buffered,
        outcome.buffer_bound
    );
    assert!(peak_pending <= DEFAULT_PENDING_CAP + outcome.buffer_bound);
    // Five distinct PATs: five registrations, the only place a PAT shows.
    assert_eq!(written.add_mask, 5);
    assert_eq!(written.ghp, 5);
}

#[test]
fn the_report_lists_at_most_ten_thousand_distinct_secrets_and_counts_the_rest() {
    let mut input = Vec::new();
    for seed in 0..=(MAX_LISTED as u64) {
        input.extend_from_slice(format!("t {}\n", classic_pat(10_000 + seed)).as_bytes());
    }
    let mut emitter = Emitter::direct(io::sink());
    let outcome = redact(
        &input[..],
        &mut emitter,
        &DETECTOR,
        &config(Vec::new(), Window::for_detectors(), 64 * 1024),
        None,
    )
    .unwrap();
    assert_eq!(outcome.masked, MAX_LISTED as u64 + 1);
    assert_eq!(outcome.findings.len(), MAX_LISTED);
    assert_eq!(outcome.unlisted, 1);
}
