//! Registry credentials: Docker's `config.json` (`auths`, `credHelpers`,
//! `credsStore`), the Actions token for ghcr.io, anonymous otherwise. The
//! parser is a plain function over untrusted bytes. No secret is ever
//! printed: [`Credential`]'s `Debug` redacts it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use base64::Engine as _;
use ci_intel_core::RunnerEnv;
use serde_json::Value;

use crate::parse::ParseError;

/// A user name and a password or token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    pub username: String,
    pub password: String,
    /// Where it came from (`docker config.json auths`, `GITHUB_TOKEN`...).
    pub origin: String,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("origin", &self.origin)
            .finish()
    }
}

/// What a Docker `config.json` says about registries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DockerConfig {
    /// Host → credential, from `auths`.
    pub auths: BTreeMap<String, Credential>,
    /// Host → helper name (`docker-credential-<name>`).
    pub cred_helpers: BTreeMap<String, String>,
    pub creds_store: Option<String>,
}

/// The host part of an `auths` key: `https://index.docker.io/v1/` →
/// `index.docker.io`.
pub fn normalize_host(key: &str) -> String {
    let rest = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = rest.split('/').next().unwrap_or(rest).to_ascii_lowercase();
    match host.as_str() {
        "docker.io" | "registry-1.docker.io" => "index.docker.io".to_owned(),
        _ => host,
    }
}

/// Parse a Docker `config.json`. Entries that carry no usable credential
/// (an `identitytoken` only) are skipped; a malformed `auth` is an error
/// naming its key.
pub fn parse_docker_config(bytes: &[u8]) -> Result<DockerConfig, ParseError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| ParseError {
        at: format!("line {} column {}", e.line(), e.column()),
        expected: "a JSON object (Docker config.json)".into(),
        found: e.to_string(),
    })?;
    let Some(object) = value.as_object() else {
        return Err(ParseError {
            at: String::new(),
            expected: "a JSON object".into(),
            found: "another JSON value".into(),
        });
    };
    let mut config = DockerConfig::default();
    if let Some(auths) = object.get("auths").and_then(Value::as_object) {
        for (key, entry) in auths {
            let at = format!("/auths/{}", key.replace('~', "~0").replace('/', "~1"));
            let (mut username, mut password) = (
                entry
                    .get("username")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                entry
                    .get("password")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            );
            if let Some(auth) = entry.get("auth").and_then(Value::as_str)
                && !auth.is_empty()
            {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(auth.trim())
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| ParseError {
                        at: format!("{at}/auth"),
                        expected: "base64 of `user:password`".into(),
                        found: "something else (value not shown)".into(),
                    })?;
                let Some((u, p)) = decoded.split_once(':') else {
                    return Err(ParseError {
                        at: format!("{at}/auth"),
                        expected: "base64 of `user:password`".into(),
                        found: "no `:` in the decoded value (value not shown)".into(),
                    });
                };
                username = Some(u.to_owned());
                password = Some(p.to_owned());
            }
            if let (Some(username), Some(password)) = (username, password) {
                config.auths.insert(
                    normalize_host(key),
                    Credential {
                        username,
                        password,
                        origin: "docker config.json auths".into(),
                    },
                );
            }
        }
    }
    if let Some(helpers) = object.get("credHelpers").and_then(Value::as_object) {
        for (key, helper) in helpers {
            if let Some(helper) = helper.as_str() {
                config
                    .cred_helpers
                    .insert(normalize_host(key), helper.to_owned());
            }
        }
    }
    config.creds_store = object
        .get("credsStore")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    Ok(config)
}

/// Where Docker's config lives: `$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`.
pub fn docker_config_path(env: &RunnerEnv) -> Option<PathBuf> {
    if let Some(dir) = env.var("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    env.var("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".docker/config.json"))
}

