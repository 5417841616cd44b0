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
//! gitleaks: `generic-api-key`, and `hashicorp-tf-password` (a `password`
//! assignment in a Terraform file is an assignment like any other).
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
//! URLs, file paths, host names (`authDomain: my-app.firebaseapp.com`),
//! e-mail addresses, lower-case words joined by `-`, `_` or `.`
//! (`restore-keys: bump-casks-`), OpenPGP key ids (`GPG_KEYS=…`),
//! and Windows environment references (`%NUGET_PASSWORD%`).
//!
//! ## Fix
//!
//! Rotate the credential, remove it from the history, and read it at run
//! time from the environment or a secret store.

use aho_corasick::AhoCorasick;

use crate::detect::assign;
use crate::detect::entropy::{Classes, has_run, is_hex, shannon};
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "generic-secret-assignment",
    title: "High-entropy value assigned to a secret-looking name",
    gitleaks: &["generic-api-key", "hashicorp-tf-password"],
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
        "creds",
        "auth",
        "passphrase",
        "signing_key",
        "encryption_key",
        "_key",
        "-key",
    ],
    severity: Severity::High,
    min_entropy: 0.0,
    scope: Scope::Lines {
        before: 0,
        after: 1,
    },
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
    // OpenPGP key ids and fingerprints (`GPG_KEYS=05AB…`) are public; an
    // armored private key is the private-key rule's.
    "gpg",
];

#[derive(Debug)]
pub struct GenericSecretAssignment {
    /// The keywords, found inside names.
    words: AhoCorasick,
}

impl GenericSecretAssignment {
    pub fn new() -> Self {
        GenericSecretAssignment {
            words: AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(INFO.keywords)
                .unwrap_or_else(|e| unreachable!("keywords are literals: {e}")),
        }
    }
}

/// The longest value read; a longer run is a blob, not a credential.
const MAX_LEN: usize = 256;

impl Rule for GenericSecretAssignment {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        let bytes = text.as_bytes();
        let mut last_name = usize::MAX..usize::MAX;
        for word in self.words.find_overlapping_iter(text) {
            // `auth` names a credential (`user_auth`, `authToken`), not
            // `author`, `authority` or `authentication`.
            let found = &text[word.start()..word.end()];
            let next = bytes.get(word.end()).copied();
            if found.eq_ignore_ascii_case("auth")
                && next.is_some_and(|n| {
                    n.is_ascii_lowercase()
                        || (n.is_ascii_uppercase() && found.bytes().all(|b| b.is_ascii_uppercase()))
                })
            {
                continue; // `author`, `AUTHOR_EMAIL`, `authority`
            }
            // `_key`/`-key` end a name part: not `restore-keys`, `-keyboard`.
            if (found.eq_ignore_ascii_case("_key") || found.eq_ignore_ascii_case("-key"))
                && next.is_some_and(|n| {
                    n.is_ascii_lowercase()
                        || (n.is_ascii_uppercase()
                            && found.bytes().all(|b| !b.is_ascii_lowercase()))
                })
            {
                continue;
            }
            let Some(assignment) = assign::around(text, word.start()..word.end()) else {
                continue;
            };
            if assignment.name == last_name {
                continue; // another keyword of the same name
            }
            last_name = assignment.name.clone();
            let start = assignment.value_start;
            let rest = &bytes[start..];
            let len = rest
                .iter()
                .position(|&b| {
                    b.is_ascii_whitespace()
                        || matches!(b, b'"' | b'\'' | b'`' | b',' | b';' | b'\\' | b'<')
                })
                .unwrap_or(rest.len());
            if !(MIN_LEN..=MAX_LEN).contains(&len) {
                continue;
            }
            let Some(value) = text.get(start..start + len) else {
                continue;
            };
            // `a == b` was refused by the parser; `: :x` and `= =x` too.
            if value.starts_with([':', '=']) {
                continue;
            }
            let trimmed = value.trim_end_matches(['\\', ')', ']', '}']);
            let name = &text[assignment.name.clone()];
            if harmless_name(name) || !looks_random(trimmed) {
                continue;
            }
            hits.push(Hit::new(&INFO, start, start + trimmed.len(), 0));
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

/// `my-project.firebaseapp.com`: a lower-case host name (dotted labels of
/// letters, digits and `-`, the last one letters only) is an address, not a
/// credential (`authDomain: …`).
fn is_hostname(value: &str) -> bool {
    let labels: Vec<&str> = value.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
        && labels.last().is_some_and(|l| {
            (2..=24).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase())
        })
}

/// `noreply@github.com`: an e-mail address.
fn is_email(value: &str) -> bool {
    value
        .split_once('@')
        .is_some_and(|(local, host)| !local.is_empty() && is_hostname(&host.to_ascii_lowercase()))
}

/// `bump-unversioned-casks-`: lower-case words joined by `-`, `_` or `.`
/// are an identifier, not a drawn value.
fn is_words(value: &str) -> bool {
    value.bytes().any(|b| matches!(b, b'-' | b'_' | b'.'))
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || matches!(b, b'-' | b'_' | b'.'))
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
        || (value.starts_with('%') && value.ends_with('%'))
        || lower.starts_with("http")
        || value.starts_with('/')
        || value.starts_with("./")
        || value.matches('/').count() > 3
        || value.matches('.').count() > 3
        || has_run(value, 5)
    {
        return false;
    }
    if is_member_access(value)
        || is_env_var_name(value)
        || is_hostname(value)
        || is_email(value)
        || is_words(value)
    {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::synthetic;

    fn hits(text: &str) -> usize {
        let mut found = Vec::new();
        GenericSecretAssignment::new().find(text, &mut found);
        found.len()
    }

    #[test]
    fn host_names_and_windows_references_are_not_secrets() {
        let value = synthetic::fake("generic", "t").unwrap();
        assert_eq!(hits(&format!("authToken: \"{value}\"\n")), 1);
        assert_eq!(hits("authDomain: \"my-project-42.firebaseapp.com\"\n"), 0);
        assert_eq!(hits("api_token=%CI_API_TOKEN_VALUE%\n"), 0);
        assert!(is_hostname("a-b.example.org") && !is_hostname(&value));
    }

    #[test]
    fn addresses_identifiers_and_key_lists_are_not_secrets() {
        let value = synthetic::fake("generic", "v").unwrap();
        assert_eq!(hits(&format!("GIT_AUTH_TOKEN: {value}\n")), 1);
        assert_eq!(hits(&format!("DEPLOY_KEY: {value}\n")), 1);
        assert_eq!(hits("GIT_AUTHOR_EMAIL: noreply-robot@github.com\n"), 0);
        assert_eq!(hits("authority_token_path: x\n"), 0);
        assert_eq!(hits("restore-keys: bump-unversioned-casks-\n"), 0);
        assert_eq!(hits("cache_token: release-candidate-builds\n"), 0);
        assert_eq!(
            hits("ENV GPG_KEYS=05AB33110949707C93A279E3D3EFE6B686867BA6\n"),
            0
        );
    }

    #[test]
    fn lists_of_names_are_not_assignments_but_call_arguments_are() {
        let value = synthetic::fake("generic", "u").unwrap();
        assert_eq!(
            hits(&format!(
                "System.setProperty(\"API_TOKEN\", \"{value}\");\n"
            )),
            1
        );
        assert_eq!(hits(&format!("[\"api-token\", \"{value}\"]\n")), 0);
        assert_eq!(
            hits("gitleaks: &[\"vault-service-token\", \"vault-batch-token-x2\"],\n"),
            0
        );
    }
}
