//! `pin` against a real git smart-HTTP server (`git http-backend`) and a REST
//! fake on loopback.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

#[path = "support/pin_server.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ci_intel_policy::pin::remote::{Remote, RemoteConfig};
use support::{Fixture, RestData, Server, tool};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pin")
}

/// Replace `{{name}}` with the fixture's commit of that name.
fn fill(text: &str, fixture: &Fixture) -> String {
    let mut out = text.to_owned();
    for (name, sha) in &fixture.commits {
        out = out.replace(&format!("{{{{{name}}}}}"), sha);
    }
    out
}

/// Copy the fixture repository into a temp dir, filling in commit SHAs, with
/// `\r\n` line endings when `crlf`.
fn workspace(fixture: &Fixture, crlf: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (source, rel) in [
        ("workflow.ci.yml.txt", ".github/workflows/ci.yml"),
        ("action.setup.yml.txt", "actions/setup/action.yml"),
    ] {
        let text = std::fs::read_to_string(fixture_dir().join(source)).unwrap();
        let mut text = fill(&text, fixture);
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        let dest = dir.path().join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(dest, text).unwrap();
    }
    dir
}

fn pin(server: &Server) -> assert_cmd::Command {
    let mut cmd = tool();
    cmd.args([
        "pin",
        "--host",
        &server.url,
        "--api-url",
        &format!("{}/api", server.url),
        "--retries",
        "0",
        "--timeout",
        "20",
    ]);
    cmd
}

fn ls_refs_posts(server: &Server) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.starts_with("POST ") && r.ends_with("/git-upload-pack"))
        .count()
}

#[test]
fn resolution_matches_git_ls_remote() {
    let fixture = Fixture::new();
    let server = Server::start(&fixture.project_root, RestData::default());
    let remote = Remote::new(RemoteConfig {
        git_base: reqwest::Url::parse(&server.url).unwrap(),
        api_base: reqwest::Url::parse(&format!("{}/api", server.url)).unwrap(),
        token: None,
        timeout: Duration::from_secs(20),
        retries: 0,
        backoff: Duration::from_millis(10),
        cache_dir: None,
    })
    .unwrap();
    let refs = remote.refs("acme", "tool").unwrap();
    let refs = refs.as_ref().as_ref().unwrap();

    // It really was protocol v2: a GET of info/refs then one ls-refs POST.
    assert_eq!(
        server.requests(),
        vec![
            "GET /acme/tool.git/info/refs?service=git-upload-pack".to_owned(),
            "POST /acme/tool.git/git-upload-pack".to_owned(),
        ]
    );

    let url = format!("{}/acme/tool.git", server.url);
    let listing = support::git(
        fixture.dir.path(),
        &["ls-remote", &url],
        "2020-01-01T00:00:00Z",
    );
    let mut expected: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    for line in listing.lines() {
        let (oid, name) = line.split_once('\t').unwrap();
        if let Some(base) = name.strip_suffix("^{}") {
            expected.get_mut(base).unwrap().1 = Some(oid.to_owned());
        } else {
            expected.insert(name.to_owned(), (oid.to_owned(), None));
        }
    }
    let ours: BTreeMap<String, (String, Option<String>)> = refs
        .refs
        .iter()
        .map(|r| (r.name.clone(), (r.oid.clone(), r.peeled.clone())))
        .collect();
    assert_eq!(ours, expected);
    assert!(ours.contains_key("refs/tags/v1.0.0") && ours.contains_key("refs/heads/release/1.x"));

    // Annotated tags peel to their commit; lightweight tags name it directly.
    assert_eq!(refs.tag("v1.2.0").unwrap().commit(), fixture.commits["c2"]);
    assert_ne!(refs.tag("v1.2.0").unwrap().oid, fixture.commits["c2"]);
    assert_eq!(refs.tag("v1.0.0").unwrap().oid, fixture.commits["c1"]);
    assert_eq!(refs.tag("v1.0.0").unwrap().peeled, None);
    assert_eq!(
        refs.default_branch().unwrap().name,
        "refs/heads/main",
        "HEAD's symref target is reported"
    );
    assert_eq!(fixture.rev("v2.1.0^{commit}"), fixture.commits["c4"]);
}

