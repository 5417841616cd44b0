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

use std::io;

use ci_intel_secrets::detect::Detector;
use ci_intel_secrets::redact::masker::{Literal, MaskEvent, MaskSink, MaskStyle, Masker, Window};

/// The detectors and the values of `--env-name` variables.
#[derive(Debug)]
pub struct Redactor {
    detector: Detector,
    literals: Vec<Literal>,
}

impl Redactor {
    pub fn new(literals: Vec<Literal>) -> Redactor {
        Redactor {
            detector: Detector::builtin(),
            literals,
        }
    }

    /// `text` with every secret masked (`[REDACTED:<rule>:<fingerprint>]`).
    pub fn line(&self, text: &str) -> String {
        let lines = self.block_bytes(text.as_bytes());
        lines.join("\n")
    }

    /// Each line of `lines`, masked as one text.
    pub fn block(&self, lines: &[String]) -> Vec<String> {
        let joined = lines.join("\n");
        let mut out = self.block_bytes(joined.as_bytes());
        out.resize(lines.len(), String::new());
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
    use ci_intel_secrets::detect::synthetic::fake;

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
