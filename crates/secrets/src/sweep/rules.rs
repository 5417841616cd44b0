//! What `sweep` denies and what it allows, for one environment variable.
//!
//! In order, first match decides:
//!
//! 1. A name listed in `secrets.sweep.allowed_names` (or `--allow-name`) is
//!    allowed whatever it holds: the repository said so.
//! 2. The detectors run on the value. A hit is a finding unless the hit is
//!    short-lived by construction (see [`short_lived`]): a `ghs_` GitHub
//!    App installation token (the job's `GITHUB_TOKEN` is one), a temporary
//!    `ASIA` AWS key id, or a JWT whose own `exp` is at most 24 hours after
//!    its `iat`. When the detectors found anything, the variable is decided.
//! 3. A value that is a JSON credential document: a Google
//!    `service_account` key or `authorized_user` refresh token, or an Azure
//!    `clientSecret` (`AZURE_CREDENTIALS`), is a finding; a Google
//!    `external_account` (workload identity federation) is allowed.
//! 4. Name rules: `AWS_SECRET_ACCESS_KEY` unless the same process also has
//!    `AWS_SESSION_TOKEN` and no long-lived `AKIA` key id (temporary STS
//!    credentials, as OIDC role assumption exports them);
//!    `AZURE_CLIENT_SECRET`/`ARM_CLIENT_SECRET`; `GOOGLE_APPLICATION_CREDENTIALS`
//!    (and the two other Google credential-file variables) pointing at a file
//!    that holds a long-lived key; any other credential-shaped name
//!    (`*_TOKEN`, `*_PASSWORD`, `*_SECRET`, `*_PRIVATE_KEY`, ... see
//!    [`CREDENTIAL_SUFFIXES`]) with a value, except the runner's own per-job
//!    tokens ([`SHORT_LIVED_NAMES`]), short-lived values, and flag-like values
//!    such as `true` or `0`.
//!
//! A built-in allowance (a short-lived name or value) never hides a
//! detector hit: `ACTIONS_RUNTIME_TOKEN=ghp_...` is still a classic PAT.

use std::collections::BTreeSet;
use std::io::Read as _;
use std::path::Path;

use base64::Engine as _;
use ci_intel_core::{Confidence, Severity};

use super::procfs::{EnvVar, ProcessEnv};
use crate::detect::Detector;
use crate::secret::{fingerprint, preview};
use crate::text::{detectable_text, display_text};

/// Rules of this module (the detectors' rules come on top).
pub const AWS_SECRET_ACCESS_KEY: &str = "env-aws-secret-access-key";
pub const AZURE_CLIENT_SECRET: &str = "env-azure-client-secret";
pub const GCP_CREDENTIALS: &str = "env-gcp-credentials";
pub const CREDENTIAL_NAME: &str = "env-credential-name";

/// `(id, title)` of the rules of this module.
pub const ENV_RULES: &[(&str, &str)] = &[
    (
        AWS_SECRET_ACCESS_KEY,
        "Long-lived AWS secret access key in a job's environment",
    ),
    (
        AZURE_CLIENT_SECRET,
        "Azure service principal client secret in a job's environment",
    ),
    (
        GCP_CREDENTIALS,
        "Long-lived Google Cloud credentials (service account key or user refresh token)",
    ),
    (
        CREDENTIAL_NAME,
        "A credential-named environment variable holds a value",
    ),
];

/// Name suffixes (after `_`, or the whole name), compared upper-case, that
/// say "this variable holds a credential".
pub const CREDENTIAL_SUFFIXES: &[&str] = &[
    "TOKEN",
    "PAT",
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "SECRET_KEY",
    "CLIENT_SECRET",
    "PRIVATE_KEY",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "DEPLOY_KEY",
    "SIGNING_KEY",
    "ENCRYPTION_KEY",
    "AUTH_KEY",
];

