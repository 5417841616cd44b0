//! The compiled rule set: one Aho-Corasick automaton (a full DFA) over
//! every rule's keywords, the literal prefilter, in front of the rules'
//! patterns.
//!
//! A log line is looked at only when the automaton finds a keyword in it;
//! then only the patterns of the rules whose keywords it found are tried,
//! and a rule fires when its pattern matches and its `exclude` pattern does
//! not. The same automaton also finds the few things the scanner tracks
//! besides rules (runner `##[error]` and `##[group]` lines, private-key
//! blocks, error-looking words for the report of an unclassified failure),
//! so a line without any of them costs one automaton step per byte and
//! nothing else.
//!
//! One `RegexSet` of every pattern, asked which patterns match each keyword
//! line, cost more than everything else together (docs/benchmarks.md): it
//! reads the whole line for all 76 built-in patterns at once, its lazy DFA
//! kept building states, and it often fell back to the much slower PikeVM
//! (the lazy DFA gives up on non-ASCII text when a pattern has a Unicode
//! `\b`, and when its cache thrashes). A keyword line names a handful of
//! rules; each of their patterns has its own small DFA and literal
//! prefilter, and stops at its first match.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::Rule;
use crate::scan::line::{self, Annotation};

/// Keyword text (all keywords' bytes together) up to which the keyword
/// automaton is a full DFA: the built-in pack has about 3 KiB.
const MAX_DFA_KEYWORD_BYTES: usize = 16 * 1024;

/// What a non-rule pattern of the automaton stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// `##[error]` or `::error`: the runner (or a tool) marks the line as an error.
    ErrorMarker,
    /// `##[group]`, `::group::`: a step or section title.
    Group,
    /// `PRIVATE KEY-----`, `PRIVATE KEY BLOCK-----`: a key block starts or ends.
    KeyMarker,
    /// A word that makes a line worth showing when no rule explains a failure.
    ErrorLook,
}

/// Words that make a line "error-looking" for an unclassified failure.
pub const ERROR_LOOK_WORDS: &[&str] = &[
    "error",
    "fail",
    "fatal",
    "exception",
    "panic",
    "abort",
    "denied",
    "killed",
    "timed out",
    "traceback",
    "cannot",
    "could not",
    "unable to",
    "not found",
];

#[derive(Debug, Clone)]
enum PatternKind {
    /// A keyword: the rules (indexes) that list it.
    Keyword(Vec<usize>),
    Special(Special),
}

/// What the automaton found in one line.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    /// Bit `i` set: rule `i` has a keyword in the line.
    pub rules: Vec<u64>,
    pub any_rule: bool,
    pub error_marker: bool,
    pub group: bool,
    pub key_marker: bool,
    pub error_look: bool,
}

impl Hits {
    pub fn has_rule(&self, index: usize) -> bool {
        self.rules
            .get(index / 64)
            .is_some_and(|word| word & (1u64 << (index % 64)) != 0)
    }
}

/// The rules, compiled for one pass over a log.
#[derive(Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    automaton: AhoCorasick,
    kinds: Vec<PatternKind>,
    words: usize,
}

impl RuleSet {
    /// Compile `rules`. Patterns were checked when the rules were loaded,
    /// so this fails only when the set as a whole is too big.
    pub fn new(rules: Vec<Rule>) -> Result<RuleSet, String> {
        let mut keywords: Vec<(String, PatternKind)> = Vec::new();
        let mut by_word: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
        for (index, rule) in rules.iter().enumerate() {
            let section_words = rule.section.iter().flat_map(|s| s.keywords.iter());
            for word in rule.keywords.iter().chain(section_words) {
                let word = word.trim().to_ascii_lowercase();
                if !word.is_empty() {
                    let list = by_word.entry(word).or_default();
                    if !list.contains(&index) {
                        list.push(index);
                    }
                }
            }
        }
        for (word, list) in by_word {
            keywords.push((word, PatternKind::Keyword(list)));
        }
        for (word, special) in [
            ("##[error]", Special::ErrorMarker),
            ("::error", Special::ErrorMarker),
            ("##[group]", Special::Group),
            ("::group::", Special::Group),
            ("private key-----", Special::KeyMarker),
            ("private key block-----", Special::KeyMarker),
        ]
        .into_iter()
        .chain(ERROR_LOOK_WORDS.iter().map(|w| (*w, Special::ErrorLook)))
        {
            keywords.push((word.to_owned(), PatternKind::Special(special)));
        }
        // A full DFA: one table lookup per byte, where the default (a
        // contiguous NFA for this many keywords) follows failure
        // transitions; a few hundred KiB for the built-in pack. Its size
        // grows with the keywords' length, so a repository that adds very
        // many keywords gets the builder's choice instead.
        let keyword_bytes: usize = keywords.iter().map(|(w, _)| w.len()).sum();
        let kind = (keyword_bytes <= MAX_DFA_KEYWORD_BYTES).then_some(AhoCorasickKind::DFA);
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(kind)
            .build(keywords.iter().map(|(w, _)| w.as_bytes()))
            .map_err(|e| format!("cannot build the keyword automaton: {e}"))?;
        let words = rules.len().div_ceil(64).max(1);
        Ok(RuleSet {
            rules,
            automaton,
            kinds: keywords.into_iter().map(|(_, k)| k).collect(),
            words,
        })
    }

