//! Talking to the forge: `ls-refs` over git smart-HTTP (no REST quota), and
//! the few REST calls `ls-refs` cannot answer (release age, reachability).
//!
//! git smart-HTTP goes through reqwest's blocking client; the REST calls go
//! through octocrab (hyper-rustls with ring), driven by a current-thread
//! tokio runtime owned by the [`Remote`]. Both use rustls with the ring
//! provider: no OpenSSL, no aws-lc.
//!
//! Every call has a timeout; transient failures (connection errors, timeouts,
//! 429 and 5xx) are retried a bounded number of times and each retry is
//! logged; a final failure is an infrastructure error naming the URL.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::io::Read as _;
use std::net::IpAddr;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ci_intel_core::Failure;
use http_body_util::BodyExt as _;
use octocrab::Octocrab;
use reqwest::Url;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::pktline::{self, AdvertisedRef, Advertisement};
use super::version::Version;

/// Responses larger than this are refused (the ref list of a very large
/// repository is a few MiB).
const MAX_BODY: u64 = 32 * 1024 * 1024;

const USER_AGENT: &str = concat!("ci-intel-policy/", env!("CARGO_PKG_VERSION"));

/// Where and how to reach the forge.
#[derive(Debug, Clone)]
pub struct RemoteConfig {
    /// Git base URL: `https://github.com` (repositories at `{git}/{o}/{r}.git`).
    pub git_base: Url,
    /// REST base URL: `https://api.github.com` or `https://HOST/api/v3`.
    pub api_base: Url,
    pub token: Option<String>,
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
    /// Pause before the first retry; doubled for each further one.
    pub backoff: Duration,
    /// Directory for the per-run ls-refs cache (none: memory only).
    pub cache_dir: Option<PathBuf>,
}

/// Check that a base URL is https, or http on a loopback host (for tests).
pub fn check_base_url(flag: &str, text: &str) -> Result<Url, Failure> {
    let url = Url::parse(text.trim_end_matches('/'))
        .map_err(|e| Failure::usage(format!("{flag} {text:?} is not a URL: {e}")))?;
    let host = url.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost" || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" if !host.is_empty() => Ok(url),
        "http" if loopback => Ok(url),
        other => Err(Failure::usage(format!(
            "{flag} {text:?} uses {other}://; only https is allowed (http only for loopback hosts)"
        ))),
    }
}

/// The REST base URL that goes with a git base URL: api.github.com for
/// github.com, `{host}/api/v3` for GitHub Enterprise Server.
pub fn default_api_base(git_base: &Url) -> String {
    if git_base.host_str() == Some("github.com") {
        "https://api.github.com".to_owned()
    } else {
        format!("{}/api/v3", git_base.as_str().trim_end_matches('/'))
    }
}

/// How to reach the forge: shared by `pin` and `audit --online`.
#[derive(Debug, Clone, clap::Args)]
pub struct ForgeArgs {
    /// Git base URL of the forge (GitHub Enterprise Server: https://HOST).
    #[arg(long, default_value = "https://github.com", value_name = "URL")]
    pub host: String,
    /// REST API base URL (default: https://api.github.com for github.com,
    /// HOST/api/v3 otherwise).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// Timeout of each network call, in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub timeout: u64,
    /// Retries of a failed network call (connection errors, timeouts, 429, 5xx).
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub retries: u32,
    /// API token (default: $GITHUB_TOKEN, then $GH_TOKEN). Prefer the
    /// environment: a flag is visible to other processes.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
}

