//! The detectors shared by `scan`, `sweep` and `redact`.
//!
//! A [`Rule`] finds candidate secrets in a piece of text; a [`Detector`]
//! runs every rule and returns [`Hit`]s: byte ranges of secret *values* in
//! the text it was given. Callers never print `&text[hit.start..hit.end]`;
//! they pass it to [`crate::secret`].
//!
//! Speed comes from a keyword prefilter: every rule declares literal
//! keywords that any text holding its secret must contain (`ghp_`, `AKIA`,
//! `-----BEGIN`). One Aho-Corasick automaton over all rules' keywords scans
//! the text once; only the rules whose keywords occur run their regexes.

pub mod assign;
pub mod checksum;
pub mod decode;
pub mod entropy;
pub mod kit;
pub mod placeholder;
pub mod rules;
pub mod synthetic;

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use ci_intel_core::{Failure, Severity};

pub use decode::Encoding;

/// One secret found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The rule's id, e.g. `github-pat-classic`.
    pub rule: &'static str,
    /// Byte offset of the first byte of the secret value (for a secret
    /// found inside an encoded value, of the encoded value).
    pub start: usize,
    /// Byte offset one past the last byte of the secret value (or of the
    /// encoded value that holds it).
    pub end: usize,
    /// How many leading characters of the value are a public prefix that a
    /// preview may show (`ghp_` → 4).
    pub public_prefix: usize,
    /// How bad this hit is: the rule's default, or lower when the rule
    /// recognises a weaker case (a Stripe test-mode key, a password for a
    /// database on localhost, an encrypted private key).
    pub severity: Severity,
    /// The byte range (absolute, inside `start..end`) that must look random:
    /// the part judged against placeholders and the rule's entropy. `None`:
    /// the value after its public prefix.
    pub check: Option<(usize, usize)>,
    /// Set when the secret was found by decoding `start..end`: the decoded
    /// secret and the encodings peeled off, outermost first.
    pub decoded: Option<Box<Decoded>>,
}

/// A secret found inside an encoded value.
#[derive(Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The secret itself, decoded (never printed; fingerprinted).
    pub value: String,
    /// The encodings, outermost first (`base64`, then `url`...).
    pub encodings: Vec<Encoding>,
}

impl std::fmt::Debug for Decoded {
    // The value is a secret: debug output must not show it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoded")
            .field("value", &format_args!("[{} bytes]", self.value.len()))
            .field("encodings", &self.encodings)
            .finish()
    }
}

impl Hit {
    /// A hit at the rule's default severity.
    pub fn new(info: &RuleInfo, start: usize, end: usize, public_prefix: usize) -> Hit {
        Hit {
            rule: info.id,
            start,
            end,
            public_prefix,
            severity: info.severity,
            check: None,
            decoded: None,
        }
    }

    /// The same hit at another severity.
    pub fn with_severity(mut self, severity: Severity) -> Hit {
        self.severity = severity;
        self
    }

    /// The same hit, judging only `start..end` (absolute offsets inside the
    /// hit) for placeholders and entropy: the random part of a structured
    /// value.
    pub fn judging(mut self, start: usize, end: usize) -> Hit {
        self.check = Some((start, end));
        self
    }

    /// Length of the matched range in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True for an empty range (never produced by a built-in rule).
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The secret: the decoded value for a hit inside an encoded value,
    /// else `text[start..end]`. Never print it.
    pub fn value<'a>(&'a self, text: &'a str) -> &'a str {
        match &self.decoded {
            Some(decoded) => &decoded.value,
            None => text.get(self.start..self.end).unwrap_or(""),
        }
    }

    /// The encodings the secret was found under, outermost first (empty for
    /// a plain hit).
    pub fn encodings(&self) -> &[Encoding] {
        self.decoded.as_ref().map_or(&[], |d| &d.encodings)
    }

    fn shifted(mut self, by: usize) -> Hit {
        self.start += by;
        self.end += by;
        if let Some((s, e)) = self.check {
            self.check = Some((s + by, e + by));
        }
        self
    }
}

/// Which part of a text a rule needs to see around each of its keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The keyword's line, with `before` lines above and `after` below (long
    /// lines are cut a few kilobytes around the keyword). Most rules: their
    /// secret sits on the line of its prefix or name.
    Lines { before: u8, after: u8 },
    /// The whole text: the rule relates things far apart (a key id and its
    /// secret, a PEM block, a YAML document).
    Text,
}

impl Scope {
    /// The keyword's own line.
    pub const LINE: Scope = Scope::Lines {
        before: 0,
        after: 0,
    };
}

