//! The detectors shared by `scan`, `sweep` and `redact`.
//!
//! A [`Rule`] finds candidate secrets in a piece of text; a [`Detector`]
//! runs every rule and returns [`Hit`]s: byte ranges of secret *values* in
//! the text it was given. Callers never print `&text[hit.start..hit.end]`;
//! they pass it to [`crate::secret`].

pub mod rules;

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
}

/// A detector for one kind of secret.
pub trait Rule: Send + Sync + std::fmt::Debug {
    fn info(&self) -> &RuleInfo;
    /// Push every secret in `text` onto `hits`.
    fn find(&self, text: &str, hits: &mut Vec<Hit>);
}

/// The longest secret value any built-in rule can match, in bytes. A
/// streaming reader that keeps this many bytes of overlap between windows
/// sees every secret whole.
pub const MAX_SECRET_LEN: usize = 16 * 1024;

/// Every built-in rule, run together.
#[derive(Debug)]
pub struct Detector {
    rules: Vec<Box<dyn Rule>>,
}

impl Detector {
    /// All built-in rules.
    pub fn builtin() -> Self {
        Detector {
            rules: rules::all(),
        }
    }

    /// Every rule's description.
    pub fn rules(&self) -> impl Iterator<Item = &RuleInfo> {
        self.rules.iter().map(|r| r.info())
    }

    /// Every secret in `text`, sorted by start offset; overlapping hits of
    /// different rules are all kept.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let lower = text.to_ascii_lowercase();
        let mut hits = Vec::new();
        for rule in &self.rules {
            if rule.info().keywords.iter().any(|k| lower.contains(k)) {
                rule.find(text, &mut hits);
            }
        }
        hits.sort_by_key(|h| (h.start, h.end));
        hits
    }
}
