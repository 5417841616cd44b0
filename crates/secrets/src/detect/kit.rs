//! The two shapes most provider rules take, so that a rule file is its
//! documentation plus a declaration:
//!
//! - [`TokenSpec`]: a value recognisable on its own, by a documented
//!   prefix and shape (`dop_v1_` and 64 hex digits), optionally with a
//!   checksum to verify and provider words that must be near it (for shapes
//!   too plain to stand alone, such as Twilio's `SK` and 32 hex digits);
//! - [`KeyedSpec`]: a value whose shape alone says little (32 lower-case
//!   alphanumerics), recognised because it is assigned to a name that
//!   contains the provider's name (`ALGOLIA_API_KEY=...`), read by the
//!   shared [`assign`](super::assign) parser.
//!
//! Both declare how to make a synthetic value ([`Part`]s), so fixtures hold
//! templates, never token-shaped strings.

use aho_corasick::AhoCorasick;
use regex::Regex;

use super::assign;
use super::synthetic::filler;
use super::{Hit, Rule, RuleInfo};

/// `0-9a-f`.
pub const HEX: &str = "0123456789abcdef";
/// `0-9A-F`.
pub const HEX_UPPER: &str = "0123456789ABCDEF";
/// `0-9`.
pub const DIGITS: &str = "0123456789";
/// `0-9a-z`.
pub const LOWER_ALNUM: &str = "0123456789abcdefghijklmnopqrstuvwxyz";
/// `0-9A-Z`.
pub const UPPER_ALNUM: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// `a-z`.
pub const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
/// `a-zA-Z`.
pub const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// `0-9A-Za-z`.
pub const BASE62: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// `A-Za-z0-9+/`.
pub const BASE64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/// `A-Za-z0-9-_`.
pub const BASE64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// RFC 4648 base32 `A-Z2-7`.
pub const BASE32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// Bech32's data characters (BIP 173), upper case.
pub const BECH32: &str = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";

/// Letters of both cases occur (`hf_` tokens are random letters; words in
/// one case are identifiers).
pub fn mixed_case_letters(value: &str) -> bool {
    value.bytes().any(|b| b.is_ascii_uppercase()) && value.bytes().any(|b| b.is_ascii_lowercase())
}

/// Letters and digits both occur.
pub fn letters_and_digits(value: &str) -> bool {
    value.bytes().any(|b| b.is_ascii_alphabetic()) && value.bytes().any(|b| b.is_ascii_digit())
}

