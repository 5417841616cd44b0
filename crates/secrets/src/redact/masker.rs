//! The streaming masker: bytes in, the same bytes out with every secret
//! replaced, in constant memory, with exactly the output that masking the
//! whole input at once ([`mask_all`]) would give.
//!
//! # The window
//!
//! The masker keeps a buffer of the stream, `[buf_start, buf_end)` in
//! absolute offsets, and two marks: `decided_until` (every secret starting
//! before it has been dealt with) and `cursor` (everything before it has
//! been written out or masked; `cursor >= decided_until`). When enough new
//! bytes have arrived, a *round* runs the detectors and the literal matcher
//! over the whole buffer and deals with the secrets that start in
//! `[decided_until, final_end)`, where `final_end = buf_end - lookahead`:
//!
//! - `lookahead` is the longest secret ([`MAX_SECRET_LEN`], or the longest
//!   literal value if longer) plus `context`. A secret that starts before
//!   `final_end` therefore ends inside the buffer with `context` bytes after
//!   it, so it is seen whole and its right-hand context (`\b`, a closing
//!   quote) is seen too. A candidate cut off by the end of the buffer starts
//!   after `final_end` and is left for the next round.
//! - `context` bytes before `decided_until` are kept, so a rule whose
//!   pattern looks behind the secret (a keyword, a word boundary) sees the
//!   same left-hand text as it would in the whole input.
//!
//! Rounds run when `lookahead + step` bytes past `decided_until` are
//! buffered, so the buffer never holds more than `context + lookahead +
//! 2 * step` bytes ([`Masker::buffer_bound`]); it is allocated once at that
//! size and never grows. The price is latency: output trails input by up
//! to that many bytes until the end of the stream.
//!
//! # Overlaps
//!
//! Secrets are dealt with in order of start (longest first on a tie). One
//! that starts at or after `cursor` is replaced by its mask text; one that
//! starts inside the masked region but ends after it extends the region
//! (its bytes are hidden by the mask already written); one inside the region
//! is already hidden. [`mask_all`] applies the same rule to the whole input.
//!
//! # Bytes that are not UTF-8
//!
//! The detectors read [`detectable_text`], which keeps every offset: invalid
//! bytes pass through unchanged and are never part of a detected secret.
//! Literal values are matched on the raw bytes (Aho-Corasick, all
//! occurrences, overlapping ones included).

use std::cmp::Reverse;
use std::io;

use aho_corasick::AhoCorasick;

use crate::detect::{Detector, MAX_SECRET_LEN};
use crate::secret::{fingerprint, preview};
use crate::text::detectable_text;

/// The rule id of a literal value (`--env-name`).
pub const LITERAL_RULE: &str = "env-value";

/// A value to mask wherever it appears, and the variable it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    pub name: String,
    pub value: Vec<u8>,
}

/// What a masked secret is replaced with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MaskStyle {
    /// `[REDACTED:<rule>:sha256:<16 hex>]`: which rule, and a fingerprint
    /// to correlate with findings and other logs.
    Labelled,
    /// `***`, as the GitHub Actions runner masks.
    Stars,
}

/// The window sizes. [`Window::for_detectors`] is the only safe choice for
/// the built-in rules; tests use smaller windows with secrets they know the
/// length of, to exercise many rounds on small inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The longest secret a rule may match.
    pub max_secret_len: usize,
    /// Bytes of context kept on each side of a secret.
    pub context: usize,
    /// Bytes of progress per round.
    pub step: usize,
}

impl Window {
    /// For the built-in detectors: secrets up to [`MAX_SECRET_LEN`], 4 KiB
    /// of context, 64 KiB rounds.
    pub const fn for_detectors() -> Window {
        Window {
            max_secret_len: MAX_SECRET_LEN,
            context: 4 * 1024,
            step: 64 * 1024,
        }
    }
}

/// One secret being masked, as the sink sees it.
#[derive(Debug)]
pub struct MaskEvent<'a> {
    pub rule: &'static str,
    /// The variable a literal value came from.
    pub variable: Option<&'a str>,
    /// 1-based line of the secret's first byte.
    pub line: u64,
    pub fingerprint: String,
    pub preview: String,
    /// The secret itself: only for `::add-mask::`, never to print.
    pub value: &'a [u8],
    /// The mask text written in its place; empty when the secret extends a
    /// region already masked.
    pub replacement: &'a [u8],
}

