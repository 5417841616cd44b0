//! Every excerpt autopsy prints or sends goes through ci-intel-secrets'
//! redactor first ([`ci_intel_secrets::redact::masker`]: the same detectors
//! and masking as `ci-intel-secrets redact`), twice:
//!
//! - each line, whole, when it is taken (before it is cut for display, so a
//!   secret at the cut is still seen entire);
//! - each excerpt as a block (the matched line with its context), so a
//!   value that spans lines is recognised too. The block's lines are mapped
//!   back one to one; a line swallowed by a multi-line secret shows
//!   `[REDACTED]`.
//!
//! Lines inside a private-key block are never shown at all (the scanner
//! replaces them): a key cut by the context window would not be
//! recognisable.
//!
//! Most excerpts hold no secret at all. A text in which none of the
//! detectors' keywords occurs (nor in anything the detectors would decode
//! inside it: [`Detector::certainly_clean`]) and none of the literal values
//! occurs comes back as it is without setting up a masker: the output the
//! masker would give for it, since every detector runs only where one of
//! its keywords is. The unit tests check the two paths agree.

use std::io;

use aho_corasick::AhoCorasick;
use ci_intel_secrets::detect::Detector;
use ci_intel_secrets::redact::masker::{Literal, MaskEvent, MaskSink, MaskStyle, Masker, Window};

/// The detectors and the values of `--env-name` variables.
#[derive(Debug)]
pub struct Redactor {
    detector: Detector,
    literals: Vec<Literal>,
    /// The fast path's view of the literal values.
    fast: FastPath,
}

/// When a text may skip the masker.
#[derive(Debug)]
enum FastPath {
    /// No literal values: the detectors decide.
    Detectors,
    /// Literal values, found by this automaton.
    Literals(AhoCorasick),
    /// The literal values cannot be matched (the masker would fail on
    /// them too): every text takes the masker's path.
    Never,
}

impl Redactor {
    pub fn new(literals: Vec<Literal>) -> Redactor {
        // The values the masker matches: the distinct non-empty ones.
        let mut values: Vec<&[u8]> = Vec::new();
        for literal in &literals {
            if !literal.value.is_empty() && !values.contains(&literal.value.as_slice()) {
                values.push(&literal.value);
            }
        }
        let fast = if values.is_empty() {
            FastPath::Detectors
        } else {
            AhoCorasick::new(values).map_or(FastPath::Never, FastPath::Literals)
        };
        Redactor {
            detector: Detector::builtin(),
            literals,
            fast,
        }
    }

    /// `text` with every secret masked (`[REDACTED:<rule>:<fingerprint>]`).
    pub fn line(&self, text: &str) -> String {
        if self.certainly_clean(text) {
            return text.to_owned();
        }
        self.line_masked(text)
    }

    /// Each line of `lines`, masked as one text.
    pub fn block(&self, lines: &[String]) -> Vec<String> {
        let joined = lines.join("\n");
        if self.certainly_clean(&joined) {
            // What the masker gives back for a text it leaves alone.
            let mut out: Vec<String> = joined.split('\n').map(str::to_owned).collect();
            out.resize(lines.len(), String::new());
            return out;
        }
        self.block_masked(&joined, lines.len())
    }

    /// Nothing in `text` can be masked: no detector's keyword (nor one
    /// inside an encoded value) and no literal value is in it.
    pub fn certainly_clean(&self, text: &str) -> bool {
        let literals_absent = match &self.fast {
            FastPath::Detectors => true,
            FastPath::Literals(matcher) => !matcher.is_match(text),
            FastPath::Never => false,
        };
        literals_absent && self.detector.certainly_clean(text)
    }

    /// [`line`](Self::line) always through the masker.
    fn line_masked(&self, text: &str) -> String {
        let lines = self.block_bytes(text.as_bytes());
        lines.join("\n")
    }

    /// [`block`](Self::block) always through the masker.
    fn block_masked(&self, joined: &str, count: usize) -> Vec<String> {
        let mut out = self.block_bytes(joined.as_bytes());
        out.resize(count, String::new());
        out
    }

    fn block_bytes(&self, input: &[u8]) -> Vec<String> {
        let window = Window {
            max_secret_len: input.len(),
            context: 0,
            step: input.len().max(1),
        };
        let mut sink = LineSink::default();
        let masked = Masker::new(
            &self.detector,
            self.literals.clone(),
            MaskStyle::Labelled,
            window,
        )
        .and_then(|mut masker| {
            masker.feed(input, &mut sink)?;
            masker.finish(&mut sink)
        });
        match masked {
            Ok(()) => sink
                .lines
                .into_iter()
                .map(|l| String::from_utf8_lossy(&l).into_owned())
                .collect(),
            // The masker could not be set up (an unusable literal): show
            // nothing rather than something unmasked.
            Err(_) => vec!["[REDACTED: the redactor failed]".to_owned(); line_count(input)],
        }
    }
}