#[test]
fn pins_every_reference_and_keeps_every_other_byte() {
    let fixture = Fixture::new();
    let server = Server::start(&fixture.project_root, RestData::default());
    for crlf in [false, true] {
        let ws = workspace(&fixture, crlf);
        let before = std::fs::read(ws.path().join(".github/workflows/ci.yml")).unwrap();
        let requests_before = ls_refs_posts(&server);
        let output = pin(&server)
            .arg(ws.path())
            .assert()
            .code(0)
            .get_output()
            .clone();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!(
                ".github/workflows/ci.yml:16: acme/tool@v1.0.0 → acme/tool@{} # v1.0.0",
                fixture.commits["c1"]
            )),
            "{stderr}"
        );
        let after = std::fs::read_to_string(ws.path().join(".github/workflows/ci.yml")).unwrap();
        let mut expected = fill(
            &std::fs::read_to_string(fixture_dir().join("workflow.ci.expected.yml.txt")).unwrap(),
            &fixture,
        );
        if crlf {
            expected = expected.replace('\n', "\r\n");
        }
        assert_eq!(
            after,
            expected,
            "crlf={crlf}; before:\n{}",
            String::from_utf8_lossy(&before)
        );
        let action = std::fs::read_to_string(ws.path().join("actions/setup/action.yml")).unwrap();
        assert!(action.contains(&format!(
            "uses: acme/tool@{} # v2.0.0",
            fixture.commits["c3"]
        )));
        // One ls-refs for the repository, however many references name it.
        assert_eq!(ls_refs_posts(&server) - requests_before, 1);

        // Pinning is idempotent: a second run changes nothing and --check passes.
        pin(&server).arg(ws.path()).assert().code(0);
        assert_eq!(
            std::fs::read_to_string(ws.path().join(".github/workflows/ci.yml")).unwrap(),
            expected
        );
        pin(&server).arg("--check").arg(ws.path()).assert().code(0);
    }
}

#[test]
fn check_denies_unpinned_input_listing_old_and_new_and_writes_nothing() {
    let fixture = Fixture::new();
    let server = Server::start(&fixture.project_root, RestData::default());
    let ws = workspace(&fixture, false);
    let path = ws.path().join(".github/workflows/ci.yml");
    let before = std::fs::read(&path).unwrap();
    let output = pin(&server)
        .arg("--check")
        .arg(ws.path())
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&output.stdout);
    for (line, old, new) in [
        (
            11,
            "acme/tool/.github/workflows/reuse.yml@v1.0.0",
            format!(
                "acme/tool/.github/workflows/reuse.yml@{} # v1.0.0",
                fixture.commits["c1"]
            ),
        ),
        (
            16,
            "acme/tool@v1.0.0",
            format!("acme/tool@{} # v1.0.0", fixture.commits["c1"]),
        ),
        (
            18,
            "acme/tool@v1.2.0 # keep me?",
            format!("acme/tool@{} # v1.2.0", fixture.commits["c2"]),
        ),
        (
            19,
            "acme/tool/sub/action@release/1.x",
            format!(
                "acme/tool/sub/action@{} # release/1.x",
                fixture.commits["c2"]
            ),
        ),
    ] {
        let needle = format!(".github/workflows/ci.yml:{line}:");
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&needle))
            .unwrap_or_else(|| panic!("no finding at line {line}:\n{stdout}"));
        assert!(row.contains(&format!("{old} → {new}")), "{row}");
        assert!(row.contains("[unpinned-ref]"), "{row}");
    }
    assert!(stdout.contains("actions/setup/action.yml:5:"), "{stdout}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "--check writes nothing"
    );

    // The same as JSON and SARIF.
    let json = pin(&server)
        .args(["--check", "--format", "json"])
        .arg(ws.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 5);
    let sarif = pin(&server)
        .args(["--check", "--format", "sarif"])
        .arg(ws.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let sarif: serde_json::Value = serde_json::from_slice(&sarif).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 5);
}