/// How long a credential helper may take.
const HELPER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Ask a credential helper (`docker-credential-<name> get`, host on
/// standard input) for `host`. `None` when it has nothing for the host.
pub fn run_helper(helper: &str, host: &str) -> Result<Option<Credential>, String> {
    use std::io::Write as _;
    if !helper
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        return Err(format!(
            "credential helper name `{helper}` is not a plain name"
        ));
    }
    let program = format!("docker-credential-{helper}");
    let mut child = std::process::Command::new(&program)
        .arg("get")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(host.as_bytes());
    }
    // Like every network call, a helper gets a deadline.
    let deadline = std::time::Instant::now() + HELPER_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{program} did not answer within {}s",
                    HELPER_TIMEOUT.as_secs()
                ));
            }
            Err(e) => return Err(format!("{program}: {e}")),
        }
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("{program}: {e}"))?;
    if !output.status.success() {
        return Ok(None);
    }
    let value: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("{program} printed something other than JSON: {e}"))?;
    let username = value.get("Username").and_then(Value::as_str).unwrap_or("");
    let secret = value.get("Secret").and_then(Value::as_str).unwrap_or("");
    if secret.is_empty() || username == "<token>" {
        return Ok(None);
    }
    Ok(Some(Credential {
        username: username.to_owned(),
        password: secret.to_owned(),
        origin: format!("credential helper {program}"),
    }))
}

/// The credential for `host`: Docker's config (a helper for the host, the
/// `auths` entry, the default store), then for ghcr.io the Actions token
/// (`GITHUB_TOKEN`, or the action's `token` input), else none (anonymous).
pub fn lookup(host: &str, env: &RunnerEnv) -> Result<Option<Credential>, String> {
    let host = normalize_host(host);
    if let Some(path) = docker_config_path(env)
        && let Ok(bytes) = std::fs::read(&path)
    {
        let config = parse_docker_config(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        if let Some(helper) = config.cred_helpers.get(&host) {
            if let Some(c) = run_helper(helper, &host)? {
                return Ok(Some(c));
            }
        } else if let Some(c) = config.auths.get(&host) {
            return Ok(Some(c.clone()));
        } else if let Some(store) = &config.creds_store
            && let Some(c) = run_helper(store, &host)?
        {
            return Ok(Some(c));
        }
    }
    if host == "ghcr.io" {
        let token = env
            .var("GITHUB_TOKEN")
            .map(str::to_owned)
            .or_else(|| env.input("token"))
            .filter(|t| !t.is_empty());
        if let Some(token) = token {
            env.mask(&token);
            return Ok(Some(Credential {
                username: env
                    .var("GITHUB_ACTOR")
                    .filter(|a| !a.is_empty())
                    .unwrap_or("github-actions")
                    .to_owned(),
                password: token,
                origin: "the Actions token (GITHUB_TOKEN)".into(),
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_auths_helpers_and_store() {
        let auth = base64::engine::general_purpose::STANDARD.encode("me:s3cret");
        let text = format!(
            r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"{auth}"}},"127.0.0.1:5000":{{"username":"u","password":"p"}},"x.io":{{"identitytoken":"t"}}}},"credHelpers":{{"gcr.io":"gcloud"}},"credsStore":"desktop"}}"#
        );
        let config = parse_docker_config(text.as_bytes()).unwrap();
        assert_eq!(config.auths["index.docker.io"].username, "me");
        assert_eq!(config.auths["127.0.0.1:5000"].password, "p");
        assert!(!config.auths.contains_key("x.io"));
        assert_eq!(config.cred_helpers["gcr.io"], "gcloud");
        assert_eq!(config.creds_store.as_deref(), Some("desktop"));
        assert!(!format!("{:?}", config.auths["index.docker.io"]).contains("s3cret"));
    }

    #[test]
    fn a_bad_auth_names_its_key_not_its_value() {
        let e = parse_docker_config(br#"{"auths":{"h":{"auth":"!!!notbase64"}}}"#).unwrap_err();
        assert_eq!(e.at, "/auths/h/auth");
        assert!(!e.to_string().contains("notbase64"));
    }

    #[test]
    fn the_actions_token_is_used_for_ghcr_only() {
        let env = RunnerEnv::from_pairs([("GITHUB_TOKEN", "ghs_x"), ("HOME", "/nonexistent")]);
        let c = lookup("ghcr.io", &env).unwrap().unwrap();
        assert_eq!(c.password, "ghs_x");
        assert_eq!(lookup("quay.io", &env).unwrap(), None);
    }
}