/// One piece of a synthetic value.
#[derive(Debug, Clone, Copy)]
pub enum Part {
    /// Literal text (a prefix, a separator).
    Lit(&'static str),
    /// `n` characters from an alphabet, a deterministic stream of the seed.
    Rand(&'static str, usize),
}

/// A random version 4 UUID (`xxxxxxxx-xxxx-4xxx-axxx-xxxxxxxxxxxx`): the
/// token shape of the providers whose keys are UUIDs.
pub const UUID_V4: &[Part] = &[
    Part::Rand(HEX, 8),
    Part::Lit("-"),
    Part::Rand(HEX, 4),
    Part::Lit("-4"),
    Part::Rand(HEX, 3),
    Part::Lit("-a"),
    Part::Rand(HEX, 3),
    Part::Lit("-"),
    Part::Rand(HEX, 12),
];

/// Which synthetic value to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Valid-shaped: the rule fires.
    Valid,
    /// The random parts all `x` (or `X`, or `0`, whatever the alphabet
    /// has): a placeholder, no rule may fire.
    Placeholder,
    /// The random parts counting up through the alphabet (`0123456789ab`):
    /// a placeholder, no rule may fire.
    Sequential,
    /// The last random part three characters short: the wrong shape.
    Truncated,
    /// Valid-shaped, with `EXAMPLE` (or `example`) where `FAKE` would be:
    /// a documentation example, no rule may fire. Alphabets that cannot
    /// spell the word (hex, digits) get no marker.
    Example,
}

impl Variant {
    /// `~x`, `~seq`, `~short` in fixture templates.
    pub fn parse(name: &str) -> Option<Variant> {
        match name {
            "" => Some(Variant::Valid),
            "x" => Some(Variant::Placeholder),
            "seq" => Some(Variant::Sequential),
            "short" => Some(Variant::Truncated),
            "example" => Some(Variant::Example),
            _ => None,
        }
    }
}

/// The value `parts` describe. A valid value carries the marker `FAKE`
/// (or `fake`) at the start of its first long random part when that part's
/// alphabet can spell it, so a reader of any fixture output sees it is
/// synthetic.
pub fn fake(parts: &[Part], seed: &str, variant: Variant) -> String {
    let mut out = String::new();
    let last_rand = parts.iter().rposition(|p| matches!(p, Part::Rand(..)));
    let mut marked = false;
    for (index, part) in parts.iter().enumerate() {
        match *part {
            Part::Lit(text) => out.push_str(text),
            Part::Rand(alphabet, n) => {
                let n = if variant == Variant::Truncated && Some(index) == last_rand {
                    n.saturating_sub(3)
                } else {
                    n
                };
                match variant {
                    Variant::Valid | Variant::Truncated | Variant::Example => {
                        let markers = if variant == Variant::Example {
                            ["EXAMPLE", "example"]
                        } else {
                            ["FAKE", "fake"]
                        };
                        let marker = markers
                            .into_iter()
                            .find(|m| m.chars().all(|c| alphabet.contains(c)));
                        let body = match marker {
                            Some(m) if !marked && n >= 12 => {
                                marked = true;
                                format!(
                                    "{m}{}",
                                    filler(
                                        &format!("{seed}/{index}"),
                                        n - m.len(),
                                        alphabet.as_bytes()
                                    )
                                )
                            }
                            _ => filler(&format!("{seed}/{index}"), n, alphabet.as_bytes()),
                        };
                        out.push_str(&body);
                    }
                    Variant::Placeholder => {
                        let c = ['x', 'X', '0']
                            .into_iter()
                            .find(|c| alphabet.contains(*c))
                            .unwrap_or('x');
                        out.extend(std::iter::repeat_n(c, n));
                    }
                    Variant::Sequential => {
                        out.extend(alphabet.chars().cycle().take(n));
                    }
                }
            }
        }
    }
    out
}

/// A token recognised by its own shape.
#[derive(Debug)]
pub struct TokenSpec {
    pub info: RuleInfo,
    /// The token's regular expression, written from the provider's
    /// documented format. An optional group named `s` is the secret (else
    /// the whole match), an optional group named `r` the part judged for
    /// placeholders and entropy (else the secret after its public prefix).
    pub pattern: &'static str,
    /// Characters of the secret a preview may show (its public prefix).
    pub public_prefix: usize,
    /// A check the secret must pass (a checksum), if the format has one.
    pub validate: Option<fn(&str) -> bool>,
    /// Lower-case words of which one must be on the token's line or the
    /// line before (for plain shapes); empty when the shape stands alone.
    pub context: &'static [&'static str],
    /// A valid-shaped synthetic token.
    pub fake: &'static [Part],
}

/// The rule a [`TokenSpec`] declares.
#[derive(Debug)]
pub struct TokenRule {
    spec: &'static TokenSpec,
    regex: Regex,
}

impl TokenRule {
    pub fn new(spec: &'static TokenSpec) -> TokenRule {
        TokenRule {
            spec,
            regex: super::rules::pattern(spec.pattern),
        }
    }
}

/// True when the byte before `at` cannot continue a token: the match is not
/// the tail of a longer word or blob.
pub fn starts_cleanly(text: &str, at: usize) -> bool {
    at == 0
        || !text.as_bytes()[at - 1].is_ascii_alphanumeric()
            && !matches!(text.as_bytes()[at - 1], b'_' | b'.' | b'+' | b'-')
}

/// True when one of `words` (lower-case) occurs on the line holding `at`
/// or on the line before it.
pub fn near(text: &str, at: usize, words: &[&str]) -> bool {
    let bytes = text.as_bytes();
    let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
    let from = if line_start > 0 {
        memchr::memrchr(b'\n', &bytes[..line_start - 1]).map_or(0, |i| i + 1)
    } else {
        0
    };
    let to = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    let lower = text[from..to].to_ascii_lowercase();
    words.iter().any(|w| lower.contains(w))
}

impl Rule for TokenRule {
    fn info(&self) -> &RuleInfo {
        &self.spec.info
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.regex.captures_iter(text) {
            let Some(whole) = caps.get(0) else { continue };
            let secret = caps.name("s").unwrap_or(whole);
            if !starts_cleanly(text, whole.start())
                || !super::rules::ends_cleanly(text, whole.end())
            {
                continue;
            }
            if self
                .spec
                .validate
                .is_some_and(|valid| !valid(secret.as_str()))
            {
                continue;
            }
            if !self.spec.context.is_empty() && !near(text, secret.start(), self.spec.context) {
                continue;
            }
            let mut hit = Hit::new(
                &self.spec.info,
                secret.start(),
                secret.end(),
                self.spec.public_prefix,
            );
            if let Some(random) = caps.name("r").or_else(|| caps.name("r2")) {
                hit = hit.judging(random.start(), random.end());
            }
            hits.push(hit);
        }
    }

