//! ## What it does
//! Reports literal secrets written into a workflow, action or
//! dependabot.yml:
//! - well-known token formats anywhere in `env:`, `with:` and `run:`
//!   (GitHub `ghp_`/`gho_`/`ghs_`/`ghu_`/`ghr_`/`github_pat_`, AWS `AKIA...`,
//!   Slack `xox?-`, GitLab `glpat-`, npm `npm_`, Stripe `sk_live_`, Google
//!   `AIza...`, PEM private keys);
//! - a literal value under a key that names a secret (`password`, `token`,
//!   `api_key`, `client_secret`, ...) in `env:` or `with:`: medium severity
//!   and confidence, since test databases in service containers often use
//!   throw-away passwords on purpose (values that name a variable, such as
//!   setup-java's `server-password: MAVEN_PASSWORD`, and keys that name a
//!   user or login are not reported);
//! - a literal `password` in container or service `credentials:`, or a
//!   literal `password`, `token` or `key` of a dependabot.yml registry.
//!
//! Every token of a value or script is a finding of its own (one per
//! distinct token).
//!
//! Findings never show any part of the value, in any format (human, json,
//! sarif, github) or verbosity: only the key, the location and the
//! fingerprint `ci-intel-secrets` gives the same value (`sha256:` and 16 hex
//! characters), so the same secret can be recognised across reports and in
//! a secrets baseline. `crates/policy/tests/no_leak.rs` checks this.
//!
//! Deliberately not flagged: `${{ ... }}` expressions; under secret-sounding
//! keys, values shorter than 8 characters, values with spaces, paths,
//! `$VARIABLES`, `<placeholders>`, values naming a variable
//! (`MAVEN_PASSWORD`), repeated single characters, `true`/`false`/`null`,
//! and values containing `example`, `changeme`, `dummy`, `placeholder`,
//! `xxxx`, `your-`, `test` or `fake`; keys ending in `user`, `login`, `name`
//! or `id`; secrets in files other than workflows, actions and
//! dependabot.yml (that is `ci-intel-secrets`' job). Container
//! `credentials.password` and dependabot registry values are reported
//! whatever they look like, short ones included.
//!
//! zizmor calls this audit `hardcoded-container-credentials`; an ignore
//! comment with either name silences it.
//!
//! ## Why is this bad?
//! Everything in the repository is readable by everyone who can read the
//! repository, forever (git history keeps it), and it is not masked in
//! logs. A secret written there is leaked.
//!
//! ## Example
//! ```yaml
//!     container:
//!       image: ghcr.io/acme/build@sha256:...
//!       credentials:
//!         username: bot
//!         password: hunter2hunter2
//! ```
//!
//! ## Fix
//! Revoke the secret first (it is leaked), then store the new one as an
//! encrypted secret and reference it: `password: ${{ secrets.REGISTRY_PASSWORD }}`.
//!
//! ## Ignore
//! `# ci-intel: ignore[hardcoded-credentials]` on the line of the value (for
//! a test fixture or a well-known public dummy value).

use ci_intel_core::{Confidence, Severity};
use ci_intel_secrets::secret::fingerprint;

use super::Rule;
use crate::audit::model::{Ctx, DocKind, Hit};
use crate::audit::yaml::Node;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "hardcoded-credentials",
    title: "Literal secret in a workflow, action or dependabot.yml",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

/// `(name, prefix, minimum length of the rest)`; the rest is `[A-Za-z0-9_-]`.
const TOKENS: &[(&str, &str, usize)] = &[
    ("GitHub personal access token", "ghp_", 36),
    ("GitHub OAuth token", "gho_", 36),
    ("GitHub app token", "ghs_", 36),
    ("GitHub user-to-server token", "ghu_", 36),
    ("GitHub refresh token", "ghr_", 36),
    ("GitHub fine-grained token", "github_pat_", 60),
    ("GitLab token", "glpat-", 20),
    ("npm token", "npm_", 36),
    ("Stripe live key", "sk_live_", 20),
    ("Slack token", "xoxb-", 20),
    ("Slack token", "xoxp-", 20),
    ("Slack token", "xoxa-", 20),
    ("Google API key", "AIza", 35),
];

const SECRET_KEYS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "api-key",
    "apikey",
    "access_key",
    "access-key",
    "private_key",
    "private-key",
];

