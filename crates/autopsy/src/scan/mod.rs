//! One pass over a log, in constant memory.
//!
//! The log is read in blocks of [`BLOCK`] bytes. Within a block, the rule
//! set's keyword automaton jumps from one line that holds a keyword to the
//! next; lines without one are only counted. A line with a keyword is
//! normalised ([`line`]) and tried against the patterns of the rules whose
//! keywords it holds; a line that a rule fires on becomes an *occurrence*
//! that collects a few lines of context after it (the only time lines are
//! visited one by one) and is then added to its *cause*: the rule plus the
//! failure's signature, so a retried command or a test reported twice is
//! one cause seen twice.
//!
//! Memory is bounded whatever the input: lines longer than [`MAX_LINE`]
//! are cut, at most [`MAX_CAUSES`] causes are kept (more are counted), at
//! most [`MAX_PENDING`] occurrences wait for their context, and only the
//! last [`TAIL_LINES`] lines of the previous block are kept for context
//! before a match.
//!
//! [`analyse`] is the plain entry point: bytes in, analysis out, for any
//! bytes whatsoever (fuzz targets call it).

pub mod line;

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::io::{self, Read};

use aho_corasick::Input;

use crate::redact::Redactor;
use crate::rules::compile::{Hits, RuleSet};
use crate::rules::{CauseSeverity, render_template};
use crate::signature;
use line::{Annotation, Normal};

/// Bytes read at a time.
pub const BLOCK: usize = 1024 * 1024;
/// Longest line matched; the rest of a longer line is ignored.
pub const MAX_LINE: usize = 64 * 1024;
/// Longest line shown in a report.
pub const DISPLAY_MAX: usize = 1000;
/// Causes kept per log (distinct rule and signature).
pub const MAX_CAUSES: usize = 500;
/// Causes kept per rule per log.
pub const MAX_CAUSES_PER_RULE: usize = 50;
/// Occurrences waiting for their following lines.
pub const MAX_PENDING: usize = 32;
/// Lines of the previous block kept for context before a match.
pub const TAIL_LINES: usize = 64;
/// Error-looking lines kept for an unclassified failure.
pub const ERROR_LINES: usize = 8;

/// How much context to keep.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Lines shown before a matched line.
    pub context_before: usize,
    /// Lines shown after a matched line.
    pub context_after: usize,
    /// The checkout root on the runner (`$GITHUB_WORKSPACE`), removed from
    /// the front of the failing code's paths.
    pub workspace: Option<String>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            context_before: 3,
            context_after: 3,
            workspace: None,
        }
    }
}

/// A line of a report: its number in the log and its (redacted) text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContextLine {
    pub line: u64,
    pub text: String,
}

/// One cause found in a log: a rule and a failure signature, with its
/// latest occurrence (the attempt that gave up, the final report of a test).
#[derive(Debug, Clone)]
pub struct Cause {
    /// Index of the rule in the rule set.
    pub rule: usize,
    /// Line of the occurrence reported (the latest).
    pub log_line: u64,
    /// Line of the first occurrence (ranking is by this).
    pub first_log_line: u64,
    pub occurrences: u64,
    /// The matched line as shown (normalised, redacted, `##[error]` kept).
    pub text: String,
    pub message: String,
    /// What identifies the failure across runs, before normalising.
    pub signature_text: String,
    pub captures: Vec<(String, String)>,
    /// The failing code, when the log names it.
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub before: Vec<ContextLine>,
    pub after: Vec<ContextLine>,
    /// The title of the step (`##[group]Run ...`) the line is in.
    pub step: Option<String>,
    /// The runner marked the line as an error (`##[error]`).
    pub marked: bool,
}

