//! Shared by the integration tests: an in-test registry that follows the
//! distribution spec (with the referrers API the Debian registry lacks),
//! the real `docker-registry` (CNCF distribution 2.8), `skopeo` and `oras`.

#![allow(dead_code)] // each test file uses a part

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ci_intel_oci::digest::Digest;
use ci_intel_oci::parse;
use serde_json::{Value, json};

/// A free port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// How the in-test registry behaves.
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// Serve `GET /v2/<name>/referrers/<digest>` (else 404, as distribution 2.8).
    pub referrers_api: bool,
    /// Apply `?artifactType=` and say so in `OCI-Filters-Applied`.
    pub filtering: bool,
    /// Referrers per page (a `Link` header for the next page).
    pub page_size: Option<usize>,
    /// Honour `If-Match` / `If-None-Match` on manifest PUTs.
    pub conditional: bool,
    /// Answer a missing `sha256-<hex>` tag with the subject itself (a
    /// registry that normalises such tags to digests).
    pub normalise_fallback_tags: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            referrers_api: true,
            filtering: true,
            page_size: None,
            conditional: true,
            normalise_fallback_tags: false,
        }
    }
}

#[derive(Debug, Default)]
struct Repo {
    manifests: HashMap<String, (Vec<u8>, String)>,
    tags: HashMap<String, String>,
    blobs: HashMap<String, Vec<u8>>,
}

#[derive(Debug, Default)]
struct Store {
    repos: HashMap<String, Repo>,
    uploads: HashMap<String, Vec<u8>>,
    next_upload: u64,
}

/// Worker threads of the in-test registry (concurrent pushers overlap).
const WORKERS: usize = 4;

/// A registry following the distribution spec (1.1), in this process.
pub struct TestRegistry {
    pub addr: String,
    pub requests: Arc<AtomicU64>,
    store: Arc<Mutex<Store>>,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        // Each unblock releases one waiting worker.
        for _ in 0..WORKERS {
            self.server.unblock();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl TestRegistry {
    pub fn start(behaviour: Behaviour) -> TestRegistry {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0"));
        let addr = server
            .server_addr()
            .to_ip()
            .expect("ip address")
            .to_string();
        let store = Arc::new(Mutex::new(Store::default()));
        let requests = Arc::new(AtomicU64::new(0));
        let (s, st, rq) = (server.clone(), store.clone(), requests.clone());
        let thread = std::thread::spawn(move || {
            // A few workers so concurrent pushers really overlap.
            let workers: Vec<_> = (0..WORKERS)
                .map(|_| {
                    let (s, st, rq, b) = (s.clone(), st.clone(), rq.clone(), behaviour.clone());
                    std::thread::spawn(move || {
                        while let Ok(request) = s.recv() {
                            rq.fetch_add(1, Ordering::SeqCst);
                            handle(request, &st, &b);
                        }
                    })
                })
                .collect();
            for w in workers {
                let _ = w.join();
            }
        });
        TestRegistry {
            addr,
            requests,
            store,
            server,
            thread: Some(thread),
        }
    }

    /// Store a manifest (by digest, and under `tag`) directly.
    pub fn put_manifest(
        &self,
        repo: &str,
        bytes: &[u8],
        media_type: &str,
        tag: Option<&str>,
    ) -> Digest {
        let digest = Digest::sha256_of(bytes);
        let mut store = self.store.lock().unwrap();
        let r = store.repos.entry(repo.to_owned()).or_default();
        r.manifests
            .insert(digest.to_string(), (bytes.to_vec(), media_type.to_owned()));
        if let Some(tag) = tag {
            r.tags.insert(tag.to_owned(), digest.to_string());
        }
        digest
    }

    pub fn put_blob(&self, repo: &str, bytes: &[u8]) -> Digest {
        let digest = Digest::sha256_of(bytes);
        let mut store = self.store.lock().unwrap();
        store
            .repos
            .entry(repo.to_owned())
            .or_default()
            .blobs
            .insert(digest.to_string(), bytes.to_vec());
        digest
    }

    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// Load every blob of an OCI layout and every manifest it tags.
    pub fn load_layout(&self, repo: &str, dir: &Path) {
        let index: Value =
            serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
        for entry in std::fs::read_dir(dir.join("blobs/sha256")).unwrap() {
            let entry = entry.unwrap();
            self.put_blob(repo, &std::fs::read(entry.path()).unwrap());
        }
        let mut pending: Vec<(String, String, Option<String>)> = index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["digest"].as_str().unwrap().to_owned(),
                    m["mediaType"].as_str().unwrap().to_owned(),
                    m["annotations"]["org.opencontainers.image.ref.name"]
                        .as_str()
                        .map(str::to_owned),
                )
            })
            .collect();
        // Children of indexes are manifests too.
        let mut i = 0;
        while i < pending.len() {
            let (digest, media_type, tag) = pending[i].clone();
            let hex = digest.trim_start_matches("sha256:");
            let bytes = std::fs::read(dir.join("blobs/sha256").join(hex)).unwrap();
            self.put_manifest(repo, &bytes, &media_type, tag.as_deref());
            if let Ok(doc) = serde_json::from_slice::<Value>(&bytes)
                && let Some(children) = doc["manifests"].as_array()
            {
                for c in children {
                    let d = c["digest"].as_str().unwrap().to_owned();
                    if !pending.iter().any(|p| p.0 == d) {
                        pending.push((d, c["mediaType"].as_str().unwrap().to_owned(), None));
                    }
                }
            }
            i += 1;
        }
    }
}