#[test]
fn unknown_refs_and_repositories_are_findings() {
    let fixture = Fixture::new();
    let server = Server::start(&fixture.project_root, RestData::default());
    let ws = tempfile::tempdir().unwrap();
    let file = ws.path().join("action.yml");
    std::fs::write(
        &file,
        "runs:\n  steps:\n    - uses: acme/tool@v9.9.9\n    - uses: acme/missing@v1\n    - uses: acme/tool\n",
    )
    .unwrap();
    let output = pin(&server)
        .arg(&file)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("has no tag or branch `v9.9.9`"), "{stdout}");
    assert!(
        stdout.contains("acme/missing is not readable (HTTP 404"),
        "{stdout}"
    );
    assert!(stdout.contains("has no @ref"), "{stdout}");
}

#[test]
fn update_moves_within_the_major_unless_allowed_and_respects_min_age() {
    let fixture = Fixture::new();
    let mut rest = RestData::default();
    rest.releases
        .insert("v2.0.0".to_owned(), "2021-01-02T00:00:00Z".to_owned());
    let server = Server::start(&fixture.project_root, rest);
    let c = &fixture.commits;
    let input = format!(
        "steps:\n  - uses: acme/tool@v1.0.0\n  - uses: acme/tool@{} # v1.0.0\n  - uses: acme/tool@v1\n  - uses: acme/tool@v2.0.0\n  - uses: acme/tool@{} # release/1.x\n",
        c["c1"], c["c1"]
    );
    let run = |extra: &[&str]| {
        let ws = tempfile::tempdir().unwrap();
        let file = ws.path().join("action.yml");
        std::fs::write(&file, &input).unwrap();
        let output = pin(&server)
            .arg("--update")
            .args(extra)
            .arg(&file)
            .assert()
            .code(0)
            .get_output()
            .clone();
        (std::fs::read_to_string(&file).unwrap(), output)
    };

    let (same_major, _) = run(&[]);
    assert_eq!(
        same_major,
        format!(
            "steps:\n  - uses: acme/tool@{c2} # v1.2.0\n  - uses: acme/tool@{c2} # v1.2.0\n  - uses: acme/tool@{c2} # v1.2.0\n  - uses: acme/tool@{c4} # v2.1.0\n  - uses: acme/tool@{c2} # release/1.x\n",
            c2 = c["c2"],
            c4 = c["c4"]
        ),
        "the pre-release v2.1.0-rc.1 is never chosen; a branch pin moves to the branch head"
    );

    let (any_major, _) = run(&["--allow-major"]);
    assert_eq!(
        any_major.matches(&format!("@{} # v2.1.0", c["c4"])).count(),
        4,
        "{any_major}"
    );

    // v2.1.0 was released today: with --min-age 30 nothing newer than 30
    // days is chosen (v2.0.0's age comes from its release, the others' from
    // their commits).
    let (aged, output) = run(&["--min-age", "30", "--allow-major"]);
    assert_eq!(
        aged.matches(&format!("@{} # v2.0.0", c["c3"])).count(),
        4,
        "{aged}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("v2.1.0 was published"), "{stderr}");
    let log = server.requests();
    assert!(
        log.iter()
            .any(|r| r.contains("/api/repos/acme/tool/releases/tags/v2.1.0"))
    );
    assert!(
        log.iter()
            .any(|r| r.contains(&format!("/api/repos/acme/tool/commits/{}", c["c4"])))
    );

    // --check --update reports the outdated pin without writing.
    let ws = tempfile::tempdir().unwrap();
    let file = ws.path().join("action.yml");
    std::fs::write(
        &file,
        format!("steps:\n  - uses: acme/tool@{} # v1.0.0\n", c["c1"]),
    )
    .unwrap();
    let output = pin(&server)
        .args(["--check", "--update"])
        .arg(&file)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("[outdated-pin]"), "{stdout}");
    assert!(
        stdout.contains(&format!("# v1.0.0 → acme/tool@{} # v1.2.0", c["c2"])),
        "{stdout}"
    );
    // Without --update an existing pin is left alone.
    pin(&server).arg("--check").arg(&file).assert().code(0);
}

