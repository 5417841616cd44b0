//! `upsert-issue` against a local server that speaks the subset of
//! GitHub's REST API it uses (search issues, list issues, create and
//! update an issue), with the JSON shapes GitHub documents, recording every
//! request. There is no GitHub here; the exact calls are asserted.

#![cfg(feature = "github")]
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use assert_cmd::Command;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
struct Call {
    method: String,
    url: String,
    body: Value,
    auth: Option<String>,
}

type Reply = (u16, Vec<(&'static str, String)>, Value);

struct Server {
    url: String,
    calls: Arc<Mutex<Vec<Call>>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// A server answering each request with `reply(call, index)`.
    fn start(reply: impl Fn(&Call, usize) -> Reply + Send + 'static) -> Server {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let calls = Arc::new(Mutex::new(Vec::new()));
        let (s, c) = (server.clone(), calls.clone());
        let thread = std::thread::spawn(move || {
            while let Ok(mut request) = s.recv() {
                let mut text = String::new();
                let _ = request.as_reader().read_to_string(&mut text);
                let call = Call {
                    method: request.method().to_string(),
                    url: request.url().to_owned(),
                    body: serde_json::from_str(&text).unwrap_or(Value::Null),
                    auth: request
                        .headers()
                        .iter()
                        .find(|h| h.field.equiv("Authorization"))
                        .map(|h| h.value.to_string()),
                };
                let index = {
                    let mut calls = c.lock().unwrap();
                    calls.push(call.clone());
                    calls.len() - 1
                };
                let (status, headers, body) = reply(&call, index);
                let mut response = tiny_http::Response::from_string(body.to_string())
                    .with_status_code(status)
                    .with_header(
                        tiny_http::Header::from_bytes(
                            "Content-Type",
                            "application/json; charset=utf-8",
                        )
                        .unwrap(),
                    );
                for (name, value) in headers {
                    response = response.with_header(
                        tiny_http::Header::from_bytes(name, value.as_bytes()).unwrap(),
                    );
                }
                let _ = request.respond(response);
            }
        });
        Server {
            url,
            calls,
            server,
            thread: Some(thread),
        }
    }

    fn calls(&self) -> Vec<(String, String)> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .map(|c| (c.method.clone(), c.url.clone()))
            .collect()
    }

    fn call(&self, i: usize) -> Call {
        self.calls.lock().unwrap()[i].clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// An issue object with the fields GitHub documents for `GET /repos/{o}/{r}/issues/{n}`.
fn issue(number: u64, state: &str, body: &str) -> Value {
    json!({
        "id": 1000 + number,
        "node_id": format!("I_kwDOtest{number}"),
        "url": format!("https://api.github.com/repos/o/r/issues/{number}"),
        "repository_url": "https://api.github.com/repos/o/r",
        "labels_url": format!("https://api.github.com/repos/o/r/issues/{number}/labels{{/name}}"),
        "comments_url": format!("https://api.github.com/repos/o/r/issues/{number}/comments"),
        "events_url": format!("https://api.github.com/repos/o/r/issues/{number}/events"),
        "html_url": format!("https://github.com/o/r/issues/{number}"),
        "number": number,
        "state": state,
        "state_reason": if state == "closed" { json!("completed") } else { Value::Null },
        "title": "CI failure: A Rust test failed: test tests::adds ... FAILED",
        "body": body,
        "user": {"login": "github-actions[bot]", "id": 41898282, "node_id": "MDM6Qm90NDE4OTgyODI=", "avatar_url": "https://avatars.githubusercontent.com/in/15368?v=4", "gravatar_id": "", "url": "https://api.github.com/users/github-actions%5Bbot%5D", "html_url": "https://github.com/apps/github-actions", "type": "Bot", "site_admin": false},
        "labels": [{"id": 1, "node_id": "LA_1", "url": "https://api.github.com/repos/o/r/labels/ci-failure", "name": "ci-failure", "color": "d73a4a", "default": false, "description": null}],
        "assignee": null, "assignees": [], "milestone": null, "locked": false, "active_lock_reason": null,
        "comments": 0, "closed_at": null, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
        "author_association": "NONE"
    })
}

fn search(items: Vec<Value>) -> Value {
    json!({"total_count": items.len(), "incomplete_results": false, "items": items})
}

const LOG: &str = "running 1 test\ntest tests::adds ... FAILED\n\nfailures:\n\n---- tests::adds stdout ----\n\nthread 'tests::adds' panicked at src/lib.rs:8:9:\nassertion `left == right` failed\n\ntest result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n";

/// A classify report of a real cargo test failure, and its top signature.
fn report(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let log = dir.join("test.log");
    std::fs::write(&log, LOG).unwrap();
    let out = dir.join("autopsy.json");
    Command::cargo_bin("ci-intel-autopsy")
        .unwrap()
        .current_dir(dir)
        .args([
            "classify",
            "--assume-failed",
            "--no-repo-rules",
            "--format",
            "json",
            "--json-output",
        ])
        .arg(&out)
        .arg(&log)
        .env_remove("GITHUB_ACTIONS")
        .assert()
        .success();
    let value: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let signature = value["root_causes"][0]["signature"]
        .as_str()
        .unwrap()
        .to_owned();
    (out, signature)
}

fn upsert(server: &Server, report: &std::path::Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("ci-intel-autopsy")
        .unwrap()
        .current_dir(report.parent().unwrap())
        .args([
            "upsert-issue",
            "--repo",
            "o/r",
            "--api-url",
            &server.url,
            "--run-url",
            "https://github.com/o/r/actions/runs/42",
            "--report",
        ])
        .arg(report)
        .args(extra)
        .env("GITHUB_TOKEN", "test-token-not-a-secret")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_API_URL")
        .assert()
}

fn search_url(signature: &str) -> String {
    format!(
        "/search/issues?q=repo%3Ao%2Fr+is%3Aissue+in%3Abody+%22ci-intel-autopsy+signature%3D{signature}%22&per_page=10"
    )
}

const LIST: &str =
    "/repos/o/r/issues?state=all&sort=updated&direction=desc&per_page=100&labels=ci-failure";

#[test]
fn a_new_signature_creates_one_labelled_issue() {
    let dir = tempfile::tempdir().unwrap();
    let (report, signature) = report(dir.path());
    let server = Server::start(|call, _| match (call.method.as_str(), call.url.as_str()) {
        ("GET", u) if u.starts_with("/search/issues") => (200, vec![], search(vec![])),
        ("GET", _) => (200, vec![], json!([])),
        ("POST", _) => (
            201,
            vec![],
            issue(12, "open", call.body["body"].as_str().unwrap_or("")),
        ),
        _ => (404, vec![], json!({"message": "Not Found"})),
    });
    upsert(&server, &report, &[]).success();
    assert_eq!(
        server.calls(),
        vec![
            ("GET".to_owned(), search_url(&signature)),
            ("GET".to_owned(), LIST.to_owned()),
            ("POST".to_owned(), "/repos/o/r/issues".to_owned()),
        ]
    );
    let create = server.call(2);
    assert_eq!(
        create.auth.as_deref(),
        Some("Bearer test-token-not-a-secret")
    );
    assert_eq!(create.body["labels"], json!(["ci-failure", "autopsy"]));
    let body = create.body["body"].as_str().unwrap();
    assert!(
        body.starts_with(&format!("<!-- ci-intel-autopsy signature={signature} -->")),
        "{body}"
    );
    assert!(body.contains("occurrences=1 "), "{body}");
    assert!(
        body.contains("<https://github.com/o/r/actions/runs/42>"),
        "{body}"
    );
    assert!(
        create.body["title"]
            .as_str()
            .unwrap()
            .starts_with("CI failure: A Rust test failed")
    );
}

#[test]
fn a_known_open_signature_is_updated_not_duplicated() {
    let dir = tempfile::tempdir().unwrap();
    let (report, signature) = report(dir.path());
    let existing = format!(
        "<!-- ci-intel-autopsy signature={signature} -->\nold\n### Runs\n\n- 2026-01-01T00:00:00Z <https://github.com/o/r/actions/runs/41>\n\n<!-- ci-intel-autopsy occurrences=1 first=2026-01-01T00:00:00Z last=2026-01-01T00:00:00Z -->\n"
    );
    let server = Server::start(move |call, _| match call.method.as_str() {
        "GET" => (200, vec![], search(vec![issue(7, "open", &existing)])),
        "PATCH" => (
            200,
            vec![],
            issue(7, "open", call.body["body"].as_str().unwrap_or("")),
        ),
        _ => (404, vec![], json!({"message": "Not Found"})),
    });
    upsert(&server, &report, &[]).success();
    assert_eq!(
        server.calls(),
        vec![
            ("GET".to_owned(), search_url(&signature)),
            ("PATCH".to_owned(), "/repos/o/r/issues/7".to_owned()),
        ]
    );
    let patch = server.call(1).body;
    assert!(
        patch.get("state").is_none(),
        "an open issue is not reopened: {patch}"
    );
    let body = patch["body"].as_str().unwrap();
    assert!(
        body.contains("occurrences=2 first=2026-01-01T00:00:00Z"),
        "{body}"
    );
    assert!(
        body.contains("<https://github.com/o/r/actions/runs/42>")
            && body.contains("<https://github.com/o/r/actions/runs/41>"),
        "{body}"
    );
}

#[test]
fn a_closed_signature_that_fails_again_is_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let (report, signature) = report(dir.path());
    let existing = format!(
        "<!-- ci-intel-autopsy signature={signature} -->\n<!-- ci-intel-autopsy occurrences=3 first=2026-01-01T00:00:00Z last=2026-01-03T00:00:00Z -->\n"
    );
    // Search has not indexed it: it is found in the label listing.
    let server = Server::start(
        move |call, _| match (call.method.as_str(), call.url.as_str()) {
            ("GET", u) if u.starts_with("/search/issues") => (200, vec![], search(vec![])),
            ("GET", _) => (
                200,
                vec![],
                json!([issue(3, "open", "unrelated"), issue(9, "closed", &existing)]),
            ),
            ("PATCH", _) => (200, vec![], issue(9, "open", "")),
            _ => (404, vec![], json!({"message": "Not Found"})),
        },
    );
    upsert(&server, &report, &[]).success();
    assert_eq!(
        server.calls(),
        vec![
            ("GET".to_owned(), search_url(&signature)),
            ("GET".to_owned(), LIST.to_owned()),
            ("PATCH".to_owned(), "/repos/o/r/issues/9".to_owned()),
        ]
    );
    let patch = server.call(2).body;
    assert_eq!(patch["state"], "open");
    assert!(
        patch["body"]
            .as_str()
            .unwrap()
            .contains("occurrences=4 first=2026-01-01T00:00:00Z")
    );
}

#[test]
fn rate_limits_are_waited_out_as_the_headers_say() {
    let dir = tempfile::tempdir().unwrap();
    let (report, signature) = report(dir.path());
    let server = Server::start(|call, index| match (index, call.method.as_str()) {
        // Primary limit exhausted: wait until x-ratelimit-reset.
        (0, _) => {
            let reset = (chrono::Utc::now().timestamp() + 1).to_string();
            (
                403,
                vec![
                    ("x-ratelimit-remaining", "0".to_owned()),
                    ("x-ratelimit-reset", reset),
                    ("x-ratelimit-limit", "30".to_owned()),
                ],
                json!({"message": "API rate limit exceeded for installation ID 1.", "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}),
            )
        }
        (1, _) => (200, vec![], search(vec![])),
        // Secondary limit: retry-after.
        (2, _) => (
            429,
            vec![("retry-after", "1".to_owned())],
            json!({"message": "You have exceeded a secondary rate limit."}),
        ),
        (_, "GET") => (200, vec![], json!([])),
        (_, _) => (201, vec![], issue(5, "open", "")),
    });
    let started = std::time::Instant::now();
    upsert(&server, &report, &[]).success();
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "the waits were honoured"
    );
    assert_eq!(
        server.calls(),
        vec![
            ("GET".to_owned(), search_url(&signature)),
            ("GET".to_owned(), search_url(&signature)),
            ("GET".to_owned(), LIST.to_owned()),
            ("GET".to_owned(), LIST.to_owned()),
            ("POST".to_owned(), "/repos/o/r/issues".to_owned()),
        ]
    );
}

#[test]
fn a_rate_limit_longer_than_max_wait_is_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let (report, _) = report(dir.path());
    let server = Server::start(|_, _| {
        let reset = (chrono::Utc::now().timestamp() + 3600).to_string();
        (
            403,
            vec![
                ("x-ratelimit-remaining", "0".to_owned()),
                ("x-ratelimit-reset", reset),
            ],
            json!({"message": "API rate limit exceeded"}),
        )
    });
    upsert(&server, &report, &["--max-wait", "5"])
        .code(3)
        .stderr(predicates::str::contains("rate limited"));
    assert_eq!(server.calls().len(), 1, "no call after a long rate limit");
}

#[test]
fn github_unreachable_is_exit_3_after_bounded_retries() {
    let dir = tempfile::tempdir().unwrap();
    let (report, _) = report(dir.path());
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    Command::cargo_bin("ci-intel-autopsy")
        .unwrap()
        .args([
            "upsert-issue",
            "--repo",
            "o/r",
            "--api-url",
            &url,
            "--retries",
            "1",
            "--timeout",
            "5",
            "--report",
        ])
        .arg(&report)
        .env("GITHUB_TOKEN", "test-token-not-a-secret")
        .env_remove("GITHUB_ACTIONS")
        .assert()
        .code(3)
        .stderr(predicates::str::contains(
            "cannot be reached after 2 attempt(s)",
        ));
}

#[test]
fn a_missing_token_or_report_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let (report, _) = report(dir.path());
    Command::cargo_bin("ci-intel-autopsy")
        .unwrap()
        .args([
            "upsert-issue",
            "--repo",
            "o/r",
            "--api-url",
            "http://127.0.0.1:9",
            "--report",
        ])
        .arg(&report)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("GITHUB_TOKEN"));
    Command::cargo_bin("ci-intel-autopsy")
        .unwrap()
        .args([
            "upsert-issue",
            "--repo",
            "o/r",
            "--report",
            "/nonexistent.json",
        ])
        .assert()
        .code(2);
}