impl Cause {
    pub fn capture(&self, name: &str) -> Option<&str> {
        self.captures
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What one log says.
#[derive(Debug, Clone, Default)]
pub struct LogAnalysis {
    pub bytes: u64,
    pub lines: u64,
    /// `##[error]` / `::error` lines.
    pub error_markers: u64,
    /// Exit codes from `Process completed with exit code N`.
    pub exit_codes: Vec<i32>,
    /// Causes, ranked: priority, then first occurrence.
    pub causes: Vec<Cause>,
    /// Causes beyond the caps, counted only.
    pub unlisted: u64,
    /// The last error-looking lines (redacted).
    pub error_lines: Vec<ContextLine>,
    /// The last lines of the log (redacted).
    pub last_lines: Vec<ContextLine>,
}

impl LogAnalysis {
    /// The log shows a failure: the runner marked an error, or a rule of
    /// severity `error` fired.
    pub fn shows_failure(&self, set: &RuleSet) -> bool {
        self.error_markers > 0
            || self
                .causes
                .iter()
                .any(|c| set.rule(c.rule).severity == CauseSeverity::Error)
    }
}

struct Pending {
    cause: Cause,
    after_left: usize,
    location_left: u32,
    continued_left: u32,
    superseded: bool,
}

/// The streaming scanner of one log.
pub struct Scanner<'a> {
    set: &'a RuleSet,
    redactor: &'a Redactor,
    opts: &'a ScanOptions,
    /// Number of the last line taken (1-based; 0 before the first).
    line_no: u64,
    bytes: u64,
    hits: Hits,
    matched: Vec<usize>,
    /// The last lines of previous blocks, oldest first.
    tail: VecDeque<(u64, Vec<u8>)>,
    pending: VecDeque<Pending>,
    /// Superseded occurrences (`continued_by`) waiting for their rule's
    /// next match; added as causes if none comes.
    held: VecDeque<Pending>,
    index: HashMap<(usize, String), usize>,
    causes: Vec<Cause>,
    per_rule: HashMap<usize, usize>,
    unlisted: u64,
    error_markers: u64,
    exit_codes: Vec<i32>,
    error_lines: VecDeque<(u64, Vec<u8>)>,
    step: Option<String>,
    /// Inside a private-key block since this line: its lines are never
    /// shown (a key cut by the context window could not be recognised).
    key_since: Option<u64>,
    /// Key blocks that ended recently (first and last line): their lines
    /// may still be context before a later match.
    key_blocks: VecDeque<(u64, u64)>,
    /// Dropping the rest of an over-long line.
    skipping: bool,
    /// Per rule: inside its section.
    inside: Vec<bool>,
    /// The lines redacted last.
    recent: RefCell<VecDeque<Redacted>>,
}

/// One line as the redactor gave it back, kept because a line is often
/// shown several times in a row (matched, and context of the matches
/// around it).
#[derive(Debug)]
struct Redacted {
    line: u64,
    text: String,
    redacted: String,
}

/// Redacted lines remembered: a match and the context on both sides of it
/// ([`ScanOptions`] asks for 3 and 3 by default).
const RECENT: usize = 16;

impl std::fmt::Debug for Scanner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("line_no", &self.line_no)
            .field("bytes", &self.bytes)
            .field("causes", &self.causes.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Scanner<'a> {
    pub fn new(set: &'a RuleSet, redactor: &'a Redactor, opts: &'a ScanOptions) -> Self {
        Scanner {
            set,
            redactor,
            opts,
            line_no: 0,
            bytes: 0,
            hits: Hits::default(),
            matched: Vec::new(),
            tail: VecDeque::new(),
            pending: VecDeque::new(),
            held: VecDeque::new(),
            index: HashMap::new(),
            causes: Vec::new(),
            per_rule: HashMap::new(),
            unlisted: 0,
            error_markers: 0,
            exit_codes: Vec::new(),
            error_lines: VecDeque::new(),
            step: None,
            key_since: None,
            key_blocks: VecDeque::new(),
            skipping: false,
            inside: Vec::new(),
            recent: RefCell::new(VecDeque::with_capacity(RECENT)),
        }
    }

    /// Scan everything `reader` gives, reading [`BLOCK`] bytes at a time.
    pub fn read_all<R: Read>(mut self, mut reader: R) -> io::Result<LogAnalysis> {
        let mut buf = vec![0u8; BLOCK];
        let mut filled = 0;
        loop {
            let n = match reader.read(&mut buf[filled..]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                if filled > 0 && !self.skipping {
                    self.block(&buf[..filled]);
                }
                break;
            }
            self.bytes += n as u64;
            let mut start = 0;
            let end = filled + n;
            if self.skipping {
                // The rest of an over-long line: drop up to its newline.
                match memchr::memchr(b'\n', &buf[filled..end]) {
                    Some(i) => {
                        self.skipping = false;
                        start = filled + i + 1;
                    }
                    None => {
                        filled = 0;
                        continue;
                    }
                }
            }
            match memchr::memrchr(b'\n', &buf[start..end]) {
                Some(i) => {
                    let cut = start + i + 1;
                    self.block(&buf[start..cut]);
                    buf.copy_within(cut..end, 0);
                    filled = end - cut;
                }
                None => {
                    // No line end yet. Keep reading unless the line is
                    // longer than we match; then take its start as a line
                    // and drop the rest.
                    buf.copy_within(start..end, 0);
                    filled = end - start;
                    if filled >= MAX_LINE {
                        let head = buf[..MAX_LINE].to_vec();
                        self.block(&head);
                        self.skipping = true;
                        filled = 0;
                    }
                }
            }
        }
        Ok(self.finish())
    }

    /// Scan bytes held in memory (no copy).
    pub fn scan_slice(mut self, bytes: &[u8]) -> LogAnalysis {
        self.bytes = bytes.len() as u64;
        if !bytes.is_empty() {
            self.block(bytes);
        }
        self.finish()
    }

    /// A run of whole lines (the last may lack its `\n` at the end of the
    /// input, or be the start of an over-long line).
    fn block(&mut self, region: &[u8]) {
        let mut pos = 0;
        let len = region.len();
        while pos < len {
            if !self.pending.is_empty() {
                let end = memchr::memchr(b'\n', &region[pos..]).map_or(len, |i| pos + i);
                self.line_no += 1;
                let raw = &region[pos..end];
                self.feed_pending(raw);
                self.take_line(region, pos, end);
                pos = end + 1;
                continue;
            }
            let found = self.set.automaton().find(Input::new(region).span(pos..len));
            match found {
                None => {
                    self.line_no += count_lines(&region[pos..]);
                    pos = len;
                }
                Some(m) => {
                    let start = memchr::memrchr(b'\n', &region[pos..m.start()])
                        .map_or(pos, |i| pos + i + 1);
                    self.line_no += memchr::memchr_iter(b'\n', &region[pos..start]).count() as u64;
                    let end =
                        memchr::memchr(b'\n', &region[m.start()..]).map_or(len, |i| m.start() + i);
                    self.line_no += 1;
                    self.take_line(region, start, end);
                    pos = end + 1;
                }
            }
        }
        self.keep_tail(region);
    }

    /// Remember the last lines of `region` for the next block's context.
    fn keep_tail(&mut self, region: &[u8]) {
        let mut lines: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut end = region.len();
        if region.last() == Some(&b'\n') {
            end -= 1;
        }
        let mut number = self.line_no;
        while lines.len() < TAIL_LINES && number > 0 {
            let start = memchr::memrchr(b'\n', &region[..end]).map_or(0, |i| i + 1);
            let line = &region[start..end];
            lines.push((number, line[..line.len().min(MAX_LINE)].to_vec()));
            number -= 1;
            if start == 0 {
                break;
            }
            end = start - 1;
        }
        if lines.len() >= TAIL_LINES {
            self.tail.clear();
        }
        for line in lines.into_iter().rev() {
            self.tail.push_back(line);
        }
        while self.tail.len() > TAIL_LINES {
            self.tail.pop_front();
        }
    }

    /// Up to `want` lines before the line starting at `start`, nearest
    /// first, with their numbers.
    fn lines_before<'r>(
        &'r self,
        region: &'r [u8],
        start: usize,
        want: usize,
    ) -> Vec<(u64, &'r [u8])> {
        let mut out = Vec::with_capacity(want);
        let mut number = self.line_no;
        let mut end = start;
        while out.len() < want && end > 0 && number > 1 {
            // region[end - 1] is the '\n' ending the previous line.
            let line_end = end - 1;
            let line_start = memchr::memrchr(b'\n', &region[..line_end]).map_or(0, |i| i + 1);
            number -= 1;
            out.push((number, &region[line_start..line_end]));
            end = line_start;
        }
        if out.len() < want && end == 0 {
            for (n, text) in self.tail.iter().rev() {
                if out.len() >= want {
                    break;
                }
                if *n < number {
                    out.push((*n, text.as_slice()));
                }
            }
        }
        out
    }