fn respond(request: tiny_http::Request, status: u16, headers: &[(&str, String)], body: Vec<u8>) {
    let mut response = tiny_http::Response::from_data(body).with_status_code(status);
    for (k, v) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

fn error(request: tiny_http::Request, status: u16, code: &str) {
    let body = json!({"errors": [{"code": code, "message": code.to_lowercase()}]});
    respond(
        request,
        status,
        &[("Content-Type", "application/json".into())],
        serde_json::to_vec(&body).unwrap(),
    );
}

fn header(request: &tiny_http::Request, name: &str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str().to_owned())
}

fn query(url: &str) -> HashMap<String, String> {
    url.split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), percent_decode(v)))
                .collect()
        })
        .unwrap_or_default()
}

fn percent_decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 3 <= bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn handle(mut request: tiny_http::Request, store: &Mutex<Store>, b: &Behaviour) {
    let url = request.url().to_owned();
    let path = url.split('?').next().unwrap_or("").to_owned();
    let method = request.method().as_str().to_owned();
    if path == "/v2/" || path == "/v2" {
        return respond(request, 200, &[], b"{}".to_vec());
    }
    let Some(rest) = path.strip_prefix("/v2/") else {
        return error(request, 404, "NOT_FOUND");
    };
    let mut body = Vec::new();
    let _ = request.as_reader().read_to_end(&mut body);
    for (marker, kind) in [
        ("/manifests/", "manifests"),
        ("/blobs/uploads", "uploads"),
        ("/blobs/", "blobs"),
        ("/referrers/", "referrers"),
    ] {
        if let Some(at) = rest.rfind(marker) {
            let name = rest[..at].to_owned();
            let reference = rest[at + marker.len()..].trim_start_matches('/').to_owned();
            return match kind {
                "manifests" => manifests(request, store, b, &method, &name, &reference, body),
                "uploads" => uploads(request, store, &method, &name, &reference, &url, body),
                "blobs" => blobs(request, store, &method, &name, &reference),
                _ => referrers(request, store, b, &name, &reference, &url),
            };
        }
    }
    error(request, 404, "NOT_FOUND")
}

