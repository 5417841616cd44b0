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

pub mod checksum;
pub mod entropy;
pub mod rules;
pub mod synthetic;

use aho_corasick::AhoCorasick;
use ci_intel_core::{Failure, Severity};

/// One secret found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The rule's id, e.g. `github-pat-classic`.
    pub rule: &'static str,
    /// Byte offset of the first byte of the secret value.
    pub start: usize,
    /// Byte offset one past the last byte of the secret value.
    pub end: usize,
    /// How many leading characters of the value are a public prefix that a
    /// preview may show (`ghp_` → 4).
    pub public_prefix: usize,
    /// How bad this hit is: the rule's default, or lower when the rule
    /// recognises a weaker case (a Stripe test-mode key, a password for a
    /// database on localhost, an encrypted private key).
    pub severity: Severity,
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
        }
    }

    /// The same hit at another severity.
    pub fn with_severity(mut self, severity: Severity) -> Hit {
        self.severity = severity;
        self
    }

    /// Length of the secret value in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True for an empty range (never produced by a built-in rule).
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// What a rule says about itself.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    pub id: &'static str,
    pub title: &'static str,
    /// Literal, lower-case keywords; a text that contains none of them
    /// (case-insensitively) cannot hold this rule's secret, so the rule's
    /// regex is never run on it.
    pub keywords: &'static [&'static str],
    /// The severity of a typical hit.
    pub severity: Severity,
}

/// A detector for one kind of secret.
pub trait Rule: Send + Sync + std::fmt::Debug {
    fn info(&self) -> &RuleInfo;
    /// Push every secret in `text` onto `hits`.
    fn find(&self, text: &str, hits: &mut Vec<Hit>);
}

/// The longest secret value any built-in rule can match, in bytes. A
/// streaming reader that keeps this many bytes of overlap between windows
/// sees every secret whole. Rules bound their own matches (a PEM private key
/// whose END line is further than this from its BEGIN line is not matched);
/// [`Detector::find`] drops anything longer as a last guard.
pub const MAX_SECRET_LEN: usize = 16 * 1024;

/// A set of rules run together behind one keyword automaton.
#[derive(Debug)]
pub struct Detector {
    rules: Vec<Box<dyn Rule>>,
    /// Every distinct keyword of every rule, ASCII case-insensitive.
    keywords: AhoCorasick,
    /// For each keyword (by automaton pattern id), the rules it enables.
    keyword_rules: Vec<Vec<usize>>,
}

impl Detector {
    /// All built-in rules.
    pub fn builtin() -> Self {
        Self::from_rules(rules::all())
    }

    /// The built-in rules except `disabled` (rule ids). An unknown id is a
    /// usage error naming it, so a typo cannot silently keep a rule on.
    pub fn without(disabled: &[String]) -> Result<Self, Failure> {
        let all = rules::all();
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
            all.into_iter()
                .filter(|r| !disabled.iter().any(|d| d == r.info().id))
                .collect(),
        ))
    }

    fn from_rules(rules: Vec<Box<dyn Rule>>) -> Self {
        let mut distinct: Vec<&'static str> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            for keyword in rule.info().keywords {
                match distinct
                    .iter()
                    .position(|k| k.eq_ignore_ascii_case(keyword))
                {
                    Some(at) => keyword_rules[at].push(index),
                    None => {
                        distinct.push(keyword);
                        keyword_rules.push(vec![index]);
                    }
                }
            }
        }
        let keywords = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&distinct)
            .unwrap_or_else(|e| unreachable!("rule keywords are plain literals: {e}"));
        Detector {
            rules,
            keywords,
            keyword_rules,
        }
    }

    /// Every rule's description.
    pub fn rules(&self) -> impl Iterator<Item = &RuleInfo> {
        self.rules.iter().map(|r| r.info())
    }

    /// Every secret in `text`, sorted by start offset; overlapping hits of
    /// different rules are all kept (a redactor masks their union; `scan`
    /// reports the most specific one).
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let mut enabled = vec![false; self.rules.len()];
        let mut pending = self.rules.len();
        for found in self.keywords.find_overlapping_iter(text) {
            for &rule in &self.keyword_rules[found.pattern().as_usize()] {
                if !enabled[rule] {
                    enabled[rule] = true;
                    pending -= 1;
                }
            }
            if pending == 0 {
                break;
            }
        }
        let mut hits = Vec::new();
        for (rule, on) in self.rules.iter().zip(enabled) {
            if on {
                rule.find(text, &mut hits);
            }
        }
        // A rule bug must not hand callers a range they cannot slice.
        hits.retain(|h| {
            h.start < h.end
                && h.len() <= MAX_SECRET_LEN
                && text.is_char_boundary(h.start)
                && text.is_char_boundary(h.end)
        });
        hits.sort_by_key(|h| (h.start, h.end));
        hits.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.rule == b.rule);
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
        hits.sort_by_key(|h| (rank(h), h.start, h.end));
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
}
