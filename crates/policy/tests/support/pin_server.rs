//! Test peers for `pin`: fixture repositories made with `git`, served by the
//! real `git http-backend` (CGI) behind a loopback HTTP server, and a small
//! REST fake whose answers are computed from the same repositories with git.

#![allow(dead_code)] // each test file uses a different part

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// Run git with a clean, deterministic environment and return stdout.
pub fn git(dir: &Path, args: &[&str], date: &str) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Fixture")
        .env("GIT_AUTHOR_EMAIL", "fixture@example.com")
        .env("GIT_COMMITTER_NAME", "Fixture")
        .env("GIT_COMMITTER_EMAIL", "fixture@example.com")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

const OLD: &str = "2020-01-01T00:00:00Z";

/// The fixture repositories and the commits tests refer to.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    /// GIT_PROJECT_ROOT: holds `acme/tool.git`.
    pub project_root: PathBuf,
    /// Named commits: c1 (v1.0.0), c2 (v1.2.0, v1), c2b (main, untagged),
    /// c3 (v2.0.0), c4 (v2.1.0, recent, main's head), impostor.
    pub commits: HashMap<&'static str, String>,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        let project_root = dir.path().join("srv");
        std::fs::create_dir_all(project_root.join("acme")).unwrap();
        let mut commits = HashMap::new();
        git(&work, &["init", "-q", "-b", "main"], OLD);
        let commit = |name: &str, date: &str| {
            std::fs::write(work.join("VERSION"), name).unwrap();
            git(&work, &["add", "VERSION"], date);
            git(&work, &["commit", "-q", "-m", name], date);
            git(&work, &["rev-parse", "HEAD"], date)
        };
        commits.insert("c1", commit("c1", "2020-01-01T00:00:00Z"));
        git(&work, &["tag", "v1.0.0"], OLD); // lightweight
        commits.insert("c2", commit("c2", "2020-06-01T00:00:00Z"));
        let at = "2020-06-01T00:00:00Z";
        git(&work, &["tag", "-a", "v1.2.0", "-m", "release v1.2.0"], at);
        git(&work, &["tag", "-a", "v1", "-m", "major v1"], at);
        git(&work, &["branch", "release/1.x"], at);
        commits.insert("c2b", commit("c2b", "2020-09-01T00:00:00Z"));
        commits.insert("c3", commit("c3", "2021-01-01T00:00:00Z"));
        let at = "2021-01-01T00:00:00Z";
        git(&work, &["tag", "-a", "v2.0.0", "-m", "release v2.0.0"], at);
        git(&work, &["tag", "v2.1.0-rc.1"], at);
        let now = chrono::Utc::now().to_rfc3339();
        commits.insert("c4", commit("c4", &now));
        git(
            &work,
            &["tag", "-a", "v2.1.0", "-m", "release v2.1.0"],
            &now,
        );
        let bare = project_root.join("acme/tool.git");
        git(
            dir.path(),
            &[
                "clone",
                "-q",
                "--bare",
                work.to_str().unwrap(),
                bare.to_str().unwrap(),
            ],
            OLD,
        );
        // An impostor: an object in the repository that no ref reaches (on
        // GitHub it would live in a fork of the same network).
        let tree = git(&bare, &["rev-parse", "v1.0.0^{tree}"], OLD);
        let impostor = git(
            &bare,
            &["commit-tree", &tree, "-p", &commits["c1"], "-m", "evil"],
            OLD,
        );
        commits.insert("impostor", impostor);
        Fixture {
            dir,
            project_root,
            commits,
        }
    }

    pub fn bare(&self) -> PathBuf {
        self.project_root.join("acme/tool.git")
    }

    /// A tag's object id as stored (the tag object for annotated tags).
    pub fn rev(&self, rev: &str) -> String {
        git(&self.bare(), &["rev-parse", rev], OLD)
    }
}

/// A loopback HTTP server: `git http-backend` for `/{owner}/{repo}.git/...`
/// and the REST fake for `/api/...`.
pub struct Server {
    pub url: String,
    pub requests: Arc<Mutex<Vec<String>>>,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What the REST fake knows besides the repositories.
#[derive(Clone, Default)]
pub struct RestData {
    /// tag → release `published_at`.
    pub releases: HashMap<String, String>,
    /// `owner/repo` (lower case) → the advisories `GET /advisories?affects=`
    /// answers for it (a JSON array); other repositories get `[]`.
    pub advisories: HashMap<String, serde_json::Value>,
}

impl Server {
    pub fn start(project_root: &Path, rest: RestData) -> Server {
        let root = project_root.to_path_buf();
        Server::with_handler(move |method, path, query, headers, body| {
            if path == "/api/advisories" {
                advisories_fake(&rest, query)
            } else if let Some(api) = path.strip_prefix("/api") {
                rest_fake(&root, &rest, api)
            } else {
                http_backend(&root, method, path, query, headers, body)
            }
        })
    }