/// Every known token in `text`, in order: `(kind, the token)`.
fn find_tokens(text: &str) -> Vec<(&'static str, &str)> {
    let mut found = Vec::new();
    let mut from = 0usize;
    while let Some((kind, start, end)) = text.get(from..).and_then(first_token) {
        let token = &text[from + start..from + end];
        // The same token twice is one finding.
        if !found.iter().any(|(_, t)| *t == token) {
            found.push((kind, token));
        }
        from += end;
    }
    found
}

/// The first known token in `text`: `(kind, the token)`.
#[cfg(test)]
fn find_token(text: &str) -> Option<(&'static str, &str)> {
    first_token(text).map(|(kind, start, end)| (kind, &text[start..end]))
}

/// The known token that starts first in `text`: `(kind, start, end)`.
fn first_token(text: &str) -> Option<(&'static str, usize, usize)> {
    let mut best: Option<(&'static str, usize, usize)> = None;
    let mut offer = |kind: &'static str, start: usize, end: usize| {
        if best.is_none_or(|(_, s, _)| start < s) {
            best = Some((kind, start, end));
        }
    };
    for (kind, prefix, min) in TOKENS {
        let mut from = 0usize;
        while let Some(at) = text.get(from..).and_then(|t| t.find(prefix)) {
            let start = from + at;
            // Must start a word.
            let boundary = text[..start]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_');
            let rest = &text[start + prefix.len()..];
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(rest.len());
            if boundary && len >= *min {
                offer(kind, start, start + prefix.len() + len);
                break;
            }
            from = start + prefix.len();
        }
    }
    let mut from = 0usize;
    while let Some(at) = text.get(from..).and_then(|t| t.find("AKIA")) {
        let start = from + at;
        let rest = &text[start + 4..];
        let len = rest
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit()))
            .unwrap_or(rest.len());
        if len == 16 {
            offer("AWS access key id", start, start + 20);
            break;
        }
        from = start + 4;
    }
    if let Some(at) = text.find("-----BEGIN ") {
        let line = text[at..].lines().next().unwrap_or("");
        if line.contains("PRIVATE KEY-----") {
            offer("PEM private key", at, at + line.len());
        }
    }
    best
}

/// How a finding names a secret: its fingerprint, computed by the same
/// routine as `ci-intel-secrets`; never a character of the value.
pub(crate) fn redact(secret: &str) -> String {
    format!("(fingerprint {})", fingerprint(secret.as_bytes()))
}

fn digest_subject(secret: &str) -> String {
    fingerprint(secret.as_bytes())
}