/// What a rule says about itself.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    pub id: &'static str,
    pub title: &'static str,
    /// The ids of the gitleaks rules this rule covers, so users can map
    /// their gitleaks allowlists (empty when gitleaks has none).
    pub gitleaks: &'static [&'static str],
    /// Literal, lower-case keywords; a text that contains none of them
    /// (case-insensitively) cannot hold this rule's secret, so the rule's
    /// regex is never run on it.
    pub keywords: &'static [&'static str],
    /// The severity of a typical hit.
    pub severity: Severity,
    /// The least Shannon entropy, in bits per character, of the random part
    /// of a hit ([`Hit::check`]); 0 when the format itself is proof enough
    /// (a checksum, a structure).
    pub min_entropy: f64,
    /// How much text around each keyword the rule reads.
    pub scope: Scope,
}

/// A detector for one kind of secret.
pub trait Rule: Send + Sync + std::fmt::Debug {
    fn info(&self) -> &RuleInfo;
    /// Push every secret in `text` onto `hits`.
    fn find(&self, text: &str, hits: &mut Vec<Hit>);
    /// A synthetic, valid-shaped value this rule finds (for fixtures and
    /// tests; see [`synthetic`]), or `None` when the rule has no generator
    /// of its own.
    fn synthetic(&self, _seed: &str, _variant: kit::Variant) -> Option<String> {
        None
    }
}

/// The longest secret value any built-in rule can match, in bytes. A
/// streaming reader that keeps this many bytes of overlap between windows
/// sees every secret whole. Rules bound their own matches (a PEM private key
/// whose END line is further than this from its BEGIN line is not matched);
/// [`Detector::find`] drops anything longer as a last guard.
pub const MAX_SECRET_LEN: usize = 16 * 1024;

/// How far before a keyword a line-scoped rule may look on a long line.
const WINDOW_BEFORE: usize = 1024;
/// How far after a keyword a line-scoped rule may look on a long line.
const WINDOW_AFTER: usize = 8 * 1024;

/// Every built-in rule, compiled once per process.
static BUILTIN: LazyLock<Vec<Box<dyn Rule>>> = LazyLock::new(rules::all);

/// Every built-in rule, most specific first.
pub fn builtin_rules() -> &'static [Box<dyn Rule>] {
    &BUILTIN
}

/// A set of rules run together behind one keyword automaton.
#[derive(Debug, Clone)]
pub struct Detector {
    rules: Vec<&'static dyn Rule>,
    /// Every distinct keyword of every rule, ASCII case-insensitive.
    keywords: AhoCorasick,
    /// For each keyword (by automaton pattern id), the rules it enables.
    keyword_rules: Vec<Vec<usize>>,
    /// Whether base64, hex and URL-encoded values are decoded and searched.
    decode: bool,
}

impl Detector {
    /// All built-in rules.
    pub fn builtin() -> Self {
        static DETECTOR: LazyLock<Detector> =
            LazyLock::new(|| Detector::from_rules(BUILTIN.iter().map(|r| r.as_ref()).collect()));
        DETECTOR.clone()
    }

    /// The built-in rules except `disabled` (rule ids). An unknown id is a
    /// usage error naming it, so a typo cannot silently keep a rule on.
    pub fn without(disabled: &[String]) -> Result<Self, Failure> {
        if disabled.is_empty() {
            return Ok(Self::builtin());
        }
        let all = builtin_rules();
        for id in disabled {
            if !all.iter().any(|r| r.info().id == id) {
                let known: Vec<&str> = all.iter().map(|r| r.info().id).collect();
                let hint = ci_intel_core::config::did_you_mean(id, known.iter().copied())
                    .map(|best| format!(" (did you mean `{best}`?)"))
                    .unwrap_or_default();
                return Err(Failure::usage(format!(
                    "secrets.disabled_rules: unknown rule `{id}`{hint}; known rules: {}",
                    known.join(", ")
                )));
            }
        }
        Ok(Self::from_rules(
            all.iter()
                .map(|r| r.as_ref())
                .filter(|r| !disabled.iter().any(|d| d == r.info().id))
                .collect(),
        ))
    }

    /// The same rules without decoding encoded values.
    pub fn without_decoding(mut self) -> Self {
        self.decode = false;
        self
    }