/// Credential-shaped names the runner or an OIDC exchange sets with a
/// per-job credential, and why each is short-lived.
pub const SHORT_LIVED_NAMES: &[(&str, &str)] = &[
    (
        "ACTIONS_RUNTIME_TOKEN",
        "the runner's per-job token for the Actions runtime (cache, artifacts); it expires with the job",
    ),
    (
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "the runner's per-job token for requesting OIDC tokens (id-token: write); it expires with the job",
    ),
    (
        "AWS_SESSION_TOKEN",
        "an AWS STS session token: temporary credentials by construction",
    ),
];

/// Variables whose value is the path of a Google credentials file.
const GOOGLE_CREDENTIAL_FILE_NAMES: &[&str] = &[
    "GOOGLE_APPLICATION_CREDENTIALS",
    "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE",
    "GOOGLE_GHA_CREDS_PATH",
];

/// Values of credential-named variables that are flags, not credentials.
const FLAG_VALUES: &[&str] = &[
    "true", "false", "yes", "no", "on", "off", "0", "1", "null", "none",
];

/// The longest JWT lifetime (`exp - iat`) still called short-lived: a day,
/// the longest a GitHub Actions job may run on a self-hosted runner
/// (GitHub-issued OIDC tokens last minutes).
pub const MAX_SHORT_LIVED_SECONDS: i64 = 24 * 60 * 60;

/// A credential file larger than this is not a Google credentials file.
const MAX_CREDENTIAL_FILE: u64 = 1024 * 1024;

/// A long-lived credential in one variable, described without its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarFinding {
    pub rule: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: String,
    pub fingerprint: String,
    pub preview: String,
    pub fix: &'static str,
}

/// What one variable is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VarVerdict {
    pub findings: Vec<VarFinding>,
    /// Why parts of the value were allowed (one reason per allowance).
    pub allowed: Vec<String>,
}

/// The sweep's rules: the detectors plus the environment rules above.
#[derive(Debug)]
pub struct EnvRules {
    detector: Detector,
    allowed_names: BTreeSet<String>,
}

const FIX_DETECTED: &str = "remove the credential from the job; use OIDC (permissions: id-token: write) or a short-lived token instead, and rotate this one";
const FIX_AWS: &str = "assume a role over OIDC (aws-actions/configure-aws-credentials with role-to-assume) instead of access keys, and deactivate this key";
const FIX_AZURE: &str = "log in with a federated credential (azure/login with client-id, tenant-id and subscription-id, no secret) and delete this client secret";
const FIX_GCP: &str = "authenticate with workload identity federation (google-github-actions/auth with workload_identity_provider) and delete this key";
const FIX_NAME: &str = "remove it from the job; if it is not a long-lived credential, list the name in secrets.sweep.allowed_names (or pass --allow-name)";

impl EnvRules {
    pub fn new(detector: Detector, allowed_names: BTreeSet<String>) -> Self {
        EnvRules {
            detector,
            allowed_names,
        }
    }

    pub fn detector(&self) -> &Detector {
        &self.detector
    }

    /// A variable name as it may be shown: printable, and with anything a
    /// detector recognises inside it masked (a name is not supposed to hold
    /// a secret, but nothing this tool prints may).
    pub fn display_name(&self, name: &[u8]) -> String {
        let text = detectable_text(name);
        let hits = self.detector.find(&text);
        if hits.is_empty() {
            return display_text(name);
        }
        let mut shown = String::new();
        let mut cursor = 0;
        for hit in hits {
            if hit.start < cursor {
                cursor = cursor.max(hit.end);
                continue;
            }
            shown.push_str(&display_text(&name[cursor..hit.start]));
            shown.push_str(&format!("[REDACTED:{}]", hit.rule));
            cursor = hit.end;
        }
        shown.push_str(&display_text(&name[cursor..]));
        shown
    }