    fn in_key_block(&self, line: u64) -> bool {
        self.key_since.is_some_and(|since| line > since)
            || self
                .key_blocks
                .iter()
                .any(|&(begin, end)| line > begin && line < end)
    }

    /// A line with a keyword or marker (or any line while occurrences wait
    /// for context).
    fn take_line(&mut self, region: &[u8], start: usize, end: usize) {
        let raw = &region[start..end];
        let raw = &raw[..raw.len().min(MAX_LINE)];
        let set = self.set;
        let mut hits = std::mem::take(&mut self.hits);
        set.hits(raw, &mut hits);
        let line_no = self.line_no;
        if hits.key_marker {
            if memchr::memmem::find(raw, b"-----BEGIN").is_some() {
                self.key_since = Some(line_no);
            } else if memchr::memmem::find(raw, b"-----END").is_some()
                && let Some(since) = self.key_since.take()
            {
                if self.key_blocks.len() >= 8 {
                    self.key_blocks.pop_front();
                }
                self.key_blocks.push_back((since, line_no));
            }
        }
        let interesting = hits.any_rule || hits.error_marker || hits.group || hits.error_look;
        if !interesting || self.in_key_block(line_no) {
            self.hits = hits;
            return;
        }
        let normal = line::normalise(raw);
        match normal.annotation {
            Annotation::Group => {
                // The step's title is log text like any other: redacted.
                let title = self.redacted(line_no, &normal.text);
                self.step = Some(line::truncate(title.trim().to_owned(), 200));
                self.hits = hits;
                return;
            }
            Annotation::EndGroup => {
                self.hits = hits;
                return;
            }
            Annotation::Error => {
                self.error_markers += 1;
                if let Some(code) = exit_code(&normal.text)
                    && self.exit_codes.len() < 64
                {
                    self.exit_codes.push(code);
                }
            }
            _ => {}
        }
        if hits.error_look || normal.annotation == Annotation::Error {
            if self.error_lines.len() >= ERROR_LINES {
                self.error_lines.pop_front();
            }
            self.error_lines
                .push_back((line_no, raw[..raw.len().min(DISPLAY_MAX * 2)].to_vec()));
        }
        if hits.any_rule {
            set.track_sections(&normal.text, &hits, &mut self.inside);
            let mut matched = std::mem::take(&mut self.matched);
            set.matching(
                &normal.text,
                normal.annotation,
                &hits,
                &self.inside,
                &mut matched,
            );
            // One line is one event: the rule that ranks highest explains it.
            if let Some(&best) = matched
                .iter()
                .max_by_key(|&&i| (set.rule(i).priority, std::cmp::Reverse(i)))
            {
                self.occurrence(best, &normal, region, start);
            }
            self.matched = matched;
        }
        self.hits = hits;
    }