#[test]
fn online_finds_mismatched_comments_and_impostor_commits() {
    let fixture = Fixture::new();
    let server = Server::start(&fixture.project_root, RestData::default());
    let c = &fixture.commits;
    let ws = tempfile::tempdir().unwrap();
    let file = ws.path().join("action.yml");
    std::fs::write(
        &file,
        format!(
            "steps:\n  - uses: acme/tool@{c2} # v1.2.0\n  - uses: acme/tool@{c1} # v1.2.0\n  - uses: acme/tool@{imp} # v1.0.0\n  - uses: acme/tool@{c2b} # main\n  - uses: acme/tool@{c1} # v7.0.0\n",
            c2 = c["c2"],
            c1 = c["c1"],
            imp = c["impostor"],
            c2b = c["c2b"]
        ),
    )
    .unwrap();
    let output = pin(&server)
        .args(["--online", "--check", "--format", "json"])
        .arg(&file)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let found: Vec<(String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("ref-version-mismatch".to_owned(), 3),
            ("impostor-commit".to_owned(), 4),
            ("ref-version-mismatch".to_owned(), 4),
            ("ref-version-mismatch".to_owned(), 6),
        ],
        "{report:#}"
    );
    let text = report.to_string();
    assert!(text.contains(&format!("tag v1.2.0 of acme/tool is commit {}", c["c2"])));
    assert!(text.contains("has no tag v7.0.0"));
    // The untagged commit on main was proven reachable through the compare API.
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.contains(&format!("/compare/{}...{}", c["c4"], c["c2b"])))
    );

    // GitHub annotations too.
    let output = pin(&server)
        .args(["--online", "--format", "github"])
        .arg(&file)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("::error"), "{stdout}");
    assert!(stdout.contains("impostor-commit"), "{stdout}");
}

#[test]
fn an_unreachable_server_is_an_infrastructure_error_naming_the_url() {
    let port = support::dead_port();
    let ws = tempfile::tempdir().unwrap();
    let file = ws.path().join("action.yml");
    std::fs::write(&file, "steps:\n  - uses: acme/tool@v1\n").unwrap();
    let output = tool()
        .args(["pin", "--retries", "1", "--timeout", "5", "--host"])
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(&file)
        .assert()
        .code(3)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let url = format!("http://127.0.0.1:{port}/acme/tool.git/info/refs?service=git-upload-pack");
    assert!(
        stderr.contains(&format!("cannot reach {url} after 2 attempt(s)")),
        "{stderr}"
    );
    assert!(stderr.contains("retry 1/1"), "retries are logged: {stderr}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "steps:\n  - uses: acme/tool@v1\n"
    );
}