impl ForgeArgs {
    /// The forge client these flags describe, with the token from `--token`,
    /// `$GITHUB_TOKEN` or `$GH_TOKEN` and the ls-refs cache under
    /// `$RUNNER_TEMP`.
    pub fn remote(&self, env: &ci_intel_core::RunnerEnv) -> Result<Remote, Failure> {
        let git_base = check_base_url("--host", &self.host)?;
        let api_text = self
            .api_url
            .clone()
            .unwrap_or_else(|| default_api_base(&git_base));
        let api_base = check_base_url("--api-url", &api_text)?;
        if self.timeout == 0 {
            return Err(Failure::usage("--timeout must be at least 1 second"));
        }
        let token = self
            .token
            .as_deref()
            .filter(|v| !v.trim().is_empty())
            .or_else(|| {
                ["GITHUB_TOKEN", "GH_TOKEN"]
                    .iter()
                    .find_map(|name| env.var(name).filter(|v| !v.trim().is_empty()))
            })
            .map(|v| v.trim().to_owned());
        let cache_dir = env
            .var("RUNNER_TEMP")
            .filter(|v| !v.is_empty())
            .map(|dir| PathBuf::from(dir).join("ci-intel-pin"));
        Remote::new(RemoteConfig {
            git_base,
            api_base,
            token,
            timeout: Duration::from_secs(self.timeout),
            retries: self.retries,
            backoff: Duration::from_millis(500),
            cache_dir,
        })
    }
}

/// The refs of one repository, from one `ls-refs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoRefs {
    /// The repository URL the refs came from.
    pub url: String,
    pub refs: Vec<CachedRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedRef {
    pub name: String,
    pub oid: String,
    pub peeled: Option<String>,
    pub symref_target: Option<String>,
}

impl CachedRef {
    pub fn commit(&self) -> &str {
        self.peeled.as_deref().unwrap_or(&self.oid)
    }
}

impl From<AdvertisedRef> for CachedRef {
    fn from(r: AdvertisedRef) -> Self {
        CachedRef {
            name: r.name,
            oid: r.oid,
            peeled: r.peeled,
            symref_target: r.symref_target,
        }
    }
}

/// What a short ref name resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    Tag,
    Branch,
}

impl RepoRefs {
    pub fn tag(&self, name: &str) -> Option<&CachedRef> {
        let full = format!("refs/tags/{name}");
        self.refs.iter().find(|r| r.name == full)
    }

    pub fn branch(&self, name: &str) -> Option<&CachedRef> {
        let full = format!("refs/heads/{name}");
        self.refs.iter().find(|r| r.name == full)
    }

    /// Resolve a short name as GitHub Actions does: a tag first, then a branch.
    pub fn resolve(&self, name: &str) -> Option<(RefKind, &str)> {
        self.tag(name)
            .map(|r| (RefKind::Tag, r.commit()))
            .or_else(|| self.branch(name).map(|r| (RefKind::Branch, r.commit())))
    }

    /// The branch HEAD points at, if the server said.
    pub fn default_branch(&self) -> Option<&CachedRef> {
        let target = self
            .refs
            .iter()
            .find(|r| r.name == "HEAD")?
            .symref_target
            .as_deref()?;
        self.refs.iter().find(|r| r.name == target)
    }

    /// Release tags (full `X.Y.Z`, no pre-release), newest first.
    pub fn releases(&self) -> Vec<(Version, &str, &str)> {
        let mut releases: Vec<(Version, &str, &str)> = self
            .refs
            .iter()
            .filter_map(|r| {
                let name = r.name.strip_prefix("refs/tags/")?;
                let version = Version::parse(name)?;
                version
                    .is_full_release()
                    .then_some((version, name, r.commit()))
            })
            .collect();
        releases.sort_by(|a, b| b.0.cmp_precedence(&a.0).then_with(|| a.1.cmp(b.1)));
        releases
    }

    /// The tags at `sha` (as the tag's commit, or as its tag object),
    /// longest name first: `v1.2.3` before `v1`.
    pub fn tags_at(&self, sha: &str) -> Vec<&str> {
        let mut tags: Vec<&str> = self
            .refs
            .iter()
            .filter(|r| r.commit().eq_ignore_ascii_case(sha) || r.oid.eq_ignore_ascii_case(sha))
            .filter_map(|r| r.name.strip_prefix("refs/tags/"))
            .collect();
        tags.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        tags
    }

    /// True when `sha` is the commit (or tag object) of any advertised ref.
    pub fn names_commit(&self, sha: &str) -> bool {
        self.refs.iter().any(|r| r.commit() == sha || r.oid == sha)
    }
}

