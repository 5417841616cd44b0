//! A registry as a [`Source`], and pushing evidence ([`push`]).
//!
//! oci-client does authentication (anonymous, Basic, bearer token
//! exchange), manifest pulls by digest, blob pulls and blob pushes. Three
//! things it does not expose are made with reqwest on the same rustls
//! stack, with the same credentials: the referrers endpoint (oci-client's
//! `pull_referrers` hides `OCI-Filters-Applied` and `Link` pagination, and
//! turns errors into "no referrers"), tag reads with their `ETag`, and
//! manifest PUTs with `If-Match` / `If-None-Match` and the `OCI-Subject`
//! response header.
//!
//! Every call has a timeout; failures to connect, timeouts, 429 and 5xx
//! are retried a bounded number of times with backoff, each retry logged
//! on standard error; what still fails is an infrastructure error (exit 3).
//! Plain HTTP is used only for registries named with
//! `--insecure-registry HOST:PORT`.

pub mod push;

use std::future::Future;
use std::time::Duration;

use ci_intel_core::{Failure, RunnerEnv};
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap};

use crate::creds;
use crate::digest::Digest;
use crate::parse::{self, Descriptor};
use crate::source::{ApiListing, Fetched, MAX_BLOB_BYTES, ReferrersPage, Source, check_blob};

/// How to reach registries.
#[derive(Debug, Clone)]
pub struct NetworkOptions {
    /// `HOST:PORT` registries reached over plain HTTP.
    pub insecure: Vec<String>,
    pub timeout: Duration,
    pub retries: u32,
    /// Log each request on standard error.
    pub verbose: bool,
}

impl Default for NetworkOptions {
    fn default() -> Self {
        NetworkOptions {
            insecure: Vec::new(),
            timeout: Duration::from_secs(30),
            retries: 2,
            verbose: false,
        }
    }
}

/// One repository on one registry.
pub struct Registry {
    rt: tokio::runtime::Runtime,
    client: Client,
    http: reqwest::Client,
    registry: String,
    repository: String,
    origin: String,
    auth: RegistryAuth,
    /// `Authorization` values per operation, once negotiated.
    pull_header: Option<Option<String>>,
    push_header: Option<Option<String>>,
    options: NetworkOptions,
    requests: u64,
    credential_origin: Option<String>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("origin", &self.origin)
            .field("repository", &self.repository)
            .field("credentials", &self.credential_origin())
            .field("requests", &self.requests)
            .finish_non_exhaustive()
    }
}

/// A tag read with its `ETag`.
#[derive(Debug, Clone)]
pub struct Tagged {
    pub fetched: Fetched,
    pub etag: Option<String>,
}

/// What a manifest PUT answered.
#[derive(Debug, Clone)]
pub struct PutOutcome {
    pub status: u16,
    /// `OCI-Subject`, when the registry processed the `subject`.
    pub oci_subject: Option<String>,
    /// `400 MANIFEST_BLOB_UNKNOWN`: a blob the manifest names is not (yet)
    /// visible; distribution 2.8 answers this transiently while concurrent
    /// uploads of the same blob commit.
    pub blob_unknown: bool,
}

/// Why one attempt failed, and whether another may succeed.
enum Attempt {
    Retry(String),
    Fatal(Failure),
}