fn manifests(
    request: tiny_http::Request,
    store: &Mutex<Store>,
    b: &Behaviour,
    method: &str,
    name: &str,
    reference: &str,
    body: Vec<u8>,
) {
    let mut store = store.lock().unwrap();
    let repo = store.repos.entry(name.to_owned()).or_default();
    let resolve = |repo: &Repo, reference: &str| -> Option<String> {
        if reference.contains(':') {
            repo.manifests
                .contains_key(reference)
                .then(|| reference.to_owned())
        } else {
            repo.tags.get(reference).cloned()
        }
    };
    match method {
        "GET" | "HEAD" => {
            let mut digest = resolve(repo, reference);
            if digest.is_none()
                && b.normalise_fallback_tags
                && let Some(hex) = reference.strip_prefix("sha256-")
                && repo.manifests.contains_key(&format!("sha256:{hex}"))
            {
                digest = Some(format!("sha256:{hex}"));
            }
            let Some(digest) = digest else {
                drop(store);
                return error(request, 404, "MANIFEST_UNKNOWN");
            };
            let (bytes, media_type) = repo.manifests[&digest].clone();
            drop(store);
            let headers = [
                ("Content-Type", media_type),
                ("Docker-Content-Digest", digest.clone()),
                ("ETag", format!("\"{digest}\"")),
            ];
            let body = if method == "HEAD" { Vec::new() } else { bytes };
            respond(request, 200, &headers, body)
        }
        "PUT" => {
            let digest = Digest::sha256_of(&body).to_string();
            if reference.contains(':') && reference != digest {
                drop(store);
                return error(request, 400, "DIGEST_INVALID");
            }
            if b.conditional {
                let current = resolve(repo, reference);
                if let Some(want) = header(&request, "If-Match") {
                    let etag = current.as_ref().map(|d| format!("\"{d}\""));
                    if etag.as_deref() != Some(want.trim()) && want.trim() != "*" {
                        drop(store);
                        return error(request, 412, "PRECONDITION_FAILED");
                    }
                }
                if header(&request, "If-None-Match").is_some_and(|v| v.trim() == "*")
                    && current.is_some()
                {
                    drop(store);
                    return error(request, 412, "PRECONDITION_FAILED");
                }
            }
            let doc: Value = match serde_json::from_slice(&body) {
                Ok(v) => v,
                Err(_) => {
                    drop(store);
                    return error(request, 400, "MANIFEST_INVALID");
                }
            };
            let media_type = header(&request, "Content-Type").unwrap_or_default();
            repo.manifests.insert(digest.clone(), (body, media_type));
            if !reference.contains(':') {
                repo.tags.insert(reference.to_owned(), digest.clone());
            }
            drop(store);
            let mut headers = vec![
                ("Location", format!("/v2/{name}/manifests/{digest}")),
                ("Docker-Content-Digest", digest),
            ];
            if b.referrers_api
                && let Some(subject) = doc["subject"]["digest"].as_str()
            {
                headers.push(("OCI-Subject", subject.to_owned()));
            }
            respond(request, 201, &headers, Vec::new())
        }
        _ => {
            drop(store);
            error(request, 405, "UNSUPPORTED")
        }
    }
}

fn blobs(
    request: tiny_http::Request,
    store: &Mutex<Store>,
    method: &str,
    name: &str,
    digest: &str,
) {
    let store = store.lock().unwrap();
    let bytes = store
        .repos
        .get(name)
        .and_then(|r| r.blobs.get(digest))
        .cloned();
    drop(store);
    match bytes {
        None => error(request, 404, "BLOB_UNKNOWN"),
        Some(bytes) => {
            let headers = [
                ("Content-Type", "application/octet-stream".to_owned()),
                ("Docker-Content-Digest", digest.to_owned()),
                ("Content-Length", bytes.len().to_string()),
            ];
            let body = if method == "HEAD" { Vec::new() } else { bytes };
            let mut response = tiny_http::Response::from_data(body).with_status_code(200);
            for (k, v) in headers {
                if k == "Content-Length" && method != "HEAD" {
                    continue;
                }
                response
                    .add_header(tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap());
            }
            let _ = request.respond(response);
        }
    }
}

fn uploads(
    request: tiny_http::Request,
    store: &Mutex<Store>,
    method: &str,
    name: &str,
    id: &str,
    url: &str,
    body: Vec<u8>,
) {
    let q = query(url);
    let mut store = store.lock().unwrap();
    let finish = |store: &mut Store, data: Vec<u8>, digest: &str| -> bool {
        if Digest::sha256_of(&data).to_string() != digest {
            return false;
        }
        store
            .repos
            .entry(name.to_owned())
            .or_default()
            .blobs
            .insert(digest.to_owned(), data);
        true
    };
    match method {
        "POST" => {
            if let Some(digest) = q.get("digest") {
                let ok = finish(&mut store, body, digest);
                drop(store);
                return if ok {
                    respond(
                        request,
                        201,
                        &[("Location", format!("/v2/{name}/blobs/{digest}"))],
                        Vec::new(),
                    )
                } else {
                    error(request, 400, "DIGEST_INVALID")
                };
            }
            store.next_upload += 1;
            let id = format!("u{}", store.next_upload);
            store.uploads.insert(id.clone(), body);
            drop(store);
            respond(
                request,
                202,
                &[
                    ("Location", format!("/v2/{name}/blobs/uploads/{id}")),
                    ("Range", "0-0".into()),
                ],
                Vec::new(),
            )
        }
        "PATCH" => {
            let Some(data) = store.uploads.get_mut(id) else {
                drop(store);
                return error(request, 404, "BLOB_UPLOAD_UNKNOWN");
            };
            data.extend_from_slice(&body);
            let end = data.len().saturating_sub(1);
            drop(store);
            respond(
                request,
                202,
                &[
                    ("Location", format!("/v2/{name}/blobs/uploads/{id}")),
                    ("Range", format!("0-{end}")),
                ],
                Vec::new(),
            )
        }
        "PUT" => {
            let Some(mut data) = store.uploads.remove(id) else {
                drop(store);
                return error(request, 404, "BLOB_UPLOAD_UNKNOWN");
            };
            data.extend_from_slice(&body);
            let digest = q.get("digest").cloned().unwrap_or_default();
            let ok = finish(&mut store, data, &digest);
            drop(store);
            if ok {
                respond(
                    request,
                    201,
                    &[("Location", format!("/v2/{name}/blobs/{digest}"))],
                    Vec::new(),
                )
            } else {
                error(request, 400, "DIGEST_INVALID")
            }
        }
        _ => {
            drop(store);
            error(request, 405, "UNSUPPORTED")
        }
    }
}