/// Where the masker's output goes.
pub trait MaskSink {
    /// Bytes that are not part of any secret.
    fn pass(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// A secret: write `event.replacement` in its place.
    fn masked(&mut self, event: &MaskEvent<'_>) -> io::Result<()>;
}

/// A sink that collects the output, for [`mask_all`] and tests.
#[derive(Debug, Default)]
pub struct CollectingSink {
    pub output: Vec<u8>,
    pub masked: usize,
}

impl MaskSink for CollectingSink {
    fn pass(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.output.extend_from_slice(bytes);
        Ok(())
    }
    fn masked(&mut self, event: &MaskEvent<'_>) -> io::Result<()> {
        self.output.extend_from_slice(event.replacement);
        self.masked += 1;
        Ok(())
    }
}

/// Literal values and the automaton that finds them.
#[derive(Debug)]
struct Literals {
    matcher: AhoCorasick,
    /// Pattern index to literal (values are distinct).
    literals: Vec<Literal>,
    longest: usize,
}

impl Literals {
    fn new(literals: Vec<Literal>) -> io::Result<Option<Literals>> {
        let mut distinct: Vec<Literal> = Vec::new();
        for literal in literals {
            if !literal.value.is_empty() && !distinct.iter().any(|l| l.value == literal.value) {
                distinct.push(literal);
            }
        }
        if distinct.is_empty() {
            return Ok(None);
        }
        // Standard semantics: the only kind that reports overlapping
        // occurrences, so a value is found even inside another one's match.
        let matcher =
            AhoCorasick::new(distinct.iter().map(|l| &l.value)).map_err(io::Error::other)?;
        let longest = distinct.iter().map(|l| l.value.len()).max().unwrap_or(0);
        Ok(Some(Literals {
            matcher,
            literals: distinct,
            longest,
        }))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Label {
    Rule {
        rule: &'static str,
        public_prefix: usize,
    },
    Literal(usize),
}

/// A secret's range in absolute stream offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u64,
    end: u64,
    label: Label,
}

/// Every secret in `bytes` (which start at stream offset `base`), sorted in
/// the order they are dealt with.
fn find_spans(
    bytes: &[u8],
    base: u64,
    detector: &Detector,
    literals: Option<&Literals>,
) -> Vec<Span> {
    let text = detectable_text(bytes);
    let mut spans: Vec<Span> = detector
        .find(&text)
        .into_iter()
        .filter(|hit| hit.start < hit.end && hit.end <= bytes.len())
        .map(|hit| Span {
            start: base + hit.start as u64,
            end: base + hit.end as u64,
            label: Label::Rule {
                rule: hit.rule,
                public_prefix: hit.public_prefix,
            },
        })
        .collect();
    if let Some(literals) = literals {
        spans.extend(literals.matcher.find_overlapping_iter(bytes).map(|m| Span {
            start: base + m.start() as u64,
            end: base + m.end() as u64,
            label: Label::Literal(m.pattern().as_usize()),
        }));
    }
    spans.sort_by_key(|s| (s.start, Reverse(s.end), s.label));
    spans
}

/// The streaming masker. Feed it bytes with [`Masker::feed`], end with
/// [`Masker::finish`].
#[derive(Debug)]
pub struct Masker<'d> {
    detector: &'d Detector,
    literals: Option<Literals>,
    style: MaskStyle,
    context: usize,
    lookahead: usize,
    step: usize,
    buf: Vec<u8>,
    buf_start: u64,
    decided_until: u64,
    cursor: u64,
    /// `line` is the 1-based line number at stream offset `line_pos`.
    line_pos: u64,
    line: u64,
    peak_buffered: usize,
    masked: u64,
}

impl<'d> Masker<'d> {
    /// A masker for the detectors' secrets and `literals`. An error means
    /// the literal automaton could not be built (too many or too long
    /// values).
    pub fn new(
        detector: &'d Detector,
        literals: Vec<Literal>,
        style: MaskStyle,
        window: Window,
    ) -> io::Result<Self> {
        let literals = Literals::new(literals)?;
        let longest = window
            .max_secret_len
            .max(literals.as_ref().map_or(0, |l| l.longest));
        let step = window.step.max(1);
        let lookahead = longest + window.context;
        let bound = window.context + lookahead + 2 * step;
        Ok(Masker {
            detector,
            literals,
            style,
            context: window.context,
            lookahead,
            step,
            buf: Vec::with_capacity(bound),
            buf_start: 0,
            decided_until: 0,
            cursor: 0,
            line_pos: 0,
            line: 1,
            peak_buffered: 0,
            masked: 0,
        })
    }

    /// The most bytes the buffer can hold.
    pub fn buffer_bound(&self) -> usize {
        self.context + self.lookahead + 2 * self.step
    }

    /// Bytes buffered now.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The most bytes ever buffered.
    pub fn peak_buffered(&self) -> usize {
        self.peak_buffered
    }

    /// The buffer's allocation (it never grows past [`Self::buffer_bound`]).
    pub fn buffer_capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Secrets masked so far.
    pub fn masked(&self) -> u64 {
        self.masked
    }

    /// Stream offset up to which output has been decided.
    pub fn decided(&self) -> u64 {
        self.decided_until
    }

    /// Take the next bytes of the stream; write what is decided to `sink`.
    pub fn feed(&mut self, bytes: &[u8], sink: &mut dyn MaskSink) -> io::Result<()> {
        // Pieces of at most `step` keep the buffer within its bound however
        // large the caller's chunks are.
        for piece in bytes.chunks(self.step) {
            self.buf.extend_from_slice(piece);
            self.peak_buffered = self.peak_buffered.max(self.buf.len());
            let buf_end = self.buf_start + self.buf.len() as u64;
            if buf_end - self.decided_until >= (self.lookahead + self.step) as u64 {
                self.round(false, sink)?;
            }
        }
        Ok(())
    }

    /// The stream has ended: decide and write the rest.
    pub fn finish(&mut self, sink: &mut dyn MaskSink) -> io::Result<()> {
        self.round(true, sink)
    }

    fn round(&mut self, at_end: bool, sink: &mut dyn MaskSink) -> io::Result<()> {
        let buf_end = self.buf_start + self.buf.len() as u64;
        let final_end = if at_end {
            buf_end
        } else {
            buf_end.saturating_sub(self.lookahead as u64)
        };
        if final_end > self.decided_until {
            let spans = find_spans(
                &self.buf,
                self.buf_start,
                self.detector,
                self.literals.as_ref(),
            );
            for span in spans {
                if span.start >= self.decided_until && span.start < final_end {
                    self.apply(span, sink)?;
                }
            }
            if self.cursor < final_end {
                self.pass_until(final_end, sink)?;
            }
            self.decided_until = final_end;
        }
        // Keep `context` bytes before the decided mark for the next round's
        // look-behind; everything earlier is written and no longer needed.
        let keep_from = self
            .decided_until
            .saturating_sub(self.context as u64)
            .max(self.buf_start);
        self.count_lines_until(keep_from);
        let drop = (keep_from - self.buf_start) as usize;
        self.buf.drain(..drop);
        self.buf_start = keep_from;
        Ok(())
    }

    fn apply(&mut self, span: Span, sink: &mut dyn MaskSink) -> io::Result<()> {
        if span.end <= self.cursor {
            return Ok(()); // inside a region already masked
        }
        let extends = span.start < self.cursor;
        if !extends {
            self.pass_until(span.start, sink)?;
        }
        self.count_lines_until(span.start);
        let value = &self.buf[self.index(span.start)..self.index(span.end)];
        let (rule, public_prefix, variable) = match span.label {
            Label::Rule {
                rule,
                public_prefix,
            } => (rule, public_prefix, None),
            Label::Literal(index) => {
                let name = self
                    .literals
                    .as_ref()
                    .map(|l| l.literals[index].name.as_str());
                (LITERAL_RULE, 0, name)
            }
        };
        let fingerprint = fingerprint(value);
        let replacement = match (extends, self.style) {
            (true, _) => String::new(),
            (false, MaskStyle::Labelled) => format!("[REDACTED:{rule}:{fingerprint}]"),
            (false, MaskStyle::Stars) => "***".to_owned(),
        };
        let event = MaskEvent {
            rule,
            variable,
            line: self.line,
            preview: preview(&String::from_utf8_lossy(value), public_prefix),
            fingerprint,
            value,
            replacement: replacement.as_bytes(),
        };
        sink.masked(&event)?;
        self.masked += 1;
        self.cursor = span.end;
        Ok(())
    }

    fn pass_until(&mut self, end: u64, sink: &mut dyn MaskSink) -> io::Result<()> {
        let bytes = &self.buf[self.index(self.cursor)..self.index(end)];
        if !bytes.is_empty() {
            sink.pass(bytes)?;
        }
        self.cursor = end;
        Ok(())
    }

    fn count_lines_until(&mut self, pos: u64) {
        if pos <= self.line_pos {
            return;
        }
        let newlines = self.buf[self.index(self.line_pos)..self.index(pos)]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line += newlines as u64;
        self.line_pos = pos;
    }

    fn index(&self, pos: u64) -> usize {
        (pos - self.buf_start) as usize
    }
}

/// Mask `input` in one piece: the reference the streaming masker must
/// match, whatever the chunking.
pub fn mask_all(
    detector: &Detector,
    literals: Vec<Literal>,
    style: MaskStyle,
    input: &[u8],
) -> io::Result<CollectingSink> {
    let window = Window {
        // One window the size of the input: a single round at the end.
        max_secret_len: input.len(),
        context: 0,
        step: input.len().max(1),
    };
    let mut masker = Masker::new(detector, literals, style, window)?;
    let mut sink = CollectingSink::default();
    masker.feed(input, &mut sink)?;
    masker.finish(&mut sink)?;
    Ok(sink)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::classic_pat;

    fn small_window() -> Window {
        // PATs are 40 bytes; literals in these tests are shorter.
        Window {
            max_secret_len: 48,
            context: 8,
            step: 16,
        }
    }

    fn stream(input: &[u8], chunk: usize, literals: Vec<Literal>) -> CollectingSink {
        let detector = Detector::builtin();
        let mut masker =
            Masker::new(&detector, literals, MaskStyle::Labelled, small_window()).unwrap();
        let mut sink = CollectingSink::default();
        for piece in input.chunks(chunk) {
            masker.feed(piece, &mut sink).unwrap();
            assert!(masker.buffered() <= masker.buffer_bound());
        }
        masker.finish(&mut sink).unwrap();
        sink
    }

    #[test]
    fn masks_a_pat_with_its_rule_and_fingerprint() {
        let pat = classic_pat(1);
        let input = format!("token={pat}\nnext line\n");
        let out = mask_all(
            &Detector::builtin(),
            Vec::new(),
            MaskStyle::Labelled,
            input.as_bytes(),
        )
        .unwrap();
        let expected = format!(
            "token=[REDACTED:github-pat-classic:{}]\nnext line\n",
            fingerprint(pat.as_bytes())
        );
        assert_eq!(String::from_utf8(out.output).unwrap(), expected);
        assert_eq!(out.masked, 1);
        let stars = mask_all(
            &Detector::builtin(),
            Vec::new(),
            MaskStyle::Stars,
            input.as_bytes(),
        )
        .unwrap();
        assert_eq!(stars.output, b"token=***\nnext line\n");
    }

    #[test]
    fn every_chunk_size_gives_the_whole_input_answer() {
        let pat = classic_pat(2);
        let literal = Literal {
            name: "PASSWORD".into(),
            value: b"hunter2-hunter2".to_vec(),
        };
        let mut input = format!("a {pat} b\nhunter2-hunter2 {pat}.{pat} ").into_bytes();
        input.extend_from_slice(b"\xff\xe2\x82");
        input.extend_from_slice(format!("\nx hunter2-hunter2hunter2-hunter2 {pat}").as_bytes());
        let expected = mask_all(
            &Detector::builtin(),
            vec![literal.clone()],
            MaskStyle::Labelled,
            &input,
        )
        .unwrap();
        for chunk in 1..=input.len() {
            let got = stream(&input, chunk, vec![literal.clone()]);
            assert_eq!(got.output, expected.output, "chunk {chunk}");
        }
        let text = String::from_utf8_lossy(&expected.output);
        assert!(!text.contains(&pat) && !text.contains("hunter2"), "{text}");
    }

    #[test]
    fn overlapping_literals_extend_one_mask() {
        let literals = vec![
            Literal {
                name: "A".into(),
                value: b"abcdef".to_vec(),
            },
            Literal {
                name: "B".into(),
                value: b"defghi".to_vec(),
            },
        ];
        let out = mask_all(
            &Detector::builtin(),
            literals,
            MaskStyle::Stars,
            b"xabcdefghiy",
        )
        .unwrap();
        assert_eq!(out.output, b"x***y");
        assert_eq!(out.masked, 2);
    }

    #[test]
    fn the_buffer_never_grows_past_its_bound() {
        let detector = Detector::builtin();
        let mut masker =
            Masker::new(&detector, Vec::new(), MaskStyle::Labelled, small_window()).unwrap();
        let capacity = masker.buffer_capacity();
        let mut sink = CollectingSink::default();
        // One huge chunk: the masker must still work in steps.
        masker.feed(&vec![b'x'; 10_000], &mut sink).unwrap();
        masker.finish(&mut sink).unwrap();
        assert!(masker.peak_buffered() <= masker.buffer_bound());
        assert_eq!(masker.buffer_capacity(), capacity);
        assert_eq!(sink.output.len(), 10_000);
    }

    #[test]
    fn lines_are_counted_across_rounds() {
        let pat = classic_pat(3);
        let mut input = "line\n".repeat(40);
        input.push_str(&format!("here {pat}\n"));
        struct Lines(Vec<u64>);
        impl MaskSink for Lines {
            fn pass(&mut self, _: &[u8]) -> io::Result<()> {
                Ok(())
            }
            fn masked(&mut self, event: &MaskEvent<'_>) -> io::Result<()> {
                self.0.push(event.line);
                Ok(())
            }
        }
        let detector = Detector::builtin();
        let mut masker =
            Masker::new(&detector, Vec::new(), MaskStyle::Labelled, small_window()).unwrap();
        let mut sink = Lines(Vec::new());
        for piece in input.as_bytes().chunks(7) {
            masker.feed(piece, &mut sink).unwrap();
        }
        masker.finish(&mut sink).unwrap();
        assert_eq!(sink.0, [41]);
    }
}