#[test]
fn a_malformed_ls_refs_answer_is_an_error_not_a_panic() {
    for garbage in [
        &b"0010abc"[..],
        b"zzzz",
        b"0003",
        b"0009peel\n",
        b"002cnothex refs/heads/main\n0000",
    ] {
        let body = garbage.to_vec();
        let server = Server::with_handler(move |method, _path, _query, _headers, _body| {
            if method == "GET" {
                support::Reply::new(
                    200,
                    "application/x-git-upload-pack-advertisement",
                    &b"001e# service=git-upload-pack\n0000000eversion 2\n0013ls-refs=unborn\n0000"
                        [..],
                )
            } else {
                support::Reply::new(200, "application/x-git-upload-pack-result", body.clone())
            }
        });
        let ws = tempfile::tempdir().unwrap();
        let file = ws.path().join("action.yml");
        std::fs::write(&file, "steps:\n  - uses: acme/tool@v1\n").unwrap();
        let output = pin(&server)
            .arg(&file)
            .assert()
            .code(3)
            .get_output()
            .clone();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("malformed ls-refs response")
                && stderr.contains(&format!("{}/acme/tool.git/git-upload-pack", server.url)),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn insecure_hosts_and_empty_inputs_are_refused() {
    let ws = tempfile::tempdir().unwrap();
    tool()
        .args(["pin", "--host", "http://github.example.com"])
        .arg(ws.path())
        .assert()
        .code(2);
    // No workflow or action files: a denial unless allowed.
    tool().arg("pin").arg(ws.path()).assert().code(1);
    tool()
        .args(["pin", "--allow-empty"])
        .arg(ws.path())
        .assert()
        .code(0);
    tool()
        .args(["pin", "--min-age", "3"])
        .arg(ws.path())
        .assert()
        .code(2);
}

#[test]
fn the_runner_temp_cache_saves_repeated_lookups_within_a_job() {
    let fixture = Fixture::new();
    let server = Server::start(&fixture.project_root, RestData::default());
    let ws = workspace(&fixture, false);
    let runner_temp = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        pin(&server)
            .env("RUNNER_TEMP", runner_temp.path())
            .arg("--check")
            .arg(ws.path())
            .assert()
            .code(1);
    }
    assert_eq!(ls_refs_posts(&server), 1, "{:#?}", server.requests());
}

#[test]
fn a_server_without_protocol_v2_is_read_from_its_v0_advertisement() {
    let fixture = Fixture::new();
    let root = fixture.project_root.clone();
    // The same http-backend, but the Git-Protocol header never reaches it.
    let server = Server::with_handler(move |method, path, query, headers, body| {
        let mut headers = headers.clone();
        headers.remove("git-protocol");
        support::http_backend(&root, method, path, query, &headers, body)
    });
    let ws = workspace(&fixture, false);
    pin(&server).arg(ws.path()).assert().code(0);
    let after = std::fs::read_to_string(ws.path().join(".github/workflows/ci.yml")).unwrap();
    let expected = fill(
        &std::fs::read_to_string(fixture_dir().join("workflow.ci.expected.yml.txt")).unwrap(),
        &fixture,
    );
    assert_eq!(after, expected);
    assert_eq!(ls_refs_posts(&server), 0, "v0 needs no POST");
}

#[test]
fn existing_pins_need_no_network_without_update_or_online() {
    let port = support::dead_port();
    let ws = tempfile::tempdir().unwrap();
    let file = ws.path().join("action.yml");
    let text = "steps:\n  - uses: acme/tool@0123456789abcdef0123456789abcdef01234567 # v1.0.0\n  - uses: ./local\n";
    std::fs::write(&file, text).unwrap();
    tool()
        .args(["pin", "--check", "--retries", "0", "--host"])
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(&file)
        .assert()
        .code(0);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}

#[test]
fn transient_server_errors_are_retried_and_logged() {
    let fixture = Fixture::new();
    let root = fixture.project_root.clone();
    let failures = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = std::sync::Arc::clone(&failures);
    // The first request fails with 503; the rest reach http-backend.
    let server = Server::with_handler(move |method, path, query, headers, body| {
        if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            support::Reply::new(503, "text/plain", "busy")
        } else {
            support::http_backend(&root, method, path, query, headers, body)
        }
    });
    let ws = tempfile::tempdir().unwrap();
    let file = ws.path().join("action.yml");
    std::fs::write(&file, "steps:\n  - uses: acme/tool@v1.0.0\n").unwrap();
    let output = tool()
        .args(["pin", "--retries", "1", "--host", &server.url])
        .arg(&file)
        .assert()
        .code(0)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{}/acme/tool.git/info/refs?service=git-upload-pack: HTTP 503; retry 1/1",
            server.url
        )),
        "{stderr}"
    );
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains(&fixture.commits["c1"])
    );

    // With no retries left, the 503 is an infrastructure error naming the URL.
    failures.store(0, std::sync::atomic::Ordering::SeqCst);
    let output = tool()
        .args(["pin", "--retries", "0", "--host", &server.url])
        .arg(&file)
        .args(["--update"])
        .assert()
        .code(3)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("answered HTTP 503 after 1 attempt(s)"),
        "{stderr}"
    );
}