impl Registry {
    /// Connect to `registry` (`HOST[:PORT]`) for `repository`.
    pub fn new(
        registry: &str,
        repository: &str,
        options: NetworkOptions,
        env: &RunnerEnv,
    ) -> Result<Registry, Failure> {
        // reqwest (rustls-no-provider) uses the process default: ring.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::infra(format!("cannot start the async runtime: {e}")))?;
        let insecure = options.insecure.iter().any(|h| h == registry);
        let config = ClientConfig {
            protocol: ClientProtocol::HttpsExcept(options.insecure.clone()),
            read_timeout: Some(options.timeout),
            connect_timeout: Some(options.timeout),
            user_agent: concat!("ci-intel-oci/", env!("CARGO_PKG_VERSION")),
            ..ClientConfig::default()
        };
        let client = Client::new(config);
        let http = reqwest::Client::builder()
            .connect_timeout(options.timeout)
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ci-intel-oci/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Failure::infra(format!("cannot build the HTTP client: {e}")))?;
        let credential = creds::lookup(registry, env)
            .map_err(|e| Failure::usage(format!("credentials: {e}")))?;
        let credential_origin = credential.as_ref().map(|c| c.origin.clone());
        let auth = match credential {
            Some(c) => RegistryAuth::Basic(c.username, c.password),
            None => RegistryAuth::Anonymous,
        };
        Ok(Registry {
            rt,
            client,
            http,
            registry: registry.to_owned(),
            repository: repository.to_owned(),
            // Docker Hub's API host is not its name.
            origin: format!(
                "{}://{}",
                if insecure { "http" } else { "https" },
                match registry {
                    "docker.io" | "index.docker.io" => "registry-1.docker.io",
                    other => other,
                }
            ),
            auth,
            pull_header: None,
            push_header: None,
            options,
            requests: 0,
            credential_origin,
        })
    }

    /// `anonymous` or where the credential came from.
    pub fn credential_origin(&self) -> &str {
        self.credential_origin.as_deref().unwrap_or("anonymous")
    }

    pub fn repository(&self) -> &str {
        &self.repository
    }

    fn reference_digest(&self, digest: &Digest) -> Reference {
        Reference::with_digest(
            self.registry.clone(),
            self.repository.clone(),
            digest.to_string(),
        )
    }

    fn log(&self, line: &str) {
        if self.options.verbose {
            eprintln!("ci-intel-oci: {line}");
        }
    }

    /// Run `attempt` with the timeout, retrying what may pass next time.
    fn retrying<T, F, Fut>(&mut self, what: &str, mut attempt: F) -> Result<T, Failure>
    where
        F: FnMut(&mut Self) -> Fut,
        Fut: Future<Output = Result<T, Attempt>>,
    {
        let tries = self.options.retries + 1;
        let mut last = String::new();
        for n in 1..=tries {
            self.requests += 1;
            self.log(what);
            let timeout = self.options.timeout;
            let fut = attempt(self);
            let outcome = self
                .rt
                .block_on(async { tokio::time::timeout(timeout, fut).await });
            match outcome {
                Ok(Ok(value)) => return Ok(value),
                Ok(Err(Attempt::Fatal(failure))) => return Err(failure),
                Ok(Err(Attempt::Retry(why))) => last = why,
                Err(_) => last = format!("no answer within {}s", timeout.as_secs()),
            }
            if n < tries {
                let wait = Duration::from_millis(250 * (1 << (n - 1)));
                eprintln!(
                    "ci-intel-oci: retry {n}/{} of {what} in {}ms: {last}",
                    tries - 1,
                    wait.as_millis()
                );
                std::thread::sleep(wait);
            }
        }
        Err(Failure::infra(format!(
            "{what}: {last} (after {tries} attempt(s)); the registry {} is unreachable or failing: this is not a pass",
            self.origin
        )))
    }

    /// The `Authorization` header for `op`, negotiated once.
    fn authorization(&mut self, op: RegistryOperation) -> Result<Option<String>, Failure> {
        let cached = match op {
            RegistryOperation::Pull => &self.pull_header,
            RegistryOperation::Push => &self.push_header,
        };
        if let Some(header) = cached {
            return Ok(header.clone());
        }
        let reference = Reference::with_tag(
            self.registry.clone(),
            self.repository.clone(),
            "latest".to_owned(),
        );
        let header = self.retrying("authenticate", |reg| {
            let (client, auth, reference) =
                (reg.client.clone(), reg.auth.clone(), reference.clone());
            async move {
                match client.auth(&reference, &auth, op).await {
                    Ok(Some(token)) => Ok(Some(format!("Bearer {token}"))),
                    Ok(None) => Ok(match &auth {
                        RegistryAuth::Basic(u, p) => {
                            use base64::Engine as _;
                            Some(format!(
                                "Basic {}",
                                base64::engine::general_purpose::STANDARD
                                    .encode(format!("{u}:{p}"))
                            ))
                        }
                        RegistryAuth::Bearer(t) => Some(format!("Bearer {t}")),
                        RegistryAuth::Anonymous => None,
                    }),
                    Err(e) => Err(classify(&e, "authenticate")),
                }
            }
        })?;
        match op {
            RegistryOperation::Pull => self.pull_header = Some(header.clone()),
            RegistryOperation::Push => self.push_header = Some(header.clone()),
        }
        Ok(header)
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v2/{}/{path}", self.origin, self.repository)
    }

    /// GET a manifest by tag or digest, with its `ETag`.
    pub fn get_tag(&mut self, tag: &str) -> Result<Option<Tagged>, Failure> {
        let auth = self.authorization(RegistryOperation::Pull)?;
        let url = self.url(&format!("manifests/{tag}"));
        self.retrying(&format!("GET {url}"), |reg| {
            let request = reg.http.get(&url).header(ACCEPT, parse::MANIFEST_ACCEPT);
            let request = with_auth(request, auth.as_deref());
            let url = url.clone();
            async move {
                let response = request.send().await.map_err(|e| transport(&url, &e))?;
                let status = response.status();
                if status == StatusCode::NOT_FOUND {
                    return Ok(None);
                }
                let headers = response.headers().clone();
                let body = read_limited(response, parse::MAX_MANIFEST_BYTES as u64, &url).await?;
                check_status(status, &url, &body)?;
                Ok(Some(Tagged {
                    fetched: Fetched {
                        bytes: body,
                        content_type: header(&headers, "content-type"),
                    },
                    etag: header(&headers, "etag"),
                }))
            }
        })
    }

    /// PUT a manifest at `reference` (a tag or a digest), optionally
    /// conditional.
    pub fn put_manifest(
        &mut self,
        reference: &str,
        bytes: &[u8],
        media_type: &str,
        condition: Option<(&'static str, &str)>,
    ) -> Result<PutOutcome, Failure> {
        let auth = self.authorization(RegistryOperation::Push)?;
        let url = self.url(&format!("manifests/{reference}"));
        let body = bytes.to_vec();
        let media_type = media_type.to_owned();
        self.retrying(&format!("PUT {url}"), |reg| {
            let mut request = reg
                .http
                .put(&url)
                .header(CONTENT_TYPE, media_type.clone())
                .body(body.clone());
            if let Some((name, value)) = condition {
                request = request.header(name, value);
            }
            let request = with_auth(request, auth.as_deref());
            let url = url.clone();
            async move {
                let response = request.send().await.map_err(|e| transport(&url, &e))?;
                let status = response.status();
                let subject = header(response.headers(), "oci-subject");
                if status == StatusCode::PRECONDITION_FAILED {
                    return Ok(PutOutcome {
                        status: 412,
                        oci_subject: subject,
                        blob_unknown: false,
                    });
                }
                let body = read_limited(response, 64 * 1024, &url).await?;
                if status == StatusCode::BAD_REQUEST
                    && String::from_utf8_lossy(&body).contains("MANIFEST_BLOB_UNKNOWN")
                {
                    return Ok(PutOutcome {
                        status: 400,
                        oci_subject: subject,
                        blob_unknown: true,
                    });
                }
                check_status(status, &url, &body)?;
                Ok(PutOutcome {
                    status: status.as_u16(),
                    oci_subject: subject,
                    blob_unknown: false,
                })
            }
        })
    }

    /// Push a blob unless the registry has it (`force`: push anyway).
    pub fn push_blob(&mut self, bytes: &[u8], digest: &Digest, force: bool) -> Result<(), Failure> {
        self.authorization(RegistryOperation::Push)?;
        let reference = self.reference_digest(digest);
        let exists = !force
            && self.retrying(&format!("HEAD blob {digest}"), |reg| {
                let (client, reference, digest) =
                    (reg.client.clone(), reference.clone(), digest.to_string());
                async move {
                    match client.blob_exists(&reference, &digest).await {
                        Ok(exists) => Ok(exists),
                        Err(e) => Err(classify(&e, "HEAD blob")),
                    }
                }
            })?;
        if exists {
            return Ok(());
        }
        let data = bytes.to_vec();
        self.retrying(&format!("push blob {digest}"), |reg| {
            let (client, reference, digest, data) = (
                reg.client.clone(),
                reference.clone(),
                digest.to_string(),
                data.clone(),
            );
            async move {
                client
                    .push_blob(&reference, data, &digest)
                    .await
                    .map(|_| ())
                    .map_err(|e| classify(&e, "push blob"))
            }
        })
    }

    /// Whether the registry honours `If-None-Match: *` on a manifest PUT:
    /// re-PUT a manifest it already holds (by digest, so harmless) under
    /// that condition. 412 means yes; a 2xx means it ignores conditions.
    pub fn honours_conditions(
        &mut self,
        digest: &Digest,
        bytes: &[u8],
        media_type: &str,
    ) -> Result<bool, Failure> {
        let outcome = self.put_manifest(
            &digest.to_string(),
            bytes,
            media_type,
            Some(("If-None-Match", "*")),
        )?;
        Ok(outcome.status == 412)
    }
}