    /// Judge `var`, a variable of `env`.
    pub fn classify(&self, env: &ProcessEnv, var: &EnvVar) -> VarVerdict {
        let mut verdict = VarVerdict::default();
        if var.value.is_empty() {
            return verdict;
        }
        let name_text = String::from_utf8_lossy(&var.name);
        if self.allowed_names.contains(name_text.as_ref()) {
            verdict
                .allowed
                .push("listed in secrets.sweep.allowed_names / --allow-name".to_owned());
            return verdict;
        }
        let shown_name = self.display_name(&var.name);

        if self.detect_in(&var.value, &shown_name, "", &mut verdict) {
            return verdict;
        }
        if let Some(json) = credential_json(&var.value) {
            json.judge(&shown_name, "", &mut verdict);
            return verdict;
        }
        self.name_rules(env, var, &name_text, &shown_name, &mut verdict);
        verdict
    }

    /// Run the detectors on `bytes`; true when they found anything (a
    /// finding or a short-lived token).
    fn detect_in(
        &self,
        bytes: &[u8],
        shown_name: &str,
        where_: &str,
        out: &mut VarVerdict,
    ) -> bool {
        let text = detectable_text(bytes);
        // One hit per secret: the most specific rule's.
        let hits = self.detector.find_preferred(&text);
        for hit in &hits {
            let secret = &bytes[hit.start..hit.end];
            if let Some(reason) = short_lived(secret) {
                out.allowed.push(reason);
                continue;
            }
            let title = self
                .detector
                .rules()
                .find(|r| r.id == hit.rule)
                .map_or(hit.rule, |r| r.title);
            out.findings.push(VarFinding {
                rule: hit.rule,
                severity: hit.severity,
                confidence: Confidence::High,
                message: format!("{title} in {shown_name}{where_}"),
                fingerprint: fingerprint(secret),
                preview: preview(&String::from_utf8_lossy(secret), hit.public_prefix),
                fix: FIX_DETECTED,
            });
        }
        !hits.is_empty()
    }

    fn name_rules(
        &self,
        env: &ProcessEnv,
        var: &EnvVar,
        name_text: &str,
        shown_name: &str,
        out: &mut VarVerdict,
    ) {
        let upper = name_text.to_ascii_uppercase();
        let value = &var.value;
        let whole_value = |rule, severity, confidence, message: String, fix| VarFinding {
            rule,
            severity,
            confidence,
            message,
            fingerprint: fingerprint(value),
            preview: preview(&String::from_utf8_lossy(value), 0),
            fix,
        };

        if upper == "AWS_SECRET_ACCESS_KEY" || upper == "AWS_SECRET_KEY" {
            let long_lived_key_id = env
                .get("AWS_ACCESS_KEY_ID")
                .is_some_and(|id| id.starts_with(b"AKIA"));
            if env.get("AWS_SESSION_TOKEN").is_some() && !long_lived_key_id {
                out.allowed.push(
                    "temporary AWS credentials: AWS_SESSION_TOKEN is set and the key id is not a long-lived AKIA key"
                        .to_owned(),
                );
            } else {
                out.findings.push(whole_value(
                    AWS_SECRET_ACCESS_KEY,
                    Severity::Critical,
                    Confidence::High,
                    format!("long-lived AWS secret access key in {shown_name} (no AWS_SESSION_TOKEN beside it)"),
                    FIX_AWS,
                ));
            }
            return;
        }
        if upper == "AZURE_CLIENT_SECRET" || upper == "ARM_CLIENT_SECRET" {
            out.findings.push(whole_value(
                AZURE_CLIENT_SECRET,
                Severity::Critical,
                Confidence::High,
                format!("Azure service principal client secret in {shown_name}"),
                FIX_AZURE,
            ));
            return;
        }
        if GOOGLE_CREDENTIAL_FILE_NAMES.contains(&upper.as_str()) {
            self.google_credential_file(env, value, shown_name, out);
            return;
        }
        if !is_credential_name(&upper) {
            return;
        }
        if let Some((_, why)) = SHORT_LIVED_NAMES.iter().find(|(n, _)| *n == upper) {
            out.allowed.push((*why).to_owned());
            return;
        }
        if let Some(reason) = short_lived(value) {
            out.allowed.push(reason);
            return;
        }
        let trimmed = String::from_utf8_lossy(value).trim().to_ascii_lowercase();
        if FLAG_VALUES.contains(&trimmed.as_str()) {
            return;
        }
        out.findings.push(whole_value(
            CREDENTIAL_NAME,
            Severity::High,
            Confidence::Medium,
            format!("{shown_name} is named like a credential and holds a value that is not a known short-lived token"),
            FIX_NAME,
        ));
    }