    /// A set of one rule (for a rule's examples). A rule that loaded has a
    /// compiling pattern, so this fails only on a size limit.
    pub fn single(rule: &Rule) -> Result<RuleSet, String> {
        RuleSet::new(vec![rule.clone()])
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rule(&self, index: usize) -> &Rule {
        &self.rules[index]
    }

    /// The prefilter, for the scanner's fast path over whole buffers.
    pub fn automaton(&self) -> &AhoCorasick {
        &self.automaton
    }

    /// Everything the automaton finds in a raw line.
    pub fn hits(&self, raw: &[u8], hits: &mut Hits) {
        hits.rules.clear();
        hits.rules.resize(self.words, 0);
        hits.any_rule = false;
        hits.error_marker = false;
        hits.group = false;
        hits.key_marker = false;
        hits.error_look = false;
        for found in self.automaton.find_overlapping_iter(raw) {
            match &self.kinds[found.pattern().as_usize()] {
                PatternKind::Keyword(list) => {
                    for &index in list {
                        hits.rules[index / 64] |= 1u64 << (index % 64);
                    }
                    hits.any_rule = true;
                }
                PatternKind::Special(Special::ErrorMarker) => hits.error_marker = true,
                PatternKind::Special(Special::Group) => hits.group = true,
                PatternKind::Special(Special::KeyMarker) => hits.key_marker = true,
                PatternKind::Special(Special::ErrorLook) => hits.error_look = true,
            }
        }
    }

    /// Rules whose section starts or ends on this line change state:
    /// `inside[i]` tells whether rule `i` is inside its section.
    pub fn track_sections(&self, text: &str, hits: &Hits, inside: &mut Vec<bool>) {
        inside.resize(self.rules.len(), false);
        for (index, rule) in self.rules.iter().enumerate() {
            if let Some(section) = &rule.section
                && hits.has_rule(index)
            {
                if section.start.is_match(text) {
                    inside[index] = true;
                } else if section.end.is_match(text) {
                    inside[index] = false;
                }
            }
        }
    }

    /// The rules that fire on `text` (a normalised line whose annotation
    /// is `annotation`) among those whose keywords `hits` found, in rule
    /// order. Shell trace lines (`+ cmd`, `++ cmd`: a command about to run,
    /// not its output) never fire.
    pub fn matching(
        &self,
        text: &str,
        annotation: Annotation,
        hits: &Hits,
        inside: &[bool],
        out: &mut Vec<usize>,
    ) {
        out.clear();
        if !hits.any_rule || line::is_shell_trace(text) {
            return;
        }
        let marked = annotation == Annotation::Error;
        // Only the rules whose keywords are in the line, in rule order: a
        // line with `error` in it tries the handful of rules that list
        // `error`, not every pattern of the pack.
        for (word_index, &word) in hits.rules.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let index = word_index * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let Some(rule) = self.rules.get(index) else {
                    continue;
                };
                if (marked || !rule.error_marker)
                    && (rule.section.is_none() || inside.get(index).copied().unwrap_or(false))
                    && rule.pattern.is_match(text)
                    && !rule.exclude.as_ref().is_some_and(|re| re.is_match(text))
                {
                    out.push(index);
                }
            }
        }
    }

    /// The first rule that fires on one raw line (rule examples, tests),
    /// normalised as the scanner does.
    pub fn first_match(&self, raw: &str) -> Option<usize> {
        let normal = line::normalise(raw.as_bytes());
        if matches!(normal.annotation, Annotation::Group | Annotation::EndGroup) {
            return None;
        }
        let mut hits = Hits::default();
        self.hits(raw.as_bytes(), &mut hits);
        let mut found = Vec::new();
        // One line cannot open a section and fire in it: examples of a
        // sectioned rule are judged as if inside the section.
        let inside = vec![true; self.rules.len()];
        self.matching(&normal.text, normal.annotation, &hits, &inside, &mut found);
        found.first().copied()
    }
}