fn line_count(input: &[u8]) -> usize {
    input.iter().filter(|&&b| b == b'\n').count() + 1
}

/// Collects the masked output line by line, keeping input line numbers.
#[derive(Debug)]
struct LineSink {
    lines: Vec<Vec<u8>>,
}

impl Default for LineSink {
    fn default() -> Self {
        LineSink {
            lines: vec![Vec::new()],
        }
    }
}

impl LineSink {
    fn at(&mut self, index: usize) -> &mut Vec<u8> {
        while self.lines.len() <= index {
            self.lines.push(Vec::new());
        }
        &mut self.lines[index]
    }
}

impl MaskSink for LineSink {
    fn pass(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut parts = bytes.split(|&b| b == b'\n');
        if let Some(first) = parts.next() {
            let current = self.lines.len() - 1;
            self.at(current).extend_from_slice(first);
        }
        for part in parts {
            self.lines.push(part.to_vec());
        }
        Ok(())
    }

    fn masked(&mut self, event: &MaskEvent<'_>) -> io::Result<()> {
        let first = (event.line.max(1) - 1) as usize;
        let spanned = event.value.iter().filter(|&&b| b == b'\n').count();
        self.at(first).extend_from_slice(event.replacement);
        for index in first + 1..=first + spanned {
            let line = self.at(index);
            if line.is_empty() {
                line.extend_from_slice(b"[REDACTED]");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ci_intel_secrets::detect::synthetic::{self, fake};
    use proptest::prelude::*;

    #[test]
    fn tokens_are_masked_and_lines_keep_their_places() {
        let redactor = Redactor::new(Vec::new());
        let token = fake("ghp", "autopsy-unit").unwrap_or_default();
        let masked = redactor.line(&format!("curl -H 'Authorization: token {token}' failed"));
        assert!(!masked.contains(&token), "{masked}");
        // The token sits in a curl header: ci-intel-secrets' curl-auth-header
        // rule or the GitHub token rule names it; either way only the rule
        // and the fingerprint are left.
        assert!(
            masked.contains("[REDACTED:curl-auth-header:sha256:")
                || masked.contains("[REDACTED:github-pat-classic:sha256:"),
            "{masked}"
        );
        let key = fake("pem-rsa", "autopsy-unit").unwrap_or_default();
        let mut lines = vec!["before".to_owned()];
        lines.extend(key.lines().map(str::to_owned));
        lines.push("after".to_owned());
        let out = redactor.block(&lines);
        assert_eq!(out.len(), lines.len());
        assert_eq!(out[0], "before");
        assert_eq!(out[out.len() - 1], "after");
        let body = key.lines().nth(1).unwrap_or_default();
        assert!(out.iter().all(|l| !l.contains(body)), "{out:?}");
    }

    /// Pieces that make the detectors (or the literal matcher) look closer:
    /// every keyword of every rule, as written and upper-cased; a synthetic
    /// secret of every kind and rule, whole, cut short and after a keyword;
    /// and each of those encoded the ways the detectors decode (base64
    /// standard and URL-safe, hex, percent-encoding, and two layers).
    fn secretish_pieces() -> Vec<String> {
        let detector = Detector::builtin();
        let mut pieces: Vec<String> = Vec::new();
        for info in detector.rules() {
            for keyword in info.keywords {
                pieces.push((*keyword).to_owned());
                pieces.push(keyword.to_ascii_uppercase());
            }
        }
        let mut kinds: Vec<&str> = synthetic::KINDS.to_vec();
        kinds.extend(synthetic::rule_kinds());
        let mut secrets = Vec::new();
        for kind in kinds {
            if let Some(value) = fake(kind, "prefilter") {
                let cut = value.char_indices().nth(value.chars().count() / 2);
                if let Some((at, _)) = cut {
                    pieces.push(value[..at].to_owned());
                }
                secrets.push(value.clone());
                secrets.push(format!("token={value}"));
                secrets.push(format!("password: \"{value}\""));
            }
        }
        secrets.push("hunter2-but-longer".to_owned());
        for secret in secrets {
            let once = [
                base64(secret.as_bytes(), false),
                base64(secret.as_bytes(), true),
                hex(secret.as_bytes()),
                percent(secret.as_bytes()),
            ];
            pieces.push(base64(percent(secret.as_bytes()).as_bytes(), false));
            pieces.push(hex(base64(secret.as_bytes(), false).as_bytes()));
            pieces.extend(once);
            pieces.push(secret);
        }
        pieces
    }

    fn base64(bytes: &[u8], url: bool) -> String {
        let alphabet: &[u8] = if url {
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        } else {
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        };
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(char::from(alphabet[(n >> (18 - 6 * i) & 63) as usize]));
            }
            if !url {
                for _ in chunk.len()..3 {
                    out.push('=');
                }
            }
        }
        out
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn percent(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("%{b:02X}")).collect()
    }

    /// A log-ish line made of secret-looking pieces and ordinary text,
    /// possibly cut anywhere (a secret cut by the line's end).
    fn line_strategy(pieces: Vec<String>) -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            3 => proptest::sample::select(pieces),
            2 => "[ -~]{0,24}",
            1 => "[A-Za-z0-9+/=_-]{16,48}",
            1 => "(/[a-z_]{2,9}){1,5}\\.(py|rs|cpp):[0-9]{1,4}",
        ];
        let separator = proptest::sample::select(vec![" ", "", "=", ": ", "\"", "'", "/", "\t"]);
        (
            proptest::collection::vec((piece, separator), 1..6),
            any::<proptest::sample::Index>(),
            any::<bool>(),
        )
            .prop_map(|(parts, cut, whole)| {
                let line: String = parts.into_iter().map(|(p, s)| format!("{p}{s}")).collect();
                if whole || line.is_empty() {
                    return line;
                }
                let boundaries: Vec<usize> = line.char_indices().map(|(i, _)| i).collect();
                line[..boundaries[cut.index(boundaries.len())]].to_owned()
            })
    }

    fn literal_redactor() -> Redactor {
        Redactor::new(vec![
            Literal {
                name: "DEPLOY_PASSWORD".to_owned(),
                value: b"hunter2-but-longer".to_vec(),
            },
            Literal {
                name: "EMPTY".to_owned(),
                value: Vec::new(),
            },
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// The fast path never skips a line the masker would change: for
        /// lines built from every rule's keywords and secrets, plain and
        /// encoded, `line` and `block` give exactly what the masker gives.
        #[test]
        fn the_prefilter_never_skips_what_the_masker_would_change(
            lines in proptest::collection::vec(line_strategy(secretish_pieces()), 1..4)
        ) {
            for redactor in [Redactor::new(Vec::new()), literal_redactor()] {
                for line in &lines {
                    prop_assert_eq!(redactor.line(line), redactor.line_masked(line), "{}", line);
                }
                let joined = lines.join("\n");
                prop_assert_eq!(
                    redactor.block(&lines),
                    redactor.block_masked(&joined, lines.len()),
                    "{:?}", lines
                );
            }
        }
    }

    #[test]
    fn every_keyword_and_every_secret_takes_the_masker_path() {
        let redactor = Redactor::new(Vec::new());
        for piece in secretish_pieces() {
            if piece == "hunter2-but-longer" {
                continue;
            }
            // A keyword alone (or a cut secret) may mask nothing, but it
            // must never be waved through unexamined.
            let line = format!("step failed: {piece} (exit 1)");
            let whole_or_keyword =
                !redactor.certainly_clean(&line) || redactor.line_masked(&line) == line;
            assert!(whole_or_keyword, "{line}");
        }
        for info in Detector::builtin().rules() {
            for keyword in info.keywords {
                let line = format!("x {keyword} y");
                assert!(!redactor.certainly_clean(&line), "{}: {line}", info.id);
            }
        }
        let literal = literal_redactor();
        assert!(!literal.certainly_clean("login failed for hunter2-but-longer"));
        assert!(literal.certainly_clean("login failed for someone"));
    }

    #[test]
    fn ordinary_log_lines_take_the_fast_path() {
        let redactor = Redactor::new(Vec::new());
        for line in [
            "FAILED test/test_nn.py::TestNN::test_conv2d - AssertionError: 3 != 4",
            "  File \"/opt/conda/lib/python3.10/site-packages/torch/nn/modules/module.py\", line 1532, in _wrapped_call_impl",
            "##[error]Process completed with exit code 1.",
            "error[E0308]: mismatched types",
        ] {
            assert!(redactor.certainly_clean(line), "{line}");
            assert_eq!(redactor.line(line), line);
        }
    }

    #[test]
    fn literal_values_are_masked() {
        let redactor = Redactor::new(vec![Literal {
            name: "DEPLOY_PASSWORD".to_owned(),
            value: b"hunter2-but-longer".to_vec(),
        }]);
        let out = redactor.line("login failed for hunter2-but-longer");
        assert!(!out.contains("hunter2-but-longer"), "{out}");
    }
}