/// One advisory of the GitHub Advisory Database (the fields we read).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Advisory {
    pub ghsa_id: String,
    #[serde(default)]
    pub summary: String,
    /// `low`, `medium`, `high`, `critical` (or `unknown`).
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub withdrawn_at: Option<String>,
    #[serde(default)]
    pub vulnerabilities: Vec<AdvisoryVulnerability>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AdvisoryVulnerability {
    pub package: AdvisoryPackage,
    /// `>= 1.0.0, < 1.2.3`, `< 2`, `= 1.0.0`.
    #[serde(default)]
    pub vulnerable_version_range: Option<String>,
    /// A string in the current API version (`{"identifier": ...}` in old
    /// ones; both are read).
    #[serde(default, deserialize_with = "patched_version")]
    pub first_patched_version: Option<String>,
}

fn patched_version<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match value {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Object(o)) => o
            .get("identifier")
            .and_then(|i| i.as_str())
            .map(str::to_owned),
        _ => None,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AdvisoryPackage {
    pub ecosystem: String,
    pub name: String,
}

/// Does `version` fall in an advisory's `vulnerable_version_range`
/// (comma-separated comparisons that must all hold)? `None` when the range
/// cannot be read.
pub fn in_version_range(version: &Version, range: &str) -> Option<bool> {
    let mut any = false;
    for part in range.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (op, bound) = ["<=", ">=", "<", ">", "="]
            .iter()
            .find_map(|op| part.strip_prefix(op).map(|rest| (*op, rest.trim())))
            .unwrap_or(("=", part));
        let bound = Version::parse(bound)?;
        let order = version.cmp_precedence(&bound);
        let holds = match op {
            "<=" => order.is_le(),
            ">=" => order.is_ge(),
            "<" => order.is_lt(),
            ">" => order.is_gt(),
            _ => order.is_eq(),
        };
        if !holds {
            return Some(false);
        }
        any = true;
    }
    any.then_some(true)
}

/// Why a repository's refs could not be listed although the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoUnavailable {
    pub url: String,
    pub status: u16,
}

/// A forge client with a per-run cache of ls-refs results.
#[derive(Debug)]
pub struct Remote {
    config: RemoteConfig,
    /// git smart-HTTP (`ls-refs`).
    client: Client,
    /// Drives octocrab's futures; `block_on` around each REST call.
    runtime: tokio::runtime::Runtime,
    /// The REST client, built on the first REST call (most runs make none;
    /// building it loads the system's root certificates).
    rest: OnceCell<Octocrab>,
    cache: RefCell<HashMap<String, Rc<Result<RepoRefs, RepoUnavailable>>>>,
    /// REST answers already fetched in this run, by path.
    rest_cache: RefCell<HashMap<String, Option<serde_json::Value>>>,
    /// How many ls-refs round trips were made (for tests and the summary).
    pub ls_refs_calls: RefCell<u32>,
}