fn with_auth(request: reqwest::RequestBuilder, auth: Option<&str>) -> reqwest::RequestBuilder {
    match auth {
        Some(value) => request.header(AUTHORIZATION, value),
        None => request,
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn transport(url: &str, e: &reqwest::Error) -> Attempt {
    Attempt::Retry(format!("{url}: {}", error_chain(e)))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

async fn read_limited(
    response: reqwest::Response,
    limit: u64,
    url: &str,
) -> Result<Vec<u8>, Attempt> {
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(Attempt::Fatal(Failure::infra(format!(
            "{url}: the response is over the {limit}-byte limit"
        ))));
    }
    let mut response = response;
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Attempt::Retry(format!("{url}: {}", error_chain(&e))))?
    {
        body.extend_from_slice(&chunk);
        if body.len() as u64 > limit {
            return Err(Attempt::Fatal(Failure::infra(format!(
                "{url}: the response is over the {limit}-byte limit"
            ))));
        }
    }
    Ok(body)
}

/// 2xx passes; 429 and 5xx may pass next time; other codes are final.
fn check_status(status: StatusCode, url: &str, body: &[u8]) -> Result<(), Attempt> {
    if status.is_success() {
        return Ok(());
    }
    let text: String = String::from_utf8_lossy(body).chars().take(300).collect();
    let message = format!("{url}: HTTP {status}: {}", text.trim());
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return Err(Attempt::Retry(message));
    }
    let failure = if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        Failure::infra(format!(
            "{message}; check the credentials (docker login, or GITHUB_TOKEN with packages permission for ghcr.io)"
        ))
    } else {
        Failure::infra(message)
    };
    Err(Attempt::Fatal(failure))
}

