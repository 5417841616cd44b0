//! A high-entropy value assigned to a name that says it is secret.
//!
//! ## What it finds
//!
//! An assignment (`name = value`, `name: value`, `name := value`,
//! `name => value`, `"name": "value"`, `export NAME=value`) where the name
//! contains `secret`, `token`, `password`/`passwd`/`pwd`, `api_key`/`apikey`,
//! `access_key`, `private_key`, `auth_key`, `client_secret`, `credential`,
//! `passphrase`, `signing_key` or `encryption_key` (any case, any `_`/`-`/`.`
//! separators) or ends a word with `_key`/`-key` (`CYPRESS_KEY`), and the
//! value
//!
//! - is 16 to 256 characters without spaces or quotes,
//! - mixes at least two of lower case, upper case, digits and symbols,
//! - and has at least 3.5 bits of entropy per character (3.0 for values of
//!   32 or more hex digits, whose alphabet is smaller).
//!
//! This is the rule of last resort: it runs after the provider rules and is
//! not reported where a provider rule already found the same value.
//!
//! ## Not a finding
//!
//! References and templates (`${{ secrets.X }}`, `$TOKEN`, `${TOKEN}`,
//! `{{ .Token }}`, `%(token)s`, `process.env.TOKEN`, `os.environ[...]`),
//! code rather than data (`a::b` paths, `a == b` comparisons, values with
//! `::`, `(`, `{` or `[`, field accesses such as `&self.config.token`),
//! environment variable names (`server-password: CI_DEPLOY_PASSWORD`),
//! values containing a stopword (`example`, `sample`, `placeholder`,
//! `changeme`, `dummy`, `redacted`, `your_`, `xxxx`, `****`), URLs (other
//! rules look at passwords in URLs), values with the prefix of a
//! checksummed token format (`ghp_`, `npm_`...: their own rule decides),
//! names that
//! say the value is not secret (`..._hash`, `..._sha`, `checksum`,
//! `digest`, `integrity`, `fingerprint`, `public_key`, `..._id`,
//! `..._url`, `..._path`, `..._file`, `..._name`, `..._type`,
//! `..._length`, `cache_key`, `sort_key`, `primary_key`...), words and low-entropy strings (`my_super_secret_value`),
//! and URLs or file paths.
//!
//! ## Fix
//!
//! Rotate the credential, remove it from the history, and read it at run
//! time from the environment or a secret store.

use regex::Regex;

use super::pattern;
use crate::detect::entropy::{Classes, has_run, is_hex, shannon};
use crate::detect::{Hit, Rule, RuleInfo};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "generic-secret-assignment",
    title: "High-entropy value assigned to a secret-looking name",
    keywords: &[
        "secret",
        "token",
        "passw",
        "pwd",
        "apikey",
        "api_key",
        "api-key",
        "access_key",
        "accesskey",
        "access-key",
        "private_key",
        "privatekey",
        "auth_key",
        "authkey",
        "credential",
        "passphrase",
        "signing_key",
        "encryption_key",
        "_key",
        "-key",
    ],
    severity: Severity::High,
};

/// Entropy thresholds: random base62 of 16 characters measures about 3.7
/// bits per character, 32 characters about 4.6; identifiers and English
/// stay under 3.5. Hex has only 16 symbols: random hex of 32 characters
/// measures about 3.7, repetitive hex under 3.
const MIN_ENTROPY: f64 = 3.5;
const MIN_ENTROPY_HEX: f64 = 3.0;
const MIN_LEN: usize = 16;

/// Parts of a value that mark it as an example, not a secret.
const STOPWORDS: &[&str] = &[
    "example",
    "sample",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "dummy",
    "redacted",
    "your_",
    "your-",
    "yourtoken",
    "xxxx",
    "****",
    "....",
    "<",
    ">",
    "process.env",
    "os.environ",
    "getenv",
    "secrets.",
    "vars.",
    "env.",
    "inputs.",
];

/// Prefixes of formats whose own rule verifies a checksum: a value with
/// one of them is either reported by that rule or known not to be a token.
const CHECKSUMMED_PREFIXES: &[&str] = &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "npm_"];