    fn synthetic(&self, seed: &str, variant: Variant) -> Option<String> {
        Some(fake(self.spec.fake, seed, variant))
    }
}

/// A [`TokenRule`] whose valid synthetic values carry a computed part (a
/// checksum the format's `validate` checks): `fake` builds those, and the
/// other variants (placeholder, sequential, truncated) come from the spec's
/// parts as usual.
#[derive(Debug)]
pub struct ComputedFake {
    pub rule: TokenRule,
    /// The valid (and `EXAMPLE`-marked) value for a seed.
    pub fake: fn(seed: &str, variant: Variant) -> String,
}

impl Rule for ComputedFake {
    fn info(&self) -> &RuleInfo {
        self.rule.info()
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        self.rule.find(text, hits);
    }

    fn synthetic(&self, seed: &str, variant: Variant) -> Option<String> {
        match variant {
            Variant::Valid | Variant::Example => Some((self.fake)(seed, variant)),
            _ => self.rule.synthetic(seed, variant),
        }
    }
}

/// A value recognised by the name it is assigned to.
#[derive(Debug)]
pub struct KeyedSpec {
    pub info: RuleInfo,
    /// Lower-case words, one of which must be a part of the assignment's
    /// name (`algolia` in `ALGOLIA_API_KEY`, `algoliaKey`, `algolia.key`;
    /// not in `xalgolia`). They are also the rule's keywords.
    pub names: &'static [&'static str],
    /// The value's regular expression, matched right where the value
    /// starts; the value must end there (a quote, a space, the line end).
    pub value: &'static str,
    /// Characters of the value a preview may show.
    pub public_prefix: usize,
    /// A check the value must pass, if any.
    pub validate: Option<fn(&str) -> bool>,
    /// A valid-shaped synthetic value.
    pub fake: &'static [Part],
}

/// The rule a [`KeyedSpec`] declares.
#[derive(Debug)]
pub struct KeyedRule {
    spec: &'static KeyedSpec,
    names: AhoCorasick,
    value: Regex,
}

impl KeyedRule {
    pub fn new(spec: &'static KeyedSpec) -> KeyedRule {
        KeyedRule {
            spec,
            names: AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(spec.names)
                .unwrap_or_else(|e| unreachable!("names are literals: {e}")),
            // The end of the value is part of the expression, so that of
            // alternatives (`[a-f0-9]{37}|[A-Za-z0-9]{40}`) the one that
            // ends where the value ends is taken.
            value: super::rules::pattern(&format!(
                r#"\A(?P<v>{})(?:[\s"'`,;)\]}}<>&|\\#]|\z)"#,
                spec.value
            )),
        }
    }
}

impl Rule for KeyedRule {
    fn info(&self) -> &RuleInfo {
        &self.spec.info
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for word in self.names.find_overlapping_iter(text) {
            let range = word.start()..word.end();
            if !assign::is_name_part(text, range.clone()) {
                continue;
            }
            let Some(assignment) = assign::around(text, range) else {
                continue;
            };
            let start = assignment.value_start;
            let Some(found) = text
                .get(start..)
                .and_then(|rest| self.value.captures(rest))
                .and_then(|caps| caps.name("v"))
            else {
                continue;
            };
            let end = start + found.end();
            if found.is_empty()
                || self
                    .spec
                    .validate
                    .is_some_and(|valid| !valid(found.as_str()))
            {
                continue;
            }
            hits.push(Hit::new(
                &self.spec.info,
                start,
                end,
                self.spec.public_prefix,
            ));
        }
    }

    fn synthetic(&self, seed: &str, variant: Variant) -> Option<String> {
        Some(fake(self.spec.fake, seed, variant))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fakes_are_marked_and_variants_differ() {
        let parts = &[Part::Lit("dop_v1_"), Part::Rand(HEX, 64)];
        let valid = fake(parts, "s", Variant::Valid);
        assert_eq!(valid.len(), 71);
        assert!(valid.starts_with("dop_v1_"));
        let parts = &[Part::Lit("pre_"), Part::Rand(BASE62, 20)];
        assert!(fake(parts, "s", Variant::Valid).starts_with("pre_FAKE"));
        assert_eq!(
            fake(parts, "s", Variant::Placeholder),
            format!("pre_{}", "x".repeat(20))
        );
        assert_eq!(fake(parts, "s", Variant::Truncated).len(), 21);
        assert!(fake(parts, "s", Variant::Sequential).starts_with("pre_0123456789"));
    }
}