    fn google_credential_file(
        &self,
        env: &ProcessEnv,
        value: &[u8],
        shown_name: &str,
        out: &mut VarVerdict,
    ) {
        let path_text = String::from_utf8_lossy(value).into_owned();
        let path = env.resolve(Path::new(&path_text));
        let shown_path = display_text(value);
        let where_ = format!(" (the file {shown_path} that {shown_name} names)");
        match read_bounded(&path, MAX_CREDENTIAL_FILE) {
            Ok(None) => {} // no such file: no credential is present
            Ok(Some(bytes)) => {
                if let Some(json) = credential_json(&bytes) {
                    json.judge(shown_name, &where_, out);
                } else {
                    self.detect_in(&bytes, shown_name, &where_, out);
                }
            }
            Err(e) => out.findings.push(VarFinding {
                rule: GCP_CREDENTIALS,
                severity: Severity::High,
                confidence: Confidence::Low,
                message: format!(
                    "{shown_name} names {shown_path}, which the sweep cannot read ({e}): it cannot show that the file holds no long-lived key"
                ),
                fingerprint: fingerprint(value),
                preview: preview(&path_text, 0),
                fix: FIX_GCP,
            }),
        }
    }
}

/// True when an upper-case `name` is, or ends with `_` and, one of
/// [`CREDENTIAL_SUFFIXES`].
pub fn is_credential_name(upper: &str) -> bool {
    CREDENTIAL_SUFFIXES.iter().any(|suffix| {
        upper == *suffix
            || upper
                .strip_suffix(suffix)
                .is_some_and(|head| head.ends_with('_'))
    })
}

/// Why `value` is a short-lived credential, if it is one by construction:
///
/// - `ghs_…`: a GitHub App installation token. The job's `GITHUB_TOKEN` is
///   one (valid until the job ends, 24 hours at most); one minted by an
///   app expires after an hour.
/// - `ASIA…`: the key id of temporary AWS STS credentials.
/// - a JWT whose payload has `exp` at most [`MAX_SHORT_LIVED_SECONDS`]
///   after `iat` (or after now, without `iat`): the token says itself when it
///   stops working, as every OIDC token does.
pub fn short_lived(value: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(value).ok()?.trim();
    if let Some(rest) = text.strip_prefix("ghs_")
        && rest.len() >= 20
        && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Some(
            "a GitHub App installation token (ghs_): it expires within an hour, or when the job ends for the job's GITHUB_TOKEN"
                .to_owned(),
        );
    }
    if let Some(rest) = text.strip_prefix("ASIA")
        && rest.len() == 16
        && rest
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Some("a temporary AWS STS access key id (ASIA)".to_owned());
    }
    let lifetime = jwt_lifetime_seconds(text)?;
    (lifetime <= MAX_SHORT_LIVED_SECONDS).then(|| {
        format!("a JWT that expires {lifetime} seconds after it was issued (at most 24 hours)")
    })
}