    fn from_rules(rules: Vec<&'static dyn Rule>) -> Self {
        let mut distinct: Vec<&'static str> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            for keyword in rule.info().keywords {
                match distinct
                    .iter()
                    .position(|k| k.eq_ignore_ascii_case(keyword))
                {
                    Some(at) => {
                        if !keyword_rules[at].contains(&index) {
                            keyword_rules[at].push(index);
                        }
                    }
                    None => {
                        distinct.push(keyword);
                        keyword_rules.push(vec![index]);
                    }
                }
            }
        }
        let keywords = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            // A full DFA (one lookup per byte; a few hundred KiB for the
            // built-in keywords): the default for this many keywords is an
            // NFA that follows failure transitions, about twice as slow.
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&distinct)
            .unwrap_or_else(|e| unreachable!("rule keywords are plain literals: {e}"));
        Detector {
            rules,
            keywords,
            keyword_rules,
            decode: true,
        }
    }

    /// Every rule's description.
    pub fn rules(&self) -> impl Iterator<Item = &RuleInfo> {
        self.rules.iter().map(|r| r.info())
    }

    /// Every secret in `text`, sorted by start offset; overlapping hits of
    /// different rules are all kept (a redactor masks their union; `scan`
    /// reports the most specific one). Secrets inside base64, hex or
    /// URL-encoded values are found too (see [`decode`]), as hits over the
    /// encoded value.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let mut hits = self.find_plain(text);
        if self.decode {
            let mut budget = decode::Budget::default();
            decode::find_encoded(self, text, &mut hits, 0, &mut budget);
        }
        hits.sort_by_key(|h| (h.start, h.end));
        hits.dedup_by(|a, b| {
            a.start == b.start && a.end == b.end && a.rule == b.rule && a.decoded == b.decoded
        });
        hits
    }

    /// Whether [`find`](Self::find) certainly finds nothing in `text`:
    /// none of the rules' keywords occurs in it, nor in any text that
    /// decoding would search inside it (every rule runs only where one of
    /// its keywords is). `false` means "maybe": call `find`. Much cheaper
    /// than `find` on ordinary text (one automaton pass, no rule runs), for
    /// callers that mask many short texts (ci-intel-autopsy's excerpts).
    pub fn certainly_clean(&self, text: &str) -> bool {
        self.clean_at(text, 0)
    }

    /// [`certainly_clean`](Self::certainly_clean) for a text found at
    /// decoding depth `depth`.
    pub(crate) fn clean_at(&self, text: &str, depth: usize) -> bool {
        !self.keywords.is_match(text) && (!self.decode || decode::encoded_clean(self, text, depth))
    }

    /// The hits in `text` itself, without decoding anything.
    pub(crate) fn find_plain(&self, text: &str) -> Vec<Hit> {
        let mut anchors: Vec<Vec<usize>> = vec![Vec::new(); self.rules.len()];
        for found in self.keywords.find_overlapping_iter(text) {
            for &rule in &self.keyword_rules[found.pattern().as_usize()] {
                anchors[rule].push(found.start());
            }
        }
        let mut hits = Vec::new();
        let mut found = Vec::new();
        for (rule, mut at) in self.rules.iter().zip(anchors) {
            if at.is_empty() {
                continue;
            }
            match rule.info().scope {
                Scope::Text => rule.find(text, &mut found),
                Scope::Lines { before, after } => {
                    at.sort_unstable();
                    for (start, end) in windows(text, &at, before, after) {
                        let mut local = Vec::new();
                        rule.find(&text[start..end], &mut local);
                        found.extend(local.into_iter().map(|h| h.shifted(start)));
                    }
                }
            }
            let info = rule.info();
            for hit in found.drain(..) {
                if acceptable(text, &hit, info) {
                    hits.push(hit);
                }
            }
        }
        hits
    }

    /// Like [`find`](Self::find), but where hits overlap only the one of the
    /// rule listed first (the most specific) is kept: a GitHub token
    /// assigned to `GH_TOKEN` is one `github-pat-classic` hit, not also a
    /// `generic-secret-assignment` hit. Sorted by start offset.
    pub fn find_preferred(&self, text: &str) -> Vec<Hit> {
        let rank = |hit: &Hit| {
            self.rules
                .iter()
                .position(|r| r.info().id == hit.rule)
                .unwrap_or(usize::MAX)
        };
        let mut hits = self.find(text);
        // Plain hits before decoded ones; among them the most specific rule.
        hits.sort_by_key(|h| (h.decoded.is_some(), rank(h), h.start, h.end));
        let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
        for hit in hits {
            if !kept.iter().any(|k| k.start < hit.end && hit.start < k.end) {
                kept.push(hit);
            }
        }
        kept.sort_by_key(|h| (h.start, h.end));
        kept
    }
}

/// Whether a rule's hit is in bounds and its random part looks random: not a
/// placeholder, not a documented dummy value, and at least as varied as the
/// rule asks. The one place every rule's hits pass, so no rule can forget.
fn acceptable(text: &str, hit: &Hit, info: &RuleInfo) -> bool {
    // A rule bug must not hand callers a range they cannot slice.
    if !(hit.start < hit.end
        && hit.end <= text.len()
        && hit.len() <= MAX_SECRET_LEN
        && text.is_char_boundary(hit.start)
        && text.is_char_boundary(hit.end))
    {
        return false;
    }
    let value = &text[hit.start..hit.end];
    let (from, to) = hit.check.unwrap_or_else(|| {
        let prefix = value
            .char_indices()
            .nth(hit.public_prefix)
            .map_or(value.len(), |(i, _)| i);
        (hit.start + prefix, hit.end)
    });
    let Some(random) = text
        .get(from..to)
        .filter(|_| hit.start <= from && to <= hit.end)
    else {
        return false;
    };
    !placeholder::is_placeholder(random)
        && !placeholder::is_documented_dummy(value)
        && (info.min_entropy <= 0.0 || entropy::shannon(random) >= info.min_entropy)
}