/// Parts of a name that say its value is not a secret.
const HARMLESS_NAME_PARTS: &[&str] = &[
    "hash",
    "sha",
    "checksum",
    "digest",
    "integrity",
    "fingerprint",
    "public",
    "_id",
    "-id",
    "url",
    "uri",
    "path",
    "file",
    "name",
    "type",
    "length",
    "count",
    "endpoint",
    "header",
    "expir",
    "format",
    "prefix",
    "field",
    "param",
    "policy",
    "usage",
    "cache",
    "sort",
    "primary",
    "foreign",
    "partition",
    "lookup",
    "idempot",
    "hotkey",
    "keyboard",
];

#[derive(Debug)]
pub struct GenericSecretAssignment {
    pattern: Regex,
}

impl GenericSecretAssignment {
    pub fn new() -> Self {
        GenericSecretAssignment {
            pattern: pattern(
                r#"(?i)([A-Za-z0-9_.\-]*(?:secret|token|passw(?:or)?d|pwd|api[_.\-]?key|access[_.\-]?key|private[_.\-]?key|auth[_.\-]?key|credentials?|passphrase|signing[_.\-]?key|encryption[_.\-]?key|[_\-]key\b)[A-Za-z0-9_.\-]*)["'`]?[ \t]*(?::=|=>|=|:)[ \t]*["'`]?([^\s"'`,;]{16,256})"#,
            ),
        }
    }
}

impl Rule for GenericSecretAssignment {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.pattern.captures_iter(text) {
            let (Some(name), Some(value)) = (caps.get(1), caps.get(2)) else {
                continue;
            };
            // A value cut at 256 characters is something else (a blob).
            if text[value.end()..]
                .chars()
                .next()
                .is_some_and(|c| !(c.is_whitespace() || "\"'`,;)]}".contains(c)))
            {
                continue;
            }
            // `a::b` (a path), `a == b` (a comparison): code, not assignments.
            let operator = &text[name.end()..value.start()];
            if operator.contains("::")
                || operator.contains("==")
                || value.as_str().starts_with([':', '='])
            {
                continue;
            }
            let trimmed = value.as_str().trim_end_matches(['\\', ')', ']', '}']);
            if harmless_name(name.as_str()) || !looks_random(trimmed) {
                continue;
            }
            hits.push(Hit::new(
                &INFO,
                value.start(),
                value.start() + trimmed.len(),
                0,
            ));
        }
    }
}

/// `&self.config.token`, `settings.api.secret_key`: dotted identifiers
/// made of words are code reading a field, not a literal.
fn is_member_access(value: &str) -> bool {
    let value = value.trim_start_matches(['&', '*', '@', '!']);
    value.contains('.')
        && value.split('.').all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_')
        })
}

/// `CI_DEPLOY_PASSWORD` as a value names a variable that holds the secret
/// (setup-java's `server-password: ENV_NAME`), it is not the secret.
fn is_env_var_name(value: &str) -> bool {
    value.contains('_')
        && value.starts_with(|c: char| c.is_ascii_uppercase())
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn harmless_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    HARMLESS_NAME_PARTS.iter().any(|part| lower.contains(part))
}

/// Whether `value` could be a random credential rather than a word, a
/// reference or a path.
pub fn looks_random(value: &str) -> bool {
    if value.len() < MIN_LEN {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    if STOPWORDS.iter().any(|stop| lower.contains(stop))
        || CHECKSUMMED_PREFIXES.iter().any(|p| value.starts_with(p))
        || value.contains("://")
        || value.contains("::")
        || value.contains(['(', '{', '['])
        || value.contains("}}")
        || value.starts_with('$')
        || value.contains("${")
        || value.contains("$(")
        || value.contains("{{")
        || value.contains("%(")
        || lower.starts_with("http")
        || value.starts_with('/')
        || value.starts_with("./")
        || value.matches('/').count() > 3
        || value.matches('.').count() > 3
        || has_run(value, 5)
    {
        return false;
    }
    if is_member_access(value) || is_env_var_name(value) {
        return false;
    }
    let classes = Classes::of(value);
    if classes.count() < 2 {
        return false;
    }
    let entropy = shannon(value);
    if is_hex(value) {
        value.len() >= 32 && entropy >= MIN_ENTROPY_HEX
    } else {
        entropy >= MIN_ENTROPY
    }
}