fn classify(e: &OciDistributionError, what: &str) -> Attempt {
    let retry = match e {
        // A status error (`error_for_status`) arrives here too: a 5xx or
        // 429 answer is as retryable as a ServerError.
        OciDistributionError::RequestError(r) => {
            r.is_timeout()
                || r.is_connect()
                || r.is_request()
                || r.status()
                    .is_some_and(|s| s.is_server_error() || s.as_u16() == 429)
        }
        OciDistributionError::ServerError { code, .. } => *code >= 500 || *code == 429,
        OciDistributionError::RegistryError { envelope, .. } => envelope
            .errors
            .iter()
            .any(|e| matches!(e.code, OciErrorCode::Toomanyrequests)),
        _ => false,
    };
    let text = format!("{what}: {}", error_chain(e));
    if retry {
        Attempt::Retry(text)
    } else {
        Attempt::Fatal(Failure::infra(text))
    }
}

impl Source for Registry {
    fn describe(&self) -> String {
        format!("registry {}/{}", self.origin, self.repository)
    }

    /// By digest, with the same GET as a tag read: oci-client's
    /// `pull_manifest_raw` negotiates authentication again (`GET /v2/`) on
    /// every call to an anonymous registry, a second request per manifest.
    fn manifest(&mut self, digest: &Digest) -> Result<Option<Fetched>, Failure> {
        Ok(self.get_tag(&digest.to_string())?.map(|t| t.fetched))
    }

    fn tag(&mut self, tag: &str) -> Result<Option<Fetched>, Failure> {
        Ok(self.get_tag(tag)?.map(|t| t.fetched))
    }