    fn occurrence(&mut self, index: usize, normal: &Normal<'_>, region: &[u8], start: usize) {
        let rule = self.set.rule(index);
        let redacted = self.redacted(self.line_no, &normal.text);
        let prefix = if normal.annotation == Annotation::Error {
            "##[error]"
        } else {
            ""
        };
        let text = line::truncate(format!("{prefix}{redacted}"), DISPLAY_MAX);
        let mut captures = Vec::new();
        let mut matched_text = String::new();
        if let Some(caps) = rule.pattern.captures(&redacted) {
            matched_text = caps.get(0).map_or("", |m| m.as_str()).trim().to_owned();
            for name in rule.pattern.capture_names().flatten() {
                if let Some(m) = caps.name(name) {
                    let value = m.as_str().trim();
                    if !value.is_empty() {
                        captures.push((
                            name.to_owned(),
                            line::truncate(value.to_owned(), DISPLAY_MAX),
                        ));
                    }
                }
            }
        }
        let lookup = |name: &str| {
            captures
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v): &(String, String)| v.clone())
        };
        let message = match &rule.message {
            Some(template) if !captures.is_empty() => render_template(template, lookup),
            _ => String::new(),
        };
        let message = if message.is_empty() {
            line::truncate(redacted.trim().to_owned(), DISPLAY_MAX)
        } else {
            message
        };
        let signature_text = match &rule.signature {
            Some(template) if !captures.is_empty() => render_template(template, lookup),
            _ => String::new(),
        };
        // By default a failure is what the rule recognised (the matched
        // text), not the whole line: `FATAL: received SIGINT` and
        // `##[error]received SIGINT` are one cause.
        let signature_text = match (signature_text.is_empty(), matched_text.is_empty()) {
            (false, _) => signature_text,
            (true, false) => matched_text,
            (true, true) => message.clone(),
        };
        let mut cause = Cause {
            rule: index,
            log_line: self.line_no,
            first_log_line: self.line_no,
            occurrences: 1,
            text,
            message,
            signature_text,
            file: None,
            line: None,
            column: None,
            before: Vec::new(),
            after: Vec::new(),
            step: self.step.clone(),
            marked: normal.annotation == Annotation::Error,
            captures,
        };
        if let Some(file) = cause.capture("file").map(str::to_owned) {
            cause.line = cause.capture("line").and_then(|l| l.parse().ok());
            cause.column = cause.capture("column").and_then(|c| c.parse().ok());
            cause.file = Some(self.relative(&file));
        }
        let location_before = rule.location.as_ref().map_or(0, |l| l.before as usize);
        let want = self.opts.context_before.max(location_before);
        let before = self.lines_before(region, start, want);
        if cause.file.is_none()
            && let Some(spec) = &rule.location
        {
            for (number, raw) in before.iter().take(spec.before as usize) {
                if self.in_key_block(*number) {
                    continue;
                }
                // The location is read from the redacted line, as shown.
                let normal = line::normalise(raw);
                let text = self.redacted(*number, &normal.text);
                if let Some(found) = locate(&spec.pattern, &text) {
                    set_location(&mut cause, &found, self.opts.workspace.as_deref());
                    break;
                }
            }
        }
        let shown: Vec<(u64, &[u8])> = before
            .iter()
            .take(self.opts.context_before)
            .rev()
            .copied()
            .collect();
        cause.before = shown
            .into_iter()
            .map(|(n, raw)| self.context_line(n, raw))
            .collect();
        // A new match of a rule supersedes its held (continued) occurrences.
        self.held.retain(|p| p.cause.rule != index);
        let location_left = if cause.file.is_none() {
            rule.location.as_ref().map_or(0, |l| l.after)
        } else {
            0
        };
        let pending = Pending {
            cause,
            after_left: self.opts.context_after,
            location_left,
            continued_left: rule.continued_by.as_ref().map_or(0, |c| c.within),
            superseded: false,
        };
        if pending.after_left == 0 && pending.location_left == 0 && pending.continued_left == 0 {
            self.commit(pending.cause);
            return;
        }
        self.pending.push_back(pending);
        while self.pending.len() > MAX_PENDING {
            if let Some(oldest) = self.pending.pop_front() {
                self.settle(oldest);
            }
        }
    }

    fn context_line(&self, number: u64, raw: &[u8]) -> ContextLine {
        if self.in_key_block(number) {
            return ContextLine {
                line: number,
                text: "[not shown: inside a private key block]".to_owned(),
            };
        }
        let normal = line::normalise(raw);
        let prefix = if normal.annotation == Annotation::Error {
            "##[error]"
        } else {
            ""
        };
        ContextLine {
            line: number,
            text: line::truncate(
                format!("{prefix}{}", self.redacted(number, &normal.text)),
                DISPLAY_MAX,
            ),
        }
    }

    fn redacted(&self, number: u64, text: &str) -> String {
        redacted(self.redactor, &self.recent, number, text)
    }

    /// Give the line just taken to the occurrences waiting for context.
    fn feed_pending(&mut self, raw: &[u8]) {
        let raw = &raw[..raw.len().min(MAX_LINE)];
        let line_no = self.line_no;
        let hidden = self.in_key_block(line_no);
        let normal = line::normalise(raw);
        let mut shown: Option<ContextLine> = None;
        let set = self.set;
        let workspace = self.opts.workspace.clone();
        for pending in self.pending.iter_mut() {
            let rule = set.rule(pending.cause.rule);
            if pending.continued_left > 0 {
                pending.continued_left -= 1;
                if let Some(c) = &rule.continued_by
                    && c.pattern.is_match(&normal.text)
                {
                    pending.superseded = true;
                    pending.continued_left = 0;
                }
            }
            if pending.after_left > 0 {
                pending.after_left -= 1;
                let line = match &shown {
                    Some(line) => line.clone(),
                    None => {
                        let line = if hidden {
                            ContextLine {
                                line: line_no,
                                text: "[not shown: inside a private key block]".to_owned(),
                            }
                        } else {
                            let prefix = if normal.annotation == Annotation::Error {
                                "##[error]"
                            } else {
                                ""
                            };
                            ContextLine {
                                line: line_no,
                                text: line::truncate(
                                    format!(
                                        "{prefix}{}",
                                        redacted(
                                            self.redactor,
                                            &self.recent,
                                            line_no,
                                            &normal.text
                                        )
                                    ),
                                    DISPLAY_MAX,
                                ),
                            }
                        };
                        shown = Some(line.clone());
                        line
                    }
                };
                pending.cause.after.push(line);
            }
            if pending.location_left > 0 {
                pending.location_left -= 1;
                if !hidden
                    && let Some(spec) = &rule.location
                    && let Some(found) = locate(
                        &spec.pattern,
                        &redacted(self.redactor, &self.recent, line_no, &normal.text),
                    )
                {
                    set_location(&mut pending.cause, &found, workspace.as_deref());
                    pending.location_left = 0;
                }
            }
        }
        while let Some(front) = self.pending.front() {
            let done = front.superseded
                || (front.after_left == 0 && front.location_left == 0 && front.continued_left == 0);
            if !done {
                break;
            }
            if let Some(p) = self.pending.pop_front() {
                self.settle(p);
            }
        }
        // Later entries may be done before the front one (shorter waits).
        let mut i = 0;
        while i < self.pending.len() {
            let p = &self.pending[i];
            if p.superseded || (p.after_left == 0 && p.location_left == 0 && p.continued_left == 0)
            {
                if let Some(p) = self.pending.remove(i) {
                    self.settle(p);
                }
            } else {
                i += 1;
            }
        }
    }

    fn settle(&mut self, pending: Pending) {
        if pending.superseded {
            if self.held.len() >= MAX_PENDING
                && let Some(oldest) = self.held.pop_front()
            {
                self.commit(oldest.cause);
            }
            self.held.push_back(pending);
        } else {
            self.commit(pending.cause);
        }
    }

    fn commit(&mut self, cause: Cause) {
        let key = (cause.rule, signature::normalise(&cause.signature_text));
        if let Some(&at) = self.index.get(&key) {
            let group = &mut self.causes[at];
            let first = group.first_log_line.min(cause.first_log_line);
            let total = group.occurrences + 1;
            // The occurrence reported: the last one the runner marked as an
            // error, else the last one (the attempt that gave up, the final
            // report of a test).
            if cause.log_line >= group.log_line && (cause.marked || !group.marked) {
                *group = cause;
            }
            group.first_log_line = first;
            group.occurrences = total;
            return;
        }
        let per_rule = self.per_rule.entry(cause.rule).or_default();
        if self.causes.len() >= MAX_CAUSES || *per_rule >= MAX_CAUSES_PER_RULE {
            self.unlisted += 1;
            return;
        }
        *per_rule += 1;
        self.index.insert(key, self.causes.len());
        self.causes.push(cause);
    }

    fn relative(&self, path: &str) -> String {
        relative_path(path, self.opts.workspace.as_deref())
    }

    /// The end of the log: settle what waits, rank, redact across lines.
    pub fn finish(mut self) -> LogAnalysis {
        while let Some(p) = self.pending.pop_front() {
            if p.superseded {
                self.held.push_back(p);
            } else {
                self.commit(p.cause);
            }
        }
        while let Some(p) = self.held.pop_front() {
            self.commit(p.cause);
        }
        let set = self.set;
        let mut causes = std::mem::take(&mut self.causes);
        causes.sort_by_key(|c| {
            (
                std::cmp::Reverse(set.rule(c.rule).priority),
                c.first_log_line,
                c.log_line,
            )
        });
        // Secrets that span lines (a key, a multi-line value) are only
        // recognisable with the lines around them: redact each excerpt as a
        // block as well.
        for cause in &mut causes {
            let mut block: Vec<String> = cause.before.iter().map(|l| l.text.clone()).collect();
            block.push(cause.text.clone());
            block.extend(cause.after.iter().map(|l| l.text.clone()));
            let redacted = self.redactor.block(&block);
            let n = cause.before.len();
            for (line, text) in cause.before.iter_mut().zip(redacted.iter()) {
                line.text = text.clone();
            }
            if let Some(text) = redacted.get(n) {
                if *text != cause.text {
                    cause.message = self.redactor.line(&cause.message);
                }
                cause.text = text.clone();
            }
            for (line, text) in cause.after.iter_mut().zip(redacted.iter().skip(n + 1)) {
                line.text = text.clone();
            }
        }
        let error_lines = std::mem::take(&mut self.error_lines)
            .into_iter()
            .map(|(n, raw)| self.context_line(n, &raw))
            .collect();
        let last_lines = self
            .tail
            .iter()
            .rev()
            .filter(|(_, raw)| !line::normalise(raw).text.trim().is_empty())
            .take(5)
            .map(|(n, raw)| self.context_line(*n, raw))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        LogAnalysis {
            bytes: self.bytes,
            lines: self.line_no,
            error_markers: self.error_markers,
            exit_codes: self.exit_codes,
            causes,
            unlisted: self.unlisted,
            error_lines,
            last_lines,
        }
    }
}