/// The outcome of a single HTTP exchange.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Remote {
    pub fn new(config: RemoteConfig) -> Result<Remote, Failure> {
        // ring, not aws-lc: no C toolchain needed for static musl builds.
        // An error only means a provider was installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(15)))
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| Failure::infra(format!("cannot set up the HTTP client: {e}")))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::infra(format!("cannot start the async runtime: {e}")))?;
        Ok(Remote {
            config,
            client,
            runtime,
            rest: OnceCell::new(),
            cache: RefCell::new(HashMap::new()),
            rest_cache: RefCell::new(HashMap::new()),
            ls_refs_calls: RefCell::new(0),
        })
    }

    fn repo_url(&self, owner: &str, repo: &str) -> String {
        format!(
            "{}/{owner}/{repo}.git",
            self.config.git_base.as_str().trim_end_matches('/')
        )
    }

    /// The refs of `owner/repo`: from the run's cache, or one ls-refs.
    pub fn refs(
        &self,
        owner: &str,
        repo: &str,
    ) -> Result<Rc<Result<RepoRefs, RepoUnavailable>>, Failure> {
        let url = self.repo_url(owner, repo);
        let key = url.to_ascii_lowercase();
        if let Some(hit) = self.cache.borrow().get(&key) {
            return Ok(Rc::clone(hit));
        }
        let result = match self.read_disk_cache(&key) {
            Some(refs) => Ok(refs),
            None => {
                let fetched = self.ls_refs(&url)?;
                if let Ok(refs) = &fetched {
                    self.write_disk_cache(&key, refs);
                }
                fetched
            }
        };
        let result = Rc::new(result);
        self.cache.borrow_mut().insert(key, Rc::clone(&result));
        Ok(result)
    }

    fn disk_cache_path(&self, key: &str) -> Option<PathBuf> {
        let dir = self.config.cache_dir.as_ref()?;
        let digest = Sha256::digest(key.as_bytes());
        let name: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        Some(dir.join(format!("ls-refs-{name}.json")))
    }

    fn read_disk_cache(&self, key: &str) -> Option<RepoRefs> {
        let text = std::fs::read(self.disk_cache_path(key)?).ok()?;
        let refs: RepoRefs = serde_json::from_slice(&text).ok()?;
        (refs.url.to_ascii_lowercase() == key).then_some(refs)
    }

    fn write_disk_cache(&self, key: &str, refs: &RepoRefs) {
        let Some(path) = self.disk_cache_path(key) else {
            return;
        };
        // The cache only saves round trips; failing to write it is harmless.
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(text) = serde_json::to_vec(refs) {
            let _ = std::fs::write(path, text);
        }
    }

    fn connect_timeout(&self) -> Duration {
        self.config.timeout.min(Duration::from_secs(15))
    }

    /// `GET info/refs` with `Git-Protocol: version=2`, then `POST
    /// git-upload-pack` with `command=ls-refs` (or the v0 advertisement when
    /// the server does not speak v2).
    fn ls_refs(&self, repo_url: &str) -> Result<Result<RepoRefs, RepoUnavailable>, Failure> {
        *self.ls_refs_calls.borrow_mut() += 1;
        let info_url = format!("{repo_url}/info/refs?service=git-upload-pack");
        let answer = self.git_send(&info_url, || {
            self.git_auth(
                self.client
                    .get(&info_url)
                    .header("Git-Protocol", "version=2"),
            )
        })?;
        if matches!(answer.status, 401 | 403 | 404) {
            return Ok(Err(RepoUnavailable {
                url: info_url,
                status: answer.status,
            }));
        }
        if answer.status != 200 {
            return Err(Failure::infra(format!(
                "GET {info_url} answered HTTP {}; expected 200 from a git smart-HTTP server",
                answer.status
            )));
        }
        let advertisement = pktline::parse_advertisement(&answer.body).map_err(|e| {
            Failure::infra(format!("GET {info_url}: malformed ref advertisement: {e}"))
        })?;
        let refs = match advertisement {
            Advertisement::V0 { refs } => refs,
            Advertisement::V2 { capabilities } => {
                if !capabilities
                    .iter()
                    .any(|c| c == "ls-refs" || c.starts_with("ls-refs="))
                {
                    return Err(Failure::infra(format!(
                        "GET {info_url}: the server speaks protocol v2 but offers no ls-refs"
                    )));
                }
                let post_url = format!("{repo_url}/git-upload-pack");
                let body = pktline::ls_refs_request(USER_AGENT);
                let answer = self.git_send(&post_url, || {
                    self.git_auth(
                        self.client
                            .post(&post_url)
                            .header("Git-Protocol", "version=2")
                            .header("Content-Type", "application/x-git-upload-pack-request")
                            .header("Accept", "application/x-git-upload-pack-result")
                            .body(body.clone()),
                    )
                })?;
                if answer.status != 200 {
                    return Err(Failure::infra(format!(
                        "POST {post_url} (ls-refs) answered HTTP {}",
                        answer.status
                    )));
                }
                pktline::parse_ls_refs(&answer.body).map_err(|e| {
                    Failure::infra(format!("POST {post_url}: malformed ls-refs response: {e}"))
                })?
            }
        };
        Ok(Ok(RepoRefs {
            url: repo_url.to_owned(),
            refs: refs.into_iter().map(CachedRef::from).collect(),
        }))
    }

    fn git_auth(&self, request: RequestBuilder) -> RequestBuilder {
        match &self.config.token {
            Some(token) => request.basic_auth("x-access-token", Some(token)),
            None => request,
        }
    }

    /// The octocrab client for the REST base URL, built on first use inside
    /// the runtime (its request buffer spawns a task there).
    fn rest_client(&self) -> Result<&Octocrab, Failure> {
        if let Some(client) = self.rest.get() {
            return Ok(client);
        }
        let base = self.config.api_base.as_str().trim_end_matches('/');
        let setup = |e: &dyn std::error::Error| {
            Failure::infra(format!(
                "cannot set up the REST client for {base}: {}",
                describe(e)
            ))
        };
        let _context = self.runtime.enter();
        // octocrab sends `X-GitHub-Api-Version: 2022-11-28` itself.
        let mut builder = Octocrab::builder()
            .base_uri(base)
            .map_err(|e| setup(&e))?
            .add_header(
                reqwest::header::ACCEPT,
                "application/vnd.github+json".to_owned(),
            )
            .set_connect_timeout(Some(self.connect_timeout()))
            .set_read_timeout(Some(self.config.timeout))
            .set_write_timeout(Some(self.config.timeout));
        if let Some(token) = &self.config.token {
            builder = builder.personal_token(token.clone());
        }
        let client = builder.build().map_err(|e| setup(&e))?;
        Ok(self.rest.get_or_init(|| client))
    }

    /// One REST GET through octocrab, with the same timeout, retries and
    /// size limit as the git calls. `url` is absolute (the REST base and
    /// `path`), so the URL requested is the URL every message names, and
    /// octocrab attaches the token only for the base's host.
    fn rest_get(&self, path: &str) -> Result<(String, Answer), Failure> {
        let url = format!(
            "{}{path}",
            self.config.api_base.as_str().trim_end_matches('/')
        );
        // Percent-encode what a ref name may hold that a URI may not.
        let uri = Url::parse(&url)
            .map_err(|e| Failure::infra(format!("GET {url}: not a valid URL: {e}")))?;
        let client = self.rest_client()?;
        let timeout = self.config.timeout;
        let answer = self.send(
            &url,
            || {
                let deadline = tokio::time::Instant::now() + timeout;
                self.runtime
                    .block_on(async {
                        tokio::time::timeout_at(deadline, client._get(uri.as_str())).await
                    })
                    .map_err(|_| "operation timed out".to_owned())?
                    .map(|response| (response, deadline))
                    .map_err(|e| describe(&e))
            },
            |(response, _)| response.status().as_u16(),
            |(response, deadline)| {
                self.runtime.block_on(async {
                    let mut body = response.into_body();
                    let mut bytes = Vec::new();
                    while bytes.len() as u64 <= MAX_BODY {
                        let frame = tokio::time::timeout_at(deadline, body.frame())
                            .await
                            .map_err(|_| "operation timed out".to_owned())?;
                        let Some(frame) = frame else { break };
                        if let Ok(data) = frame.map_err(|e| describe(&e))?.into_data() {
                            bytes.extend_from_slice(&data);
                        }
                    }
                    Ok(bytes)
                })
            },
        )?;
        if answer.status == 401 || answer.status == 403 {
            return Err(Failure::infra(format!(
                "GET {url} answered HTTP {} (rate limited or not authorised); set GITHUB_TOKEN or GH_TOKEN (or --token) to a token that may read it",
                answer.status
            )));
        }
        Ok((url, answer))
    }

    fn rest_json(&self, path: &str) -> Result<Option<serde_json::Value>, Failure> {
        if let Some(hit) = self.rest_cache.borrow().get(path) {
            return Ok(hit.clone());
        }
        let (url, answer) = self.rest_get(path)?;
        let value =
            match answer.status {
                404 | 422 => None,
                200 => Some(serde_json::from_slice(&answer.body).map_err(|e| {
                    Failure::infra(format!("GET {url}: the answer is not JSON: {e}"))
                })?),
                status => return Err(Failure::infra(format!("GET {url} answered HTTP {status}"))),
            };
        self.rest_cache
            .borrow_mut()
            .insert(path.to_owned(), value.clone());
        Ok(value)
    }

    /// `GET /repos/{o}/{r}/compare/{base}...{head}`: the `status` field
    /// (`identical`, `behind`, `ahead`, `diverged`), or `None` when the API
    /// knows no such comparison (404).
    pub fn compare(
        &self,
        owner: &str,
        repo: &str,
        base: &str,
        head: &str,
    ) -> Result<Option<String>, Failure> {
        let path = format!("/repos/{owner}/{repo}/compare/{base}...{head}");
        let Some(json) = self.rest_json(&path)? else {
            return Ok(None);
        };
        match json.get("status").and_then(|s| s.as_str()) {
            Some(status) => Ok(Some(status.to_owned())),
            None => Err(Failure::infra(format!(
                "GET {}{path}: the answer has no \"status\"",
                self.config.api_base
            ))),
        }
    }

    /// Is `sha` on a branch or tag of `owner/repo`? First the advertised
    /// refs themselves (no request), then the compare API from the most
    /// likely refs: the commit `hint` names (a version comment), the
    /// default branch, other branches, release tags newest first, other
    /// tags. One call per distinct ref commit; a 404 (no common history)
    /// means "not on it". Returns the answer and how many ref commits were
    /// compared.
    pub fn commit_on_refs(
        &self,
        owner: &str,
        repo: &str,
        refs: &RepoRefs,
        sha: &str,
        hint: Option<&str>,
    ) -> Result<(bool, usize), Failure> {
        if refs.names_commit(sha) {
            return Ok((true, 0));
        }
        let mut candidates: Vec<&str> = Vec::new();
        if let Some(label) = hint
            && let Some((_, commit)) = refs.resolve(label)
        {
            candidates.push(commit);
        }
        if let Some(head) = refs.default_branch() {
            candidates.push(head.commit());
        }
        candidates.extend(
            refs.refs
                .iter()
                .filter(|r| r.name.starts_with("refs/heads/"))
                .map(|r| r.commit()),
        );
        let releases = refs.releases();
        candidates.extend(releases.iter().map(|r| r.2));
        candidates.extend(
            refs.refs
                .iter()
                .filter(|r| r.name.starts_with("refs/tags/"))
                .map(|r| r.commit()),
        );
        let mut seen = std::collections::HashSet::new();
        for base in candidates {
            if !seen.insert(base) {
                continue;
            }
            if let Some(status) = self.compare(owner, repo, base, sha)?
                && (status == "identical" || status == "behind")
            {
                return Ok((true, seen.len()));
            }
        }
        Ok((false, seen.len()))
    }

    /// The reviewed advisories of the GitHub Advisory Database for the
    /// action `owner/repo`: `GET /advisories?ecosystem=actions&affects=...`.
    /// One page of 100 (an action with more advisories than that is refused
    /// rather than judged on part of them).
    pub fn advisories(&self, owner: &str, repo: &str) -> Result<Vec<Advisory>, Failure> {
        let path = format!("/advisories?ecosystem=actions&affects={owner}/{repo}&per_page=100");
        let url = format!(
            "{}{path}",
            self.config.api_base.as_str().trim_end_matches('/')
        );
        let Some(json) = self.rest_json(&path)? else {
            return Err(Failure::infra(format!(
                "GET {url} found no advisory database (HTTP 404 or 422); on GitHub Enterprise Server it needs GitHub Connect; run without --online or point --api-url at api.github.com"
            )));
        };
        let advisories: Vec<Advisory> = serde_json::from_value(json).map_err(|e| {
            Failure::infra(format!(
                "GET {url}: the answer is not a list of advisories: {e}"
            ))
        })?;
        if advisories.len() >= 100 {
            return Err(Failure::infra(format!(
                "GET {url}: {owner}/{repo} has 100 or more advisories, more than one page; refusing to judge it on part of them"
            )));
        }
        Ok(advisories)
    }

    /// When a release became available: the GitHub release's `published_at`
    /// for `tag`, or (a tag without a release) the commit's committer date.
    pub fn release_time(
        &self,
        owner: &str,
        repo: &str,
        tag: &str,
        commit: &str,
    ) -> Result<DateTime<Utc>, Failure> {
        let release_path = format!("/repos/{owner}/{repo}/releases/tags/{tag}");
        if let Some(json) = self.rest_json(&release_path)?
            && let Some(time) = json.get("published_at").and_then(|t| t.as_str())
        {
            return parse_time(time, &release_path);
        }
        let commit_path = format!("/repos/{owner}/{repo}/commits/{commit}");
        let json = self.rest_json(&commit_path)?.ok_or_else(|| {
            Failure::infra(format!(
                "GET {}{commit_path} found no commit {commit} for tag {tag}",
                self.config.api_base
            ))
        })?;
        let time = json
            .pointer("/commit/committer/date")
            .and_then(|t| t.as_str())
            .ok_or_else(|| {
                Failure::infra(format!(
                    "GET {}{commit_path}: no commit.committer.date in the answer",
                    self.config.api_base
                ))
            })?;
        parse_time(time, &commit_path)
    }

    /// Send a git smart-HTTP request with reqwest's blocking client.
    fn git_send(&self, url: &str, build: impl Fn() -> RequestBuilder) -> Result<Answer, Failure> {
        self.send(
            url,
            || build().send().map_err(|e| describe(&e)),
            |response: &Response| response.status().as_u16(),
            |response| {
                let mut body = Vec::new();
                response
                    .take(MAX_BODY + 1)
                    .read_to_end(&mut body)
                    .map_err(|e| e.to_string())?;
                Ok(body)
            },
        )
    }

    /// Make an exchange, retrying transient failures with a doubling pause.
    /// `exchange` sends the request (an error is a transport failure),
    /// `status` reads the response's status, and `read` its body, of which
    /// at most `MAX_BODY + 1` bytes are needed.
    fn send<R>(
        &self,
        url: &str,
        mut exchange: impl FnMut() -> Result<R, String>,
        status: impl Fn(&R) -> u16,
        read: impl Fn(R) -> Result<Vec<u8>, String>,
    ) -> Result<Answer, Failure> {
        let attempts = self.config.retries.saturating_add(1);
        let mut pause = self.config.backoff;
        let mut last_error = String::new();
        for attempt in 1..=attempts {
            match exchange() {
                Ok(response) => {
                    let status = status(&response);
                    let transient = status == 429 || status >= 500;
                    if !transient || attempt == attempts {
                        let body = read(response).map_err(|e| {
                            Failure::infra(format!("reading the answer of {url} failed: {e}"))
                        })?;
                        if body.len() as u64 > MAX_BODY {
                            return Err(Failure::infra(format!(
                                "the answer of {url} exceeds {MAX_BODY} bytes; refusing it"
                            )));
                        }
                        if transient {
                            return Err(Failure::infra(format!(
                                "{url} answered HTTP {status} after {attempts} attempt(s)"
                            )));
                        }
                        return Ok(Answer { status, body });
                    }
                    last_error = format!("HTTP {status}");
                }
                Err(error) => {
                    last_error = error;
                    if attempt == attempts {
                        break;
                    }
                }
            }
            eprintln!(
                "ci-intel-policy: {url}: {last_error}; retry {attempt}/{} in {}ms",
                attempts - 1,
                pause.as_millis()
            );
            std::thread::sleep(pause);
            pause = pause.saturating_mul(2);
        }
        Err(Failure::infra(format!(
            "cannot reach {url} after {attempts} attempt(s): {last_error}; check the network and --host/--api-url"
        )))
    }
}