    fn referrers(
        &mut self,
        subject: &Digest,
        artifact_type: Option<&str>,
    ) -> Result<ApiListing, Failure> {
        let auth = self.authorization(RegistryOperation::Pull)?;
        let mut url = self.url(&format!("referrers/{subject}"));
        if let Some(t) = artifact_type {
            url.push_str("?artifactType=");
            url.push_str(&percent_encode(t));
        }
        let mut pages = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        loop {
            if !seen.insert(url.clone()) || pages.len() >= 1000 {
                return Err(Failure::infra(format!(
                    "{}: the referrers pagination of {subject} loops or runs past 1000 pages at {url}",
                    self.describe()
                )));
            }
            let page = self.retrying(&format!("GET {url}"), |reg| {
                let request = reg.http.get(&url).header(ACCEPT, parse::OCI_INDEX);
                let request = with_auth(request, auth.as_deref());
                let url = url.clone();
                async move {
                    let response = request.send().await.map_err(|e| transport(&url, &e))?;
                    let status = response.status();
                    if status == StatusCode::NOT_FOUND {
                        return Ok(None);
                    }
                    let headers = response.headers().clone();
                    let body =
                        read_limited(response, parse::MAX_MANIFEST_BYTES as u64, &url).await?;
                    check_status(status, &url, &body)?;
                    Ok(Some((
                        ReferrersPage {
                            fetched: Fetched {
                                bytes: body,
                                content_type: header(&headers, "content-type"),
                            },
                            filters_applied: header(&headers, "oci-filters-applied")
                                .map(|h| parse::parse_filters_applied(&h))
                                .unwrap_or_default(),
                        },
                        header(&headers, "link"),
                    )))
                }
            })?;
            let Some((page, link)) = page else {
                if pages.is_empty() {
                    return Ok(ApiListing::Unsupported);
                }
                return Err(Failure::infra(format!(
                    "{}: page {} of the referrers of {subject} answered 404 after earlier pages answered",
                    self.describe(),
                    pages.len() + 1
                )));
            };
            pages.push(page);
            match link.as_deref().and_then(parse::parse_link_next) {
                None => return Ok(ApiListing::Listed(pages)),
                Some(next) => {
                    url = parse::resolve_link(&self.origin, &next).map_err(|e| {
                        Failure::infra(format!("{}: referrers of {subject}: {e}", self.describe()))
                    })?;
                }
            }
        }
    }

    fn blob(&mut self, descriptor: &Descriptor) -> Result<Vec<u8>, Failure> {
        if descriptor.size > MAX_BLOB_BYTES {
            return Err(Failure::infra(format!(
                "blob {} is {} bytes, over the {MAX_BLOB_BYTES}-byte limit",
                descriptor.digest, descriptor.size
            )));
        }
        self.authorization(RegistryOperation::Pull)?;
        let reference = self.reference_digest(&descriptor.digest);
        let layer = oci_client::manifest::OciDescriptor {
            media_type: descriptor.media_type.clone(),
            digest: descriptor.digest.to_string(),
            size: i64::try_from(descriptor.size).unwrap_or(i64::MAX),
            ..Default::default()
        };
        let bytes = self.retrying(&format!("GET blob {}", descriptor.digest), |reg| {
            let (client, reference, layer) = (reg.client.clone(), reference.clone(), layer.clone());
            async move {
                let mut out: Vec<u8> = Vec::new();
                match client.pull_blob(&reference, &layer, &mut out).await {
                    Ok(()) => Ok(out),
                    Err(e) => Err(classify(&e, "GET blob")),
                }
            }
        })?;
        check_blob(descriptor, &bytes, &self.describe())?;
        Ok(bytes)
    }

    fn requests(&self) -> u64 {
        self.requests
    }
}

/// Percent-encode a query value (RFC 3986 unreserved characters pass).
pub fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 5xx that reaches us as reqwest's status error (oci-client's
    /// `blob_exists` reports a HEAD that way) is retried like a
    /// `ServerError`; a 404 is not. distribution answers 500 under
    /// concurrent writes to one blob, and that used to end a push at once.
    #[test]
    fn status_errors_of_5xx_and_429_are_retried() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("runtime: {e}"));
        for (status, retried) in [(500, true), (503, true), (429, true), (404, false)] {
            let listener =
                std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
            let addr = listener
                .local_addr()
                .unwrap_or_else(|e| panic!("addr: {e}"));
            std::thread::spawn(move || {
                use std::io::{Read, Write};
                if let Ok((mut stream, _)) = listener.accept() {
                    let mut buf = [0u8; 4096];
                    let _ = stream.read(&mut buf);
                    let _ = stream.write_all(
                        format!(
                            "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                        )
                        .as_bytes(),
                    );
                }
            });
            let error = runtime.block_on(async {
                reqwest::Client::new()
                    .head(format!("http://{addr}/v2/repo/blobs/sha256:00"))
                    .send()
                    .await
                    .and_then(reqwest::Response::error_for_status)
                    .expect_err("the server answers an error status")
            });
            let attempt = classify(&OciDistributionError::RequestError(error), "HEAD blob");
            assert_eq!(
                matches!(attempt, Attempt::Retry(_)),
                retried,
                "HTTP {status}"
            );
        }
    }
}