/// `exp - iat` (or `exp - now`) of a JWT, if `text` is one with an `exp`.
fn jwt_lifetime_seconds(text: &str) -> Option<i64> {
    let mut parts = text.split('.');
    let (header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let decode = |part: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part.trim_end_matches('='))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
    };
    decode(header)?.get("alg")?;
    let claims = decode(payload)?;
    let exp = claims.get("exp")?.as_i64()?;
    let start = match claims.get("iat").and_then(serde_json::Value::as_i64) {
        Some(iat) => iat,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_secs()).ok())?,
    };
    Some(exp.saturating_sub(start))
}

/// A JSON credential document recognised by its fields.
enum CredentialJson {
    /// A long-lived secret: `(rule, what, the secret field's value)`.
    LongLived(&'static str, &'static str, String, &'static str),
    /// Workload identity federation: no key inside.
    Federated,
}

impl CredentialJson {
    fn judge(self, shown_name: &str, where_: &str, out: &mut VarVerdict) {
        match self {
            CredentialJson::Federated => out.allowed.push(
                "Google workload identity federation (external_account): it exchanges a short-lived OIDC token and holds no key"
                    .to_owned(),
            ),
            CredentialJson::LongLived(rule, what, secret, fix) => out.findings.push(VarFinding {
                rule,
                severity: Severity::Critical,
                confidence: Confidence::High,
                message: format!("{what} in {shown_name}{where_}"),
                fingerprint: fingerprint(secret.as_bytes()),
                preview: preview(&secret, 0),
                fix,
            }),
        }
    }
}

fn credential_json(bytes: &[u8]) -> Option<CredentialJson> {
    let text = std::str::from_utf8(bytes).ok()?.trim_start();
    if !text.starts_with('{') {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let field = |key: &str| {
        value
            .get(key)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    match value.get("type").and_then(serde_json::Value::as_str) {
        Some("service_account") => field("private_key").map(|key| {
            CredentialJson::LongLived(
                GCP_CREDENTIALS,
                "Google Cloud service account key",
                key,
                FIX_GCP,
            )
        }),
        Some("authorized_user") => field("refresh_token").map(|token| {
            CredentialJson::LongLived(
                GCP_CREDENTIALS,
                "Google Cloud user refresh token",
                token,
                FIX_GCP,
            )
        }),
        Some("external_account") => Some(CredentialJson::Federated),
        _ => field("clientSecret").map(|secret| {
            CredentialJson::LongLived(
                AZURE_CLIENT_SECRET,
                "Azure service principal credentials with a clientSecret",
                secret,
                FIX_AZURE,
            )
        }),
    }
}

/// The file's bytes, `None` when it does not exist; an error when it cannot
/// be read or is larger than `limit` (then it is not a credentials file we
/// can judge).
fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other(format!("larger than {limit} bytes")));
    }
    Ok(Some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ProcessRef;
    use crate::test_support::classic_pat;

    fn env(vars: &[(&str, &str)]) -> ProcessEnv {
        ProcessEnv {
            process: ProcessRef {
                pid: 1,
                comm: "t".into(),
            },
            is_self: true,
            vars: vars
                .iter()
                .map(|(n, v)| EnvVar {
                    name: n.as_bytes().to_vec(),
                    value: v.as_bytes().to_vec(),
                })
                .collect(),
            fs_view: None,
        }
    }

    fn judge(vars: &[(&str, &str)], name: &str) -> VarVerdict {
        judge_allowing(vars, name, &[])
    }

    fn judge_allowing(vars: &[(&str, &str)], name: &str, allowed: &[&str]) -> VarVerdict {
        let rules = EnvRules::new(
            Detector::builtin(),
            allowed.iter().map(|s| (*s).to_owned()).collect(),
        );
        let env = env(vars);
        let var = env
            .vars
            .iter()
            .find(|v| v.name == name.as_bytes())
            .unwrap()
            .clone();
        rules.classify(&env, &var)
    }

    fn rules_of(verdict: &VarVerdict) -> Vec<&'static str> {
        verdict.findings.iter().map(|f| f.rule).collect()
    }