/// An error with its causes, which reqwest and octocrab keep in the source
/// chain (octocrab also repeats a cause in its own message: said once).
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn parse_time(text: &str, path: &str) -> Result<DateTime<Utc>, Failure> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Failure::infra(format!("{path}: date {text:?} is not RFC 3339: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_must_be_https_except_loopback() {
        assert!(check_base_url("--host", "https://github.example.com/").is_ok());
        assert!(check_base_url("--host", "http://127.0.0.1:8080").is_ok());
        assert!(check_base_url("--host", "http://[::1]:8080").is_ok());
        assert!(check_base_url("--host", "http://localhost").is_ok());
        assert!(check_base_url("--host", "http://github.example.com").is_err());
        assert!(check_base_url("--host", "ftp://127.0.0.1").is_err());
        assert!(check_base_url("--host", "not a url").is_err());
    }

    #[test]
    fn advisory_ranges() {
        let v = |t: &str| Version::parse(t).unwrap();
        assert_eq!(
            in_version_range(&v("2.1.0"), ">= 2.0.0, < 2.2.0"),
            Some(true)
        );
        assert_eq!(
            in_version_range(&v("v2.2.0"), ">= 2.0.0, < 2.2.0"),
            Some(false)
        );
        assert_eq!(
            in_version_range(&v("1.9.9"), ">= 2.0.0, < 2.2.0"),
            Some(false)
        );
        assert_eq!(in_version_range(&v("1.0.0"), "<= 1.0.0"), Some(true));
        assert_eq!(in_version_range(&v("1.0.0"), "= 1.0.0"), Some(true));
        assert_eq!(in_version_range(&v("1.0.1"), "1.0.0"), Some(false));
        assert_eq!(in_version_range(&v("1.0.0"), "< banana"), None);
        assert_eq!(in_version_range(&v("1.0.0"), ""), None);
    }

    #[test]
    fn patched_versions_as_string_or_object() {
        let read = |v: serde_json::Value| -> Option<String> {
            serde_json::from_value::<AdvisoryVulnerability>(serde_json::json!({
                "package": {"ecosystem": "actions", "name": "a/b"},
                "first_patched_version": v
            }))
            .unwrap()
            .first_patched_version
        };
        assert_eq!(read(serde_json::json!("1.2.3")).as_deref(), Some("1.2.3"));
        assert_eq!(
            read(serde_json::json!({"identifier": "v2"})).as_deref(),
            Some("v2")
        );
        assert_eq!(read(serde_json::Value::Null), None);
    }

    proptest::proptest! {
        /// Advisory ranges come from the network: any text is answered
        /// (Some or None), never a panic.
        #[test]
        fn any_range_text_is_judged_without_panicking(range in ".{0,60}", v in "[0-9v.]{1,12}") {
            if let Some(version) = Version::parse(&v) {
                let _ = in_version_range(&version, &range);
            }
        }
    }

    #[test]
    fn api_base_follows_the_host() {
        let gh = Url::parse("https://github.com").unwrap();
        assert_eq!(default_api_base(&gh), "https://api.github.com");
        let ghes = Url::parse("https://git.example.com/").unwrap();
        assert_eq!(default_api_base(&ghes), "https://git.example.com/api/v3");
    }

    #[test]
    fn releases_sort_newest_first_and_resolve_prefers_tags() {
        let r = |name: &str, oid: &str| CachedRef {
            name: name.to_owned(),
            oid: oid.to_owned(),
            peeled: None,
            symref_target: None,
        };
        let refs = RepoRefs {
            url: "u".to_owned(),
            refs: vec![
                r("refs/tags/v1.2.0", "b"),
                r("refs/tags/v1.10.0", "c"),
                r("refs/tags/v1", "c"),
                r("refs/tags/v2.0.0-rc.1", "d"),
                r("refs/heads/v1.2.0", "z"),
            ],
        };
        let names: Vec<&str> = refs.releases().iter().map(|r| r.1).collect();
        assert_eq!(names, ["v1.10.0", "v1.2.0"]);
        assert_eq!(refs.resolve("v1.2.0"), Some((RefKind::Tag, "b")));
    }
}