/// Line `number`, `text`, redacted: what the redactor gives for it,
/// remembered for the next few lines (the same line and text give the
/// same output, so this only saves running the redactor again).
fn redacted(
    redactor: &Redactor,
    recent: &RefCell<VecDeque<Redacted>>,
    number: u64,
    text: &str,
) -> String {
    let mut recent = recent.borrow_mut();
    if let Some(hit) = recent.iter().find(|r| r.line == number && r.text == text) {
        return hit.redacted.clone();
    }
    let redacted = redactor.line(text);
    if recent.len() >= RECENT {
        recent.pop_front();
    }
    recent.push_back(Redacted {
        line: number,
        text: text.to_owned(),
        redacted: redacted.clone(),
    });
    redacted
}

/// Lines in a run of bytes: its newlines, plus a last line without one.
fn count_lines(bytes: &[u8]) -> u64 {
    let newlines = memchr::memchr_iter(b'\n', bytes).count() as u64;
    if bytes.last().is_some_and(|&b| b != b'\n') {
        newlines + 1
    } else {
        newlines
    }
}

/// `Process completed with exit code N.`
fn exit_code(text: &str) -> Option<i32> {
    let rest = text.split("exit code ").nth(1)?;
    let digits: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    digits.parse().ok()
}

struct Found {
    file: String,
    line: Option<u32>,
    column: Option<u32>,
}