    fn jwt(claims: &str) -> String {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.c2ln", enc(r#"{"alg":"RS256"}"#), enc(claims))
    }

    #[test]
    fn a_pat_under_any_name_is_a_finding_without_its_value() {
        let pat = classic_pat(1);
        let verdict = judge(&[("DEPLOY_TOKEN", &pat)], "DEPLOY_TOKEN");
        assert_eq!(rules_of(&verdict), ["github-pat-classic"]);
        let finding = &verdict.findings[0];
        assert_eq!(finding.fingerprint, fingerprint(pat.as_bytes()));
        assert!(!format!("{finding:?}").contains(&pat[4..]));
        // Even an allowed-by-construction name does not hide a PAT.
        let verdict = judge(&[("ACTIONS_RUNTIME_TOKEN", &pat)], "ACTIONS_RUNTIME_TOKEN");
        assert_eq!(rules_of(&verdict), ["github-pat-classic"]);
    }

    #[test]
    fn configured_names_are_allowed_whatever_they_hold() {
        let pat = classic_pat(2);
        let verdict = judge_allowing(&[("DEPLOY_TOKEN", &pat)], "DEPLOY_TOKEN", &["DEPLOY_TOKEN"]);
        assert!(verdict.findings.is_empty());
        assert_eq!(verdict.allowed.len(), 1);
    }