/// distribution-spec "Listing Referrers": every manifest in the repository
/// whose `subject` is the digest, as descriptors with `artifactType` (else
/// the config media type) and the manifest's annotations; `artifactType`
/// filtering with `OCI-Filters-Applied`; pages linked by `Link`.
fn referrers(
    request: tiny_http::Request,
    store: &Mutex<Store>,
    b: &Behaviour,
    name: &str,
    digest: &str,
    url: &str,
) {
    if !b.referrers_api {
        return error(request, 404, "NOT_FOUND");
    }
    if Digest::parse(digest).is_err() {
        return error(request, 400, "DIGEST_INVALID");
    }
    let q = query(url);
    let store = store.lock().unwrap();
    let mut entries: Vec<Value> = Vec::new();
    if let Some(repo) = store.repos.get(name) {
        for (d, (bytes, media_type)) in &repo.manifests {
            let Ok(doc) = serde_json::from_slice::<Value>(bytes) else {
                continue;
            };
            if doc["subject"]["digest"].as_str() != Some(digest) {
                continue;
            }
            let mut entry = json!({
                "mediaType": doc["mediaType"].as_str().unwrap_or(media_type),
                "digest": d,
                "size": bytes.len(),
            });
            let artifact_type = doc["artifactType"]
                .as_str()
                .or_else(|| doc["config"]["mediaType"].as_str());
            if let Some(t) = artifact_type {
                entry["artifactType"] = json!(t);
            }
            if doc["annotations"].is_object() {
                entry["annotations"] = doc["annotations"].clone();
            }
            entries.push(entry);
        }
    }
    drop(store);
    entries.sort_by(|a, b| a["digest"].as_str().cmp(&b["digest"].as_str()));
    let mut headers = vec![("Content-Type", parse::OCI_INDEX.to_owned())];
    if b.filtering
        && let Some(t) = q.get("artifactType")
    {
        entries.retain(|e| e["artifactType"].as_str() == Some(t));
        headers.push(("OCI-Filters-Applied", "artifactType".to_owned()));
    }
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(0);
    if let Some(size) = b.page_size {
        let total = entries.len();
        entries = entries.into_iter().skip(page * size).take(size).collect();
        if (page + 1) * size < total {
            let mut next = format!("/v2/{name}/referrers/{digest}?page={}", page + 1);
            if let Some(t) = q.get("artifactType") {
                next.push_str(&format!(
                    "&artifactType={}",
                    t.replace('/', "%2F").replace('+', "%2B")
                ));
            }
            headers.push(("Link", format!("<{next}>; rel=\"next\"")));
        }
    }
    let body = json!({"schemaVersion": 2, "mediaType": parse::OCI_INDEX, "manifests": entries});
    respond(request, 200, &headers, serde_json::to_vec(&body).unwrap())
}

/// An artifact manifest with `subject`, as bytes, and its blob.
pub fn artifact(
    artifact_type: &str,
    content: &[u8],
    subject: &Digest,
    subject_media_type: &str,
    subject_size: usize,
) -> Vec<u8> {
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": parse::OCI_MANIFEST,
        "artifactType": artifact_type,
        "config": {"mediaType": parse::OCI_EMPTY, "digest": Digest::sha256_of(b"{}").to_string(), "size": 2},
        "layers": [{"mediaType": "application/json", "digest": Digest::sha256_of(content).to_string(), "size": content.len()}],
        "subject": {"mediaType": subject_media_type, "digest": subject.to_string(), "size": subject_size},
    });
    serde_json::to_vec(&manifest).unwrap()
}