fn looks_like_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    value.len() < 8
        || value.contains(char::is_whitespace)
        || value.starts_with('/')
        || value.starts_with("./")
        || value.starts_with('$')
        || value.starts_with('<')
        || [
            "example",
            "changeme",
            "dummy",
            "placeholder",
            "xxxx",
            "your-",
            "your_",
            "secrets.",
            "test",
            "fake",
        ]
        .iter()
        .any(|w| lower.contains(w))
        || value
            .chars()
            .all(|c| c == value.chars().next().unwrap_or(' '))
        || matches!(lower.as_str(), "true" | "false" | "null")
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    let mut maps: Vec<(&str, &Node)> = Vec::new();
    let mut scripts: Vec<(&Node, &Node)> = Vec::new();
    let mut passwords: Vec<(&str, &str, &Node)> = Vec::new();
    if let Some(env) = ctx.doc.get("env") {
        maps.push(("env", env));
    }
    for (_, _, job) in ctx.jobs() {
        if let Some(env) = job.get("env") {
            maps.push(("env", env));
        }
        if let Some(with) = job.get("with") {
            maps.push(("with", with));
        }
        let mut containers: Vec<&Node> = job.get("container").into_iter().collect();
        if let Some(services) = job.get("services") {
            containers.extend(services.entries().iter().map(|(_, v)| v));
        }
        for container in containers {
            if let Some(env) = container.get("env") {
                maps.push(("env", env));
            }
            if let Some(password) = container.get("credentials").and_then(|c| c.get("password")) {
                passwords.push(("container credentials", "password", password));
            }
        }
    }
    for step in ctx.steps() {
        if let Some(env) = step.node.get("env") {
            maps.push(("env", env));
        }
        if let Some(with) = step.node.get("with") {
            maps.push(("with", with));
        }
        if let Some(entry) = step.node.entry("run") {
            scripts.push(entry);
        }
    }
    if ctx.kind == DocKind::Dependabot
        && let Some(registries) = ctx.doc.get("registries")
    {
        for (_, registry) in registries.entries() {
            for key in ["password", "token", "key"] {
                if let Some(value) = registry.get(key) {
                    passwords.push(("dependabot registry", key, value));
                }
            }
        }
    }

    for (what, key, node) in passwords {
        let Some(value) = node.as_str() else { continue };
        if value.contains("${{") || value.is_empty() {
            continue;
        }
        hits.push(
            Hit::new(
                RULE.id,
                Severity::High,
                node.pos,
                digest_subject(value),
                format!("{what}: `{key}` is a literal value {}", redact(value)),
            )
            .fix("revoke it, store the new one as an encrypted secret and write `${{ secrets.NAME }}`"),
        );
    }
    for (section, map) in maps {
        for (key, value) in map.entries() {
            let (Some(name), Some(text)) = (key.as_str(), value.as_str()) else {
                continue;
            };
            let tokens = find_tokens(text);
            if !tokens.is_empty() {
                for (kind, token) in tokens {
                    hits.push(token_hit(ctx, key, value, kind, token));
                }
                continue;
            }
            let lower = name.to_ascii_lowercase();
            // `*-user`, `*-login`, `*-name`: who, not the secret itself.
            let names_a_person = ["user", "login", "name", "id"]
                .iter()
                .any(|w| lower.ends_with(w));
            // setup-java's `server-password: MAVEN_PASSWORD` names a variable.
            let names_a_variable = text
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if SECRET_KEYS.iter().any(|k| lower.contains(k))
                && !names_a_person
                && !names_a_variable
                && !text.contains("${{")
                && !looks_like_placeholder(text)
            {
                hits.push(
                    Hit::new(
                        RULE.id,
                        Severity::Medium,
                        value.pos,
                        digest_subject(text),
                        format!("`{section}.{name}` is a literal value {}; a key with this name usually holds a secret", redact(text)),
                    )
                    .confidence(Confidence::Medium)
                    .fix("store it as an encrypted secret and write `${{ secrets.NAME }}` (revoke it if it was real)"),
                );
            }
        }
    }
    for (key, run) in scripts {
        let Some(text) = run.as_str() else { continue };
        for (kind, token) in find_tokens(text) {
            hits.push(token_hit(ctx, key, run, kind, token));
        }
    }
}

fn token_hit(ctx: &Ctx<'_>, key: &Node, node: &Node, kind: &str, token: &str) -> Hit {
    let pos = ctx.src.locate(node.pos, token).unwrap_or(node.pos);
    Hit::new(
        RULE.id,
        Severity::Critical,
        pos,
        digest_subject(token),
        format!(
            "`{}` holds a literal {kind} {}",
            key.as_str().unwrap_or("?"),
            redact(token)
        ),
    )
    .also_line(key.pos.line)
    .fix("revoke the token now (it is leaked), then use an encrypted secret: `${{ secrets.NAME }}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_found_and_redacted() {
        let token = format!("ghp_{}", "a1B2".repeat(9));
        let script = format!("curl -H 'token {token}'");
        let (kind, found) = find_token(&script).unwrap();
        assert_eq!(kind, "GitHub personal access token");
        assert_eq!(found, token);
        let shown = redact(found);
        assert!(
            !shown.contains(&token[4..8]) && shown.starts_with("(fingerprint sha256:"),
            "{shown}"
        );
        assert!(find_token("ghp_short").is_none());
        // Every token of a script, in order, each once, whatever the order
        // of the patterns.
        let akid = format!("AKIA{}", "Q7".repeat(8));
        let slack = format!("xoxb-{}", "9z".repeat(12));
        let script = format!("a {akid} b {slack} c {token} d {akid}");
        let all: Vec<&str> = find_tokens(&script).into_iter().map(|(_, t)| t).collect();
        assert_eq!(all, [akid.as_str(), slack.as_str(), token.as_str()]);
        assert!(find_token("AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(find_token("xAKIA").is_none());
    }
}