fn locate(pattern: &regex::Regex, text: &str) -> Option<Found> {
    let caps = pattern.captures(text)?;
    let file = caps.name("file")?.as_str().trim();
    if file.is_empty() {
        return None;
    }
    Some(Found {
        file: file.to_owned(),
        line: caps.name("line").and_then(|m| m.as_str().parse().ok()),
        column: caps.name("column").and_then(|m| m.as_str().parse().ok()),
    })
}

fn set_location(cause: &mut Cause, found: &Found, workspace: Option<&str>) {
    cause.file = Some(relative_path(&found.file, workspace));
    cause.line = found.line;
    cause.column = found.column;
}

/// A path as the repository knows it: `/`-separated, without the runner's
/// checkout directory in front (`$GITHUB_WORKSPACE`, or the usual places:
/// `/home/runner/work/R/R/`, `/__w/R/R/`, `D:\a\R\R\`,
/// `...\actions-runner\_work\R\R\`). Anything else is kept as written.
pub fn relative_path(path: &str, workspace: Option<&str>) -> String {
    let path = path.trim().trim_matches(|c| c == '"' || c == '\'');
    let slashed = path.replace('\\', "/");
    if let Some(root) = workspace {
        let root = root.replace('\\', "/");
        let root = root.trim_end_matches('/');
        if !root.is_empty()
            && let Some(rest) = slashed.strip_prefix(root)
            && let Some(rest) = rest.strip_prefix('/')
        {
            return rest.to_owned();
        }
    }
    // <anything>/{work,_work,__w}/<repo>/<repo>/rest, or <drive>:/a/<repo>/<repo>/rest
    let parts: Vec<&str> = slashed.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let runner_root = matches!(*part, "work" | "_work" | "__w")
            || (*part == "a" && i == 1 && parts[0].len() == 2 && parts[0].ends_with(':'));
        if runner_root
            && i + 3 < parts.len()
            && !parts[i + 1].is_empty()
            && parts[i + 1] == parts[i + 2]
        {
            return parts[i + 3..].join("/");
        }
    }
    slashed.strip_prefix("./").unwrap_or(&slashed).to_owned()
}