/// The Debian `docker-registry` (CNCF distribution 2.8), started on a free
/// port with its own storage, or the one `.ci/run` started
/// (`CI_INTEL_OCI_REGISTRY`). `None` (after printing why) when neither.
pub struct DockerRegistry {
    pub addr: String,
    pub log: Option<PathBuf>,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for DockerRegistry {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl DockerRegistry {
    /// Start a private instance (isolated storage, its own log).
    pub fn start() -> Option<DockerRegistry> {
        let program = ci_intel_testkit::tool("CI_INTEL_DOCKER_REGISTRY", "docker-registry")?;
        let dir = tempfile::tempdir().ok()?;
        let port = free_port();
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
                dir.path().join("data").display()
            ),
        )
        .ok()?;
        let log = dir.path().join("registry.log");
        let log_file = std::fs::File::create(&log).ok()?;
        let child = Command::new(program)
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .ok()?;
        let addr = format!("127.0.0.1:{port}");
        let registry = DockerRegistry {
            addr: addr.clone(),
            log: Some(log),
            child: Some(child),
            _dir: Some(dir),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(&addr).is_ok() {
                return Some(registry);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        ci_intel_testkit::skip_or_fail("docker-registry did not start listening within 20s");
        None
    }

    /// The shared instance `.ci/run` started, else a private one.
    pub fn shared_or_start() -> Option<DockerRegistry> {
        match std::env::var("CI_INTEL_OCI_REGISTRY") {
            Ok(addr) if !addr.is_empty() => Some(DockerRegistry {
                addr,
                log: None,
                child: None,
                _dir: None,
            }),
            _ => DockerRegistry::start(),
        }
    }

    /// Requests the registry logged so far (its access log).
    pub fn logged_requests(&self) -> Option<usize> {
        let text = std::fs::read_to_string(self.log.as_ref()?).ok()?;
        Some(
            text.lines()
                .filter(|l| {
                    l.contains("\"GET ")
                        || l.contains("\"HEAD ")
                        || l.contains("\"PUT ")
                        || l.contains("\"POST ")
                        || l.contains("\"PATCH ")
                })
                .count(),
        )
    }
}

/// A repository name no other test uses.
pub fn unique_repo(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// `skopeo`, or `None` after printing why.
pub fn skopeo() -> Option<PathBuf> {
    ci_intel_testkit::tool("CI_INTEL_SKOPEO", "skopeo")
}

/// Copy `oci:LAYOUT:TAG` into `ADDR/REPO:TAG` with skopeo (plain HTTP).
pub fn skopeo_copy(
    skopeo: &Path,
    layout: &Path,
    tag: &str,
    addr: &str,
    repo: &str,
    index_only: bool,
) {
    let mut cmd = Command::new(skopeo);
    cmd.arg("copy").arg("-q").arg("--dest-tls-verify=false");
    if index_only {
        cmd.args(["--multi-arch", "index-only"]);
    } else {
        cmd.args(["--all", "--preserve-digests"]);
    }
    let out = cmd
        .arg(format!("oci:{}:{tag}", layout.display()))
        .arg(format!("docker://{addr}/{repo}:{tag}"))
        .output()
        .expect("run skopeo");
    assert!(
        out.status.success(),
        "skopeo copy {tag}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A Python with the `oras` package (PyPI): `$CI_INTEL_ORAS_PYTHON`, or
/// `None` after printing why.
pub fn oras_python() -> Option<PathBuf> {
    let python = ci_intel_testkit::tool("CI_INTEL_ORAS_PYTHON", "ci-intel-oras-python-unset")?;
    let ok = Command::new(&python)
        .args(["-c", "import oras.provider"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        ci_intel_testkit::skip_or_fail(&format!("{} cannot import oras", python.display()));
        return None;
    }
    Some(python)
}

/// Run a Python script with arguments; its standard output.
pub fn python(python: &Path, script: &str, args: &[&str]) -> String {
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "python failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The regclient test layouts from the shared corpus.
pub fn testrepo() -> Option<PathBuf> {
    ci_intel_testkit::corpus("oci/regclient-testrepo/testrepo")
}

pub fn bin() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("ci-intel-oci").expect("binary");
    cmd.env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("HOME", "/nonexistent-home")
        .env_remove("DOCKER_CONFIG")
        .env_remove("CI_INTEL_ORG_POLICY")
        .current_dir(std::env::temp_dir());
    cmd
}