/// The merged line windows around sorted keyword offsets `at`.
fn windows(text: &str, at: &[usize], before: u8, after: u8) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for &pos in at {
        let (start, end) = window(bytes, pos, before, after);
        let (start, end) = (snap_down(text, start), snap_up(text, end));
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// `[start, end)` of the lines around `pos`, cut on long lines.
fn window(bytes: &[u8], pos: usize, before: u8, after: u8) -> (usize, usize) {
    let mut start = pos;
    for _ in 0..=before {
        start = memchr::memrchr(b'\n', &bytes[..start.min(bytes.len())]).map_or(0, |i| i);
        if start == 0 {
            break;
        }
    }
    // `start` is at a newline (or 0): the window starts after it.
    if start > 0 || bytes.first() == Some(&b'\n') {
        start += 1;
    }
    let start = start.max(pos.saturating_sub(WINDOW_BEFORE)).min(pos);
    let mut end = pos;
    for _ in 0..=after {
        end = match memchr::memchr(b'\n', &bytes[end.min(bytes.len())..]) {
            Some(i) => end + i + 1,
            None => bytes.len(),
        };
        if end >= bytes.len() {
            break;
        }
    }
    let end = end.min(pos.saturating_add(WINDOW_AFTER)).min(bytes.len());
    (start, end)
}

fn snap_down(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn snap_up(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at.min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_every_rule_has_keywords() {
        let detector = Detector::builtin();
        let mut ids: Vec<&str> = detector.rules().map(|r| r.id).collect();
        for info in detector.rules() {
            assert!(!info.keywords.is_empty(), "{} has no keyword", info.id);
            for k in info.keywords {
                assert_eq!(*k, k.to_ascii_lowercase(), "{}: keyword {k}", info.id);
            }
        }
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count);
    }

    #[test]
    fn unknown_disabled_rules_are_usage_errors() {
        let err = Detector::without(&["github-pat-clasic".to_owned()]).unwrap_err();
        assert_eq!(err.code, ci_intel_core::ExitCode::Usage);
        assert!(
            err.message.contains("github-pat-classic"),
            "{}",
            err.message
        );
        let fewer = Detector::without(&["jwt".to_owned()]).unwrap();
        assert!(fewer.rules().all(|r| r.id != "jwt"));
    }

    #[test]
    fn overlapping_hits_keep_the_most_specific_rule() {
        let token = synthetic::fake("ghp", "x").unwrap();
        let text = format!("GH_TOKEN={token}\n");
        let all: Vec<&str> = Detector::builtin()
            .find(&text)
            .iter()
            .map(|h| h.rule)
            .collect();
        assert!(all.contains(&"github-pat-classic"), "{all:?}");
        let preferred = Detector::builtin().find_preferred(&text);
        assert_eq!(preferred.len(), 1, "{preferred:?}");
        assert_eq!(preferred[0].rule, "github-pat-classic");
    }

    #[test]
    fn text_without_keywords_runs_no_rule() {
        assert!(Detector::builtin().find("nothing to see here").is_empty());
    }

    /// `certainly_clean` never says "clean" where `find` finds a secret:
    /// every synthetic kind, plain and inside each encoding.
    #[test]
    fn certainly_clean_never_hides_a_hit() {
        let detector = Detector::builtin();
        let mut kinds: Vec<&str> = synthetic::KINDS.to_vec();
        kinds.extend(synthetic::rule_kinds());
        let mut found = 0;
        for kind in kinds {
            let Some(value) = synthetic::fake(kind, "clean") else {
                continue;
            };
            let hex: String = value.bytes().map(|b| format!("{b:02x}")).collect();
            let url: String = value.bytes().map(|b| format!("%{b:02X}")).collect();
            for text in [
                format!("x {value} y"),
                format!("export TOKEN={value}"),
                format!("blob {} end", decode::base64_url(&value)),
                format!("blob {hex} end"),
                format!("q={url}"),
                format!("deep {}", decode::base64_url(&url)),
            ] {
                if !detector.find(&text).is_empty() {
                    found += 1;
                    assert!(!detector.certainly_clean(&text), "{kind}: {text}");
                }
            }
        }
        assert!(found > 100, "only {found} texts held a secret");
        assert!(detector.certainly_clean("nothing to see here"));
        assert!(detector.certainly_clean(
            "FAILED test/test_nn.py::TestNN::test_conv2d - AssertionError: 3 != 4"
        ));
    }
}