/// Scan `bytes` with the built-in rules and default options: the plain
/// entry point for fuzzing and property tests. Never panics.
pub fn analyse(bytes: &[u8]) -> LogAnalysis {
    let Some((set, redactor)) = crate::defaults() else {
        return LogAnalysis::default();
    };
    let opts = ScanOptions::default();
    Scanner::new(set, redactor, &opts).scan_slice(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runner_paths_become_repository_paths() {
        for (path, expected) in [
            ("/__w/pytorch/pytorch/torch/csrc/x.cpp", "torch/csrc/x.cpp"),
            ("/home/runner/work/app/app/src/lib.rs", "src/lib.rs"),
            (
                r"C:\actions-runner\_work\pytorch\pytorch\third_party\a.h",
                "third_party/a.h",
            ),
            (r"D:\a\repo\repo\src\main.c", "src/main.c"),
            ("/opt/python/lib/site.py", "/opt/python/lib/site.py"),
            ("./tests/test_x.py", "tests/test_x.py"),
        ] {
            assert_eq!(relative_path(path, None), expected, "{path}");
        }
        assert_eq!(relative_path("/ws/src/a.rs", Some("/ws")), "src/a.rs");
        assert_eq!(relative_path("/wsx/a.rs", Some("/ws")), "/wsx/a.rs");
    }

    #[test]
    fn exit_codes_are_read_from_the_runner_line() {
        assert_eq!(
            exit_code("Process completed with exit code 137."),
            Some(137)
        );
        assert_eq!(exit_code("nothing"), None);
    }

    #[test]
    fn line_counts_include_a_last_line_without_newline() {
        assert_eq!(count_lines(b"a\nb"), 2);
        assert_eq!(count_lines(b"a\nb\n"), 2);
        assert_eq!(count_lines(b""), 0);
    }
}
