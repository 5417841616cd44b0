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
//! - a literal `password` in container or service `credentials:`, or in a
//!   dependabot.yml registry.
//!
//! Findings never show any part of the value, in any format: only the key,
//! the location and the fingerprint `ci-intel-secrets` gives the same value
//! (`sha256:` and 16 hex characters), so the same secret can be recognised
//! across reports and in a secrets baseline.
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
use crate::config::Persona;
use crate::audit::model::{Ctx, DocKind, Hit};
use crate::audit::yaml::Node;

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

/// A known token format in `text`: `(kind, the token)`.
fn find_token(text: &str) -> Option<(&'static str, &str)> {
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
                return Some((kind, &text[start..start + prefix.len() + len]));
            }
            from = start + prefix.len();
        }
    }
    if let Some(at) = text.find("AKIA") {
        let rest = &text[at + 4..];
        let len = rest
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit()))
            .unwrap_or(rest.len());
        if len == 16 {
            return Some(("AWS access key id", &text[at..at + 20]));
        }
    }
    if let Some(at) = text.find("-----BEGIN ")
        && text[at..]
            .lines()
            .next()
            .is_some_and(|l| l.contains("PRIVATE KEY-----"))
    {
        let line = text[at..].lines().next().unwrap_or("");
        return Some(("PEM private key", line));
    }
    None
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
    let mut passwords: Vec<(&str, &Node)> = Vec::new();
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
                passwords.push(("container credentials", password));
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
                    passwords.push(("dependabot registry", value));
                }
            }
        }
    }

    for (what, node) in passwords {
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
                format!("{what}: `password` is a literal value {}", redact(value)),
            )
            .fix("revoke it, store the new one as an encrypted secret and write `${{ secrets.NAME }}`"),
        );
    }
    for (section, map) in maps {
        for (key, value) in map.entries() {
            let (Some(name), Some(text)) = (key.as_str(), value.as_str()) else {
                continue;
            };
            if let Some((kind, token)) = find_token(text) {
                hits.push(token_hit(ctx, key, value, kind, token));
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
        if let Some((kind, token)) = find_token(text) {
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
        assert!(find_token("AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(find_token("xAKIA").is_none());
    }
}