    /// A server that answers every request with `handler`.
    pub fn with_handler<F>(handler: F) -> Server
    where
        F: Fn(&str, &str, &str, &HashMap<String, String>, Vec<u8>) -> Reply + Send + 'static,
    {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        let srv = Arc::clone(&server);
        let thread = std::thread::spawn(move || {
            for mut request in srv.incoming_requests() {
                let method = request.method().as_str().to_owned();
                let full = request.url().to_owned();
                let (path, query) = full.split_once('?').unwrap_or((&full, ""));
                let headers: HashMap<String, String> = request
                    .headers()
                    .iter()
                    .map(|h| {
                        (
                            h.field.as_str().as_str().to_ascii_lowercase(),
                            h.value.as_str().to_owned(),
                        )
                    })
                    .collect();
                let mut body = Vec::new();
                let _ = request.as_reader().read_to_end(&mut body);
                log.lock().unwrap().push(format!("{method} {full}"));
                let reply = handler(&method, path, query, &headers, body);
                let mut response =
                    tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
                for (name, value) in reply.headers {
                    if let Ok(header) =
                        tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
                    {
                        response.add_header(header);
                    }
                }
                let _ = request.respond(response);
            }
        });
        Server {
            url,
            requests,
            server,
            thread: Some(thread),
        }
    }

    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body: body.into(),
        }
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Reply {
        Reply::new(status, "application/json", value.to_string())
    }
}

/// Run `git http-backend` as a CGI script for one request.
pub fn http_backend(
    root: &Path,
    method: &str,
    path: &str,
    query: &str,
    headers: &HashMap<String, String>,
    body: Vec<u8>,
) -> Reply {
    let mut command = Command::new("git");
    command
        .arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", method)
        .env("QUERY_STRING", query)
        .env("PATH_INFO", path)
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(content_type) = headers.get("content-type") {
        command.env("CONTENT_TYPE", content_type);
    }
    if let Some(protocol) = headers.get("git-protocol") {
        command.env("GIT_PROTOCOL", protocol);
        command.env("HTTP_GIT_PROTOCOL", protocol);
    }
    let mut child = command.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write as _;
        let _ = stdin.write_all(&body);
    });
    let output = child.wait_with_output().unwrap();
    let _ = writer.join();
    parse_cgi(&output.stdout)
}

/// Split CGI output into status, headers and body.
fn parse_cgi(out: &[u8]) -> Reply {
    let (head, body) = match find(out, b"\r\n\r\n") {
        Some(i) => (&out[..i], &out[i + 4..]),
        None => match find(out, b"\n\n") {
            Some(i) => (&out[..i], &out[i + 2..]),
            None => (&out[..0], out),
        },
    };
    let mut status = 200;
    let mut headers = Vec::new();
    for line in String::from_utf8_lossy(head).lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            status = value
                .split_whitespace()
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(500);
        } else {
            headers.push((name.to_owned(), value.to_owned()));
        }
    }
    Reply {
        status,
        headers,
        body: body.to_vec(),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The REST endpoints `pin` uses, answered from the fixture repositories.
pub fn rest_fake(root: &Path, data: &RestData, path: &str) -> Reply {
    let parts: Vec<&str> = path.trim_start_matches('/').splitn(5, '/').collect();
    let not_found = || Reply::json(404, &serde_json::json!({"message": "Not Found"}));
    let ["repos", owner, repo, kind, rest] = parts.as_slice() else {
        return not_found();
    };
    let bare = root.join(owner).join(format!("{repo}.git"));
    if !bare.is_dir() {
        return not_found();
    }
    let run = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(&bare)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap()
    };
    let exists = |rev: &str| {
        run(&["cat-file", "-e", &format!("{rev}^{{commit}}")])
            .status
            .success()
    };
    match *kind {
        "compare" => {
            let Some((base, head)) = rest.split_once("...") else {
                return not_found();
            };
            if !exists(base) || !exists(head) {
                return not_found();
            }
            let ancestor =
                |a: &str, b: &str| run(&["merge-base", "--is-ancestor", a, b]).status.success();
            let status = if run(&["rev-parse", base]).stdout == run(&["rev-parse", head]).stdout {
                "identical"
            } else if ancestor(head, base) {
                "behind"
            } else if ancestor(base, head) {
                "ahead"
            } else {
                "diverged"
            };
            Reply::json(200, &serde_json::json!({ "status": status }))
        }
        "commits" => {
            if !exists(rest) {
                return not_found();
            }
            let out = run(&["show", "-s", "--format=%cI", rest]);
            let date = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            Reply::json(
                200,
                &serde_json::json!({ "sha": rest, "commit": { "committer": { "date": date } } }),
            )
        }
        "releases" => {
            let tag = rest.strip_prefix("tags/").unwrap_or_default();
            match data.releases.get(tag) {
                Some(published) => Reply::json(
                    200,
                    &serde_json::json!({ "tag_name": tag, "published_at": published }),
                ),
                None => not_found(),
            }
        }
        _ => not_found(),
    }
}

/// `GET /advisories?ecosystem=actions&affects=OWNER/REPO`, as GitHub's
/// global advisories endpoint answers it: a JSON array. Anything else than
/// the actions ecosystem and one `affects` package is a 422.
pub fn advisories_fake(data: &RestData, query: &str) -> Reply {
    let params: HashMap<&str, &str> = query.split('&').filter_map(|p| p.split_once('=')).collect();
    let (Some("actions"), Some(affects)) =
        (params.get("ecosystem").copied(), params.get("affects"))
    else {
        return Reply::json(422, &serde_json::json!({"message": "Validation Failed"}));
    };
    let key = affects.replace("%2F", "/").to_ascii_lowercase();
    let found = data
        .advisories
        .get(&key)
        .cloned()
        .unwrap_or_else(|| serde_json::json!([]));
    Reply::json(200, &found)
}

/// A port on 127.0.0.1 that nothing listens on.
pub fn dead_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The `ci-intel-policy` binary with no Actions or token environment.
pub fn tool() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("ci-intel-policy").unwrap();
    for var in [
        "GITHUB_ACTIONS",
        "GITHUB_OUTPUT",
        "GITHUB_ENV",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "RUNNER_TEMP",
    ] {
        cmd.env_remove(var);
    }
    cmd
}