#[test]
fn rest_calls_go_to_the_ghes_api_base_with_the_token_and_are_retried() {
    let fixture = Fixture::new();
    let root = fixture.project_root.clone();
    let rest_seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&rest_seen);
    // Without --api-url the REST base is `{host}/api/v3`, as on GHES. The
    // first REST request fails with 503; the rest reach the REST fake.
    let server = Server::with_handler(move |method, path, query, headers, body| {
        if let Some(api) = path.strip_prefix("/api/v3") {
            let mut log = log.lock().unwrap();
            log.push(headers.clone());
            if log.len() == 1 {
                return support::Reply::new(503, "text/plain", "busy");
            }
            support::rest_fake(&root, &RestData::default(), api)
        } else {
            support::http_backend(&root, method, path, query, headers, body)
        }
    });
    let ws = tempfile::tempdir().unwrap();
    let file = ws.path().join("action.yml");
    std::fs::write(&file, "steps:\n  - uses: acme/tool@v1.0.0\n").unwrap();
    let output = tool()
        .args(["pin", "--retries", "1", "--host", &server.url])
        .args(["--update", "--allow-major", "--min-age", "30"])
        .arg(&file)
        .env("GITHUB_TOKEN", "t0ken")
        .assert()
        .code(0)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let release = format!("{}/api/v3/repos/acme/tool/releases/tags/v2.1.0", server.url);
    assert!(
        stderr.contains(&format!("{release}: HTTP 503; retry 1/1")),
        "{stderr}"
    );
    // v2.1.0 has no release (404): its age comes from its commit, too new.
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains(&format!("@{} # v2.0.0", fixture.commits["c3"]))
    );
    let log = server.requests();
    assert!(
        log.iter().any(|r| r
            == &format!(
                "GET /api/v3/repos/acme/tool/commits/{}",
                fixture.commits["c4"]
            )),
        "{log:#?}"
    );
    let seen = rest_seen.lock().unwrap();
    assert!(seen.len() >= 3, "{seen:#?}");
    for headers in seen.iter() {
        assert_eq!(headers["authorization"], "Bearer t0ken");
        assert_eq!(headers["accept"], "application/vnd.github+json");
        assert_eq!(headers["x-github-api-version"], "2022-11-28");
    }
}

#[test]
fn rest_failures_are_infrastructure_errors_naming_the_url() {
    let fixture = Fixture::new();
    let server = Server::start(&fixture.project_root, RestData::default());
    let ws = tempfile::tempdir().unwrap();
    let file = ws.path().join("action.yml");
    let text = "steps:\n  - uses: acme/tool@v1.0.0\n";
    std::fs::write(&file, text).unwrap();

    // An unreachable REST API: retried, logged, exit 3 naming the URL.
    let port = support::dead_port();
    let api = format!("http://127.0.0.1:{port}");
    let output = tool()
        .args([
            "pin",
            "--retries",
            "1",
            "--timeout",
            "5",
            "--host",
            &server.url,
        ])
        .args(["--api-url", &api, "--update", "--min-age", "30"])
        .arg(&file)
        .assert()
        .code(3)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let url = format!("{api}/repos/acme/tool/releases/tags/v1.2.0");
    assert!(
        stderr.contains(&format!("cannot reach {url} after 2 attempt(s)")),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("{url}: ")), "{stderr}");
    assert!(stderr.contains("retry 1/1"), "retries are logged: {stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);

    // A 403 (rate limit, or no access) names the URL and the token variables.
    let root = fixture.project_root;
    let forbidden = Server::with_handler(move |method, path, query, headers, body| {
        if path.starts_with("/api/") {
            support::Reply::json(403, &serde_json::json!({"message": "rate limited"}))
        } else {
            support::http_backend(&root, method, path, query, headers, body)
        }
    });
    let output = pin(&forbidden)
        .args(["--update", "--min-age", "30"])
        .arg(&file)
        .assert()
        .code(3)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "GET {}/api/repos/acme/tool/releases/tags/v1.2.0 answered HTTP 403 (rate limited or not authorised); set GITHUB_TOKEN or GH_TOKEN",
            forbidden.url
        )),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}