    #[test]
    fn installation_tokens_and_runner_tokens_are_short_lived() {
        let ghs = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
        let verdict = judge(&[("GITHUB_TOKEN", ghs)], "GITHUB_TOKEN");
        assert!(verdict.findings.is_empty(), "{verdict:?}");
        assert!(verdict.allowed[0].contains("ghs_"));
        let verdict = judge(
            &[("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "opaque")],
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        );
        assert!(verdict.findings.is_empty() && verdict.allowed.len() == 1);
        // A GITHUB_TOKEN that is not an installation token is not allowed.
        let verdict = judge(&[("GITHUB_TOKEN", "0123456789abcdef0123")], "GITHUB_TOKEN");
        assert_eq!(rules_of(&verdict), [CREDENTIAL_NAME]);
    }

    #[test]
    fn jwts_are_judged_by_their_own_lifetime() {
        let short = jwt(
            r#"{"iss":"https://token.actions.githubusercontent.com","iat":1700000000,"exp":1700000300}"#,
        );
        let long = jwt(r#"{"iat":1700000000,"exp":1800000000}"#);
        assert!(
            judge(&[("OIDC_TOKEN", &short)], "OIDC_TOKEN")
                .findings
                .is_empty()
        );
        assert_eq!(
            rules_of(&judge(&[("OIDC_TOKEN", &long)], "OIDC_TOKEN")),
            [CREDENTIAL_NAME]
        );
        assert!(short_lived(b"not.a.jwt").is_none());
    }

    #[test]
    fn aws_secret_keys_are_allowed_only_beside_a_session_token() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let verdict = judge(
            &[("AWS_SECRET_ACCESS_KEY", secret)],
            "AWS_SECRET_ACCESS_KEY",
        );
        assert_eq!(rules_of(&verdict), [AWS_SECRET_ACCESS_KEY]);
        let temporary = [
            ("AWS_ACCESS_KEY_ID", "ASIAIOSFODNN7EXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", secret),
            ("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEXAMPLE"),
        ];
        assert!(
            judge(&temporary, "AWS_SECRET_ACCESS_KEY")
                .findings
                .is_empty()
        );
        assert!(judge(&temporary, "AWS_SESSION_TOKEN").findings.is_empty());
        let long_lived_id = [
            ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", secret),
            ("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEXAMPLE"),
        ];
        assert_eq!(
            rules_of(&judge(&long_lived_id, "AWS_SECRET_ACCESS_KEY")),
            [AWS_SECRET_ACCESS_KEY]
        );
    }

    #[test]
    fn azure_client_secrets_by_name_and_in_json() {
        let verdict = judge(
            &[("AZURE_CLIENT_SECRET", "s3cr3t~value")],
            "AZURE_CLIENT_SECRET",
        );
        assert_eq!(rules_of(&verdict), [AZURE_CLIENT_SECRET]);
        let creds = r#"{"clientId":"x","clientSecret":"abc~def","tenantId":"t"}"#;
        let verdict = judge(&[("AZURE_CREDENTIALS", creds)], "AZURE_CREDENTIALS");
        assert_eq!(rules_of(&verdict), [AZURE_CLIENT_SECRET]);
        assert_eq!(verdict.findings[0].fingerprint, fingerprint(b"abc~def"));
    }

    #[test]
    fn google_credentials_files_are_read_and_judged() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key.json");
        std::fs::write(
            &key,
            r#"{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n","client_email":"a@b"}"#,
        )
        .unwrap();
        let wif = dir.path().join("wif.json");
        std::fs::write(&wif, r#"{"type":"external_account","audience":"x"}"#).unwrap();
        let key_path = key.display().to_string();
        let verdict = judge(
            &[("GOOGLE_APPLICATION_CREDENTIALS", &key_path)],
            "GOOGLE_APPLICATION_CREDENTIALS",
        );
        assert_eq!(rules_of(&verdict), [GCP_CREDENTIALS]);
        assert!(verdict.findings[0].message.contains("key.json"));
        let wif_path = wif.display().to_string();
        let verdict = judge(
            &[("GOOGLE_APPLICATION_CREDENTIALS", &wif_path)],
            "GOOGLE_APPLICATION_CREDENTIALS",
        );
        assert!(verdict.findings.is_empty() && verdict.allowed.len() == 1);
        let gone = dir.path().join("gone.json").display().to_string();
        assert_eq!(
            judge(
                &[("GOOGLE_APPLICATION_CREDENTIALS", &gone)],
                "GOOGLE_APPLICATION_CREDENTIALS"
            ),
            VarVerdict::default()
        );
        // The key itself as a value is found too.
        let json = std::fs::read_to_string(&key).unwrap();
        assert_eq!(
            rules_of(&judge(&[("GCP_SA_KEY", &json)], "GCP_SA_KEY")),
            [GCP_CREDENTIALS]
        );
    }

    #[test]
    fn credential_names_flags_and_ordinary_names() {
        assert!(is_credential_name("NPM_TOKEN") && is_credential_name("TOKEN"));
        assert!(is_credential_name("DB_PASSWORD") && is_credential_name("SSH_PRIVATE_KEY"));
        assert!(!is_credential_name("ACTIONS_ID_TOKEN_REQUEST_URL"));
        assert!(!is_credential_name("MYTOKEN") && !is_credential_name("CACHE_KEY"));
        assert!(is_credential_name("COSIGN_SIGNING_KEY") && !is_credential_name("GPG_KEY"));
        assert!(
            judge(&[("SKIP_TOKEN", "true")], "SKIP_TOKEN")
                .findings
                .is_empty()
        );
        assert!(
            judge(&[("HOME", "/home/runner")], "HOME")
                .findings
                .is_empty()
        );
        assert!(
            judge(&[("DB_PASSWORD", "")], "DB_PASSWORD")
                .findings
                .is_empty()
        );
        assert_eq!(
            rules_of(&judge(&[("DB_PASSWORD", "hunter2")], "DB_PASSWORD")),
            [CREDENTIAL_NAME]
        );
    }

    #[test]
    fn names_are_shown_with_secrets_masked() {
        let pat = classic_pat(3);
        let rules = EnvRules::new(Detector::builtin(), BTreeSet::new());
        let shown = rules.display_name(format!("X.{pat}\n").as_bytes());
        assert_eq!(shown, "X.[REDACTED:github-pat-classic]\\u{a}");
    }
}
