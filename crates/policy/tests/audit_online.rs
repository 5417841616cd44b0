//! `audit --online` against a real git smart-HTTP server (`git http-backend`
//! over fixture repositories with real commits, tags and branches) and a
//! REST fake (compare, advisories) on loopback. No request leaves 127.0.0.1.
//!
//! Every online rule: its documentation, its `policy.rules` key, fixtures
//! that fire and fixtures that stay quiet (run through the binary), and
//! docs/policy.md's generated online section.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

#[path = "support/pin_server.rs"]
mod support;

use std::path::{Path, PathBuf};

use ci_intel_policy::audit::rules::ONLINE_RULES;
use ci_intel_policy::config::Persona;
use support::{Fixture, Reply, RestData, Server, tool};

const SECTIONS: [&str; 5] = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Fix",
    "## Ignore",
];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rule_doc(rule: &str) -> String {
    let path = crate_dir()
        .join("src/audit/rules")
        .join(format!("{}.rs", rule.replace('-', "_")));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| {
            l.strip_prefix("//! ")
                .unwrap_or(l.trim_start_matches("//!"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The fixture repository plus a name that is both a tag and a branch.
fn fixture() -> Fixture {
    let fixture = Fixture::new();
    let at = "2021-01-01T00:00:00Z";
    support::git(
        &fixture.bare(),
        &["tag", "confusable", &fixture.commits["c2"]],
        at,
    );
    support::git(
        &fixture.bare(),
        &["branch", "confusable", &fixture.commits["c3"]],
        at,
    );
    fixture
}

fn advisories() -> RestData {
    let advisory = |id: &str, severity: &str, range: &str, patched: Option<&str>, withdrawn| {
        serde_json::json!({
            "ghsa_id": id,
            "summary": format!("{id} in acme/tool"),
            "severity": severity,
            "withdrawn_at": withdrawn,
            "vulnerabilities": [{
                "package": {"ecosystem": "actions", "name": "acme/tool"},
                "vulnerable_version_range": range,
                "first_patched_version": patched,
                "vulnerable_functions": []
            }]
        })
    };
    let mut data = RestData::default();
    data.advisories.insert(
        "acme/tool".to_owned(),
        serde_json::json!([
            advisory(
                "GHSA-aaaa-aaaa-aaaa",
                "high",
                ">= 1.0.0, < 1.2.0",
                Some("1.2.0"),
                None::<&str>
            ),
            advisory(
                "GHSA-bbbb-bbbb-bbbb",
                "critical",
                "< 2.1.0",
                Some("2.1.0"),
                None
            ),
            advisory(
                "GHSA-cccc-cccc-cccc",
                "high",
                ">= 0.0.1",
                None,
                Some("2024-01-01T00:00:00Z")
            ),
        ]),
    );
    data
}

/// `{{name}}`: a fixture commit; `{{tag:NAME}}`: the object id of a tag.
fn fill(text: &str, fixture: &Fixture) -> String {
    let mut out = text.to_owned();
    for (name, sha) in &fixture.commits {
        out = out.replace(&format!("{{{{{name}}}}}"), sha);
    }
    while let Some(start) = out.find("{{tag:") {
        let end = start + out[start..].find("}}").unwrap();
        let tag = out[start + 6..end].to_owned();
        out.replace_range(start..end + 2, &fixture.rev(&format!("refs/tags/{tag}")));
    }
    out
}

fn audit(server: &Server) -> assert_cmd::Command {
    audit_with_retries(server, 0)
}

fn audit_with_retries(server: &Server, retries: u32) -> assert_cmd::Command {
    let mut cmd = tool();
    cmd.args([
        "audit",
        "--online",
        "--host",
        &server.url,
        "--api-url",
        &format!("{}/api", server.url),
        "--retries",
        &retries.to_string(),
        "--timeout",
        "20",
        "--format",
        "json",
    ]);
    cmd
}

fn persona_flag(persona: Persona) -> String {
    format!("--persona={}", persona.as_str())
}

fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

fn yml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.extension().is_some_and(|e| e == "yml") && !p.to_string_lossy().ends_with(".config.yml")
    });
    files.sort();
    files
}

#[test]
fn every_online_rule_has_docs_a_setting_and_fixtures() {
    let rules = ci_intel_policy::config::PolicyRules::default();
    let mut problems = Vec::new();
    for rule in ONLINE_RULES {
        let doc = rule_doc(rule.id);
        let mut last = 0;
        for section in SECTIONS {
            match doc.find(section) {
                Some(at) if at >= last => last = at,
                _ => problems.push(format!("{}: `{section}` missing or out of order", rule.id)),
            }
        }
        if rules.get(rule.id).is_none() {
            problems.push(format!("{}: no policy.rules key", rule.id));
        }
        for kind in ["fires", "quiet"] {
            if yml_files(&crate_dir().join("tests/fixtures").join(rule.id).join(kind)).is_empty() {
                problems.push(format!("{}: no {kind} fixture", rule.id));
            }
        }
        if ci_intel_policy::audit::rules::rule(rule.id).is_some() {
            problems.push(format!("{}: also an offline rule", rule.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Each rule fires on its `fires` fixtures and stays quiet on its `quiet`
/// ones, run through the binary against the local forge.
#[test]
fn fixtures_fire_or_stay_quiet_against_the_local_forge() {
    let fixture = fixture();
    let server = Server::start(&fixture.project_root, advisories());
    let work = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for rule in ONLINE_RULES {
        for kind in ["fires", "quiet"] {
            let dir = crate_dir().join("tests/fixtures").join(rule.id).join(kind);
            for source in yml_files(&dir) {
                let name = source.file_name().unwrap().to_string_lossy().into_owned();
                let file = work.path().join(format!("{}-{kind}-{name}", rule.id));
                let text = std::fs::read_to_string(&source).unwrap();
                std::fs::write(&file, fill(&text, &fixture)).unwrap();
                let mut cmd = audit(&server);
                cmd.arg(&file).arg(persona_flag(rule.persona));
                let config = source.with_extension("config.yml");
                if config.exists() {
                    cmd.arg("--config").arg(&config);
                }
                let output = cmd.output().unwrap();
                let code = output.status.code();
                if !matches!(code, Some(0 | 1)) {
                    failures.push(format!(
                        "{}/{kind}/{name}: exit {code:?}: {}",
                        rule.id,
                        String::from_utf8_lossy(&output.stderr)
                    ));
                    continue;
                }
                let report = json(&output.stdout);
                let own: Vec<&serde_json::Value> = report["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|f| f["rule"] == rule.id)
                    .collect();
                match kind {
                    "fires" if own.is_empty() => {
                        failures.push(format!("{}/{kind}/{name}: did not fire", rule.id))
                    }
                    "quiet" if !own.is_empty() => failures.push(format!(
                        "{}/{kind}/{name}: fired {}",
                        rule.id,
                        serde_json::to_string_pretty(&own).unwrap()
                    )),
                    _ => {}
                }
                assert!(report["summary"]["not_run"].as_array().unwrap().is_empty());
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn findings_of(report: &serde_json::Value, rule: &str) -> Vec<(u64, String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["severity"].as_str().unwrap().to_owned(),
                f["confidence"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn run_fixture(
    server: &Server,
    fixture: &Fixture,
    rel: &str,
    persona: Persona,
) -> serde_json::Value {
    let work = tempfile::tempdir().unwrap();
    let source = crate_dir().join("tests/fixtures").join(rel);
    let file = work.path().join(source.file_name().unwrap());
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&file, fill(&text, fixture)).unwrap();
    let output = audit(server)
        .arg(&file)
        .arg(persona_flag(persona))
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json(&output.stdout)
}

/// What each rule says, where, and how sure it is: zizmor's severities and
/// confidences, the advisory's own severity, the version found by lookup
/// or by comment.
#[test]
fn findings_name_the_line_the_evidence_and_zizmors_severity() {
    let fixture = fixture();
    let server = Server::start(&fixture.project_root, advisories());

    let report = run_fixture(
        &server,
        &fixture,
        "impostor-commit/fires/fork-commit.yml",
        Persona::Regular,
    );
    let impostors = findings_of(&report, "impostor-commit");
    assert_eq!(impostors.iter().map(|f| f.0).collect::<Vec<_>>(), [10, 12]);
    assert!(impostors.iter().all(|f| f.1 == "high" && f.2 == "high"));
    assert!(impostors[0].3.contains(&fixture.commits["impostor"]));
    // The compare API was asked (the SHA is on no advertised ref).
    assert!(server.requests().iter().any(|r| r.contains("/compare/")));

    let report = run_fixture(
        &server,
        &fixture,
        "impostor-commit/fires/pre-commit.yml",
        Persona::Regular,
    );
    assert_eq!(
        findings_of(&report, "impostor-commit")[0].0,
        3,
        "the rev: line"
    );

    let report = run_fixture(
        &server,
        &fixture,
        "ref-confusion/fires/tag-and-branch.yml",
        Persona::Regular,
    );
    let confused = findings_of(&report, "ref-confusion");
    assert_eq!(confused.iter().map(|f| f.0).collect::<Vec<_>>(), [9, 11]);
    assert!(confused.iter().all(|f| f.1 == "medium" && f.2 == "high"));
    assert!(
        confused[0].3.contains(&fixture.commits["c2"])
            && confused[0].3.contains(&fixture.commits["c3"])
    );

    let report = run_fixture(
        &server,
        &fixture,
        "known-vulnerable-actions/fires/affected-versions.yml",
        Persona::Regular,
    );
    let mut vulnerable: Vec<(u64, String, String, String)> =
        findings_of(&report, "known-vulnerable-actions");
    vulnerable.sort();
    let summary: Vec<(u64, &str, &str, &str)> = vulnerable
        .iter()
        .map(|(line, severity, confidence, message)| {
            let id = if message.contains("GHSA-aaaa") {
                "aaaa"
            } else {
                "bbbb"
            };
            (*line, severity.as_str(), confidence.as_str(), id)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (10, "critical", "high", "bbbb"),   // v1.0.0
            (10, "high", "high", "aaaa"),       // v1.0.0
            (11, "critical", "high", "bbbb"),   // v1 → tag v1.2.0 at that commit
            (12, "critical", "high", "bbbb"),   // c3 → tag v2.0.0
            (13, "critical", "medium", "bbbb"), // untagged, comment v1.1.0
            (13, "high", "medium", "aaaa"),
        ]
    );
    assert!(vulnerable[2].3.contains("v1.2.0") && vulnerable[2].3.contains("fixed in 2.1.0"));
    assert!(
        !vulnerable.iter().any(|f| f.3.contains("GHSA-cccc")),
        "withdrawn"
    );

    let report = run_fixture(
        &server,
        &fixture,
        "stale-action-refs/fires/untagged-commit.yml",
        Persona::Pedantic,
    );
    let stale = findings_of(&report, "stale-action-refs");
    assert_eq!(stale.len(), 1);
    assert_eq!(
        (stale[0].0, stale[0].1.as_str(), stale[0].2.as_str()),
        (9, "low", "high")
    );
    // Pedantic only: the regular persona does not run it, and says nothing
    // about it being skipped (it is not part of that persona).
    let report = run_fixture(
        &server,
        &fixture,
        "stale-action-refs/fires/untagged-commit.yml",
        Persona::Regular,
    );
    assert!(findings_of(&report, "stale-action-refs").is_empty());

    let report = run_fixture(
        &server,
        &fixture,
        "unresolvable-ref/fires/missing.yml",
        Persona::Regular,
    );
    let missing = findings_of(&report, "unresolvable-ref");
    assert_eq!(missing.len(), 2);
    assert!(missing[0].3.contains("HTTP 404") && missing[0].3.contains("/acme/gone.git"));
    assert!(missing[1].3.contains("no tag or branch `v9`"));
}

#[test]
fn without_online_the_rules_do_not_run_and_the_report_says_so() {
    let fixture = fixture();
    let server = Server::start(&fixture.project_root, advisories());
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("ci.yml");
    let text = std::fs::read_to_string(
        crate_dir().join("tests/fixtures/impostor-commit/fires/fork-commit.yml"),
    )
    .unwrap();
    std::fs::write(&file, fill(&text, &fixture)).unwrap();
    let output = tool()
        .args(["audit", "--format", "json", "--persona", "pedantic"])
        .arg(&file)
        .output()
        .unwrap();
    let report = json(&output.stdout);
    assert!(findings_of(&report, "impostor-commit").is_empty());
    let not_run: Vec<&str> = report["summary"]["not_run"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        not_run,
        [
            "impostor-commit",
            "ref-confusion",
            "known-vulnerable-actions",
            "stale-action-refs",
            "unresolvable-ref"
        ]
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not run") && stderr.contains("--online"),
        "{stderr}"
    );
    assert!(server.requests().is_empty(), "no request without --online");
}

fn one_workflow(uses: &str) -> tempfile::TempDir {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("ci.yml"),
        format!(
            "on: [push]\npermissions: {{}}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: {uses}\n"
        ),
    )
    .unwrap();
    work
}

fn assert_infra(output: &std::process::Output, wants: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    for want in wants {
        assert!(stderr.contains(want), "{want:?} not in {stderr}");
    }
    assert!(output.stdout.is_empty(), "no report after a failed call");
}

#[test]
fn an_unreachable_forge_is_exit_3_naming_the_url() {
    let port = support::dead_port();
    let work = one_workflow("acme/tool@v1.0.0");
    let url = format!("http://127.0.0.1:{port}");
    let output = tool()
        .args(["audit", "--online", "--retries", "1", "--timeout", "5"])
        .args(["--host", &url, "--api-url", &format!("{url}/api")])
        .arg(work.path().join("ci.yml"))
        .output()
        .unwrap();
    assert_infra(
        &output,
        &[
            &format!("{url}/acme/tool.git/info/refs"),
            "after 2 attempt(s)",
        ],
    );
}

#[test]
fn server_errors_are_retried_then_exit_3() {
    let server = Server::with_handler(|_, _, _, _, _| Reply::new(500, "text/plain", "boom"));
    let work = one_workflow("acme/tool@v1.0.0");
    let output = audit_with_retries(&server, 1)
        .arg(work.path().join("ci.yml"))
        .output()
        .unwrap();
    assert_infra(
        &output,
        &["/acme/tool.git/info/refs", "HTTP 500", "after 2 attempt(s)"],
    );
    assert_eq!(server.requests().len(), 2, "one retry");
}

#[test]
fn unauthorised_git_or_rest_calls_are_exit_3_and_say_what_to_do() {
    // git: every request is 401.
    let server = Server::with_handler(|_, _, _, _, _| Reply::new(401, "text/plain", "no"));
    let work = one_workflow("acme/tool@v1.0.0");
    let output = audit(&server)
        .arg(work.path().join("ci.yml"))
        .output()
        .unwrap();
    assert_infra(&output, &["acme/tool", "HTTP 401", "GH_TOKEN", "--token"]);

    // REST: the refs are fine, the advisory database says 403.
    let fixture = fixture();
    let root = fixture.project_root;
    let server = Server::with_handler(move |method, path, query, headers, body| {
        if path.starts_with("/api/") {
            Reply::json(
                403,
                &serde_json::json!({"message": "API rate limit exceeded"}),
            )
        } else {
            support::http_backend(&root, method, path, query, headers, body)
        }
    });
    let output = audit(&server)
        .arg(work.path().join("ci.yml"))
        .output()
        .unwrap();
    assert_infra(
        &output,
        &[
            "/api/advisories?ecosystem=actions&affects=acme/tool",
            "HTTP 403",
            "GH_TOKEN",
        ],
    );
}

/// An advisory database answer that is not a list of advisories is exit 3,
/// naming the URL, never a pass.
#[test]
fn a_malformed_advisories_answer_is_exit_3() {
    let fixture = fixture();
    let root = fixture.project_root;
    let server = Server::with_handler(move |method, path, query, headers, body| {
        if path.starts_with("/api/") {
            Reply::json(200, &serde_json::json!({"not": "a list"}))
        } else {
            support::http_backend(&root, method, path, query, headers, body)
        }
    });
    let work = one_workflow("acme/tool@v1.0.0");
    let output = audit(&server)
        .arg(work.path().join("ci.yml"))
        .output()
        .unwrap();
    assert_infra(&output, &["/api/advisories?", "not a list of advisories"]);
}

/// The compare API (impostor-commit's question about a SHA on no ref)
/// failing with a 5xx after the retries is exit 3 too, naming the URL.
#[test]
fn a_failing_compare_call_is_exit_3() {
    let fixture = fixture();
    let impostor = fixture.commits["impostor"].clone();
    let root = fixture.project_root;
    let server = Server::with_handler(move |method, path, query, headers, body| {
        if path.contains("/compare/") {
            Reply::new(502, "text/plain", "bad gateway")
        } else if path.starts_with("/api/") {
            Reply::json(200, &serde_json::json!([]))
        } else {
            support::http_backend(&root, method, path, query, headers, body)
        }
    });
    let work = one_workflow(&format!("acme/tool@{impostor}"));
    let output = audit_with_retries(&server, 1)
        .arg(work.path().join("ci.yml"))
        .output()
        .unwrap();
    assert_infra(
        &output,
        &[
            "/api/repos/acme/tool/compare/",
            "HTTP 502",
            "after 2 attempt(s)",
        ],
    );
}

/// The token comes from `--token`, else `$GITHUB_TOKEN`, else `$GH_TOKEN`;
/// the server here wants it on every git request.
#[test]
fn the_token_comes_from_the_flag_or_the_environment() {
    let fixture = fixture();
    let root = fixture.project_root;
    // base64("x-access-token:s3cret")
    let wanted = "Basic eC1hY2Nlc3MtdG9rZW46czNjcmV0";
    let server = Server::with_handler(move |method, path, query, headers, body| {
        if path.starts_with("/api/") {
            return Reply::json(200, &serde_json::json!([]));
        }
        if headers.get("authorization").map(String::as_str) != Some(wanted) {
            return Reply::new(401, "text/plain", "who are you");
        }
        support::http_backend(&root, method, path, query, headers, body)
    });
    let work = one_workflow("acme/tool@v1.0.0");
    let file = work.path().join("ci.yml");
    let ok = |output: std::process::Output| {
        assert_eq!(
            output.status.code(),
            Some(1), // unpinned-uses, offline
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    ok(audit(&server)
        .arg(&file)
        .args(["--token", "s3cret"])
        .output()
        .unwrap());
    ok(audit(&server)
        .arg(&file)
        .env("GH_TOKEN", "s3cret")
        .output()
        .unwrap());
    ok(audit(&server)
        .arg(&file)
        .env("GITHUB_TOKEN", "s3cret")
        .env("GH_TOKEN", "wrong")
        .output()
        .unwrap());
    let output = audit(&server).arg(&file).output().unwrap();
    assert_eq!(output.status.code(), Some(3), "no token: 401 is exit 3");
    // A wrong token is exit 3 too, and never printed.
    let output = audit(&server)
        .arg(&file)
        .args(["--token", "wr0ng-t0ken"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        all.contains("HTTP 401") && !all.contains("wr0ng-t0ken"),
        "{all}"
    );
}

/// Findings of online rules honour ignore comments and `policy.rules`.
#[test]
fn ignore_comments_and_rule_settings_apply_to_online_rules() {
    let fixture = fixture();
    let server = Server::start(&fixture.project_root, advisories());
    let work = one_workflow(&format!(
        "acme/tool@{} # zizmor: ignore[impostor-commit]",
        fixture.commits["impostor"]
    ));
    let report = json(
        &audit(&server)
            .arg(work.path().join("ci.yml"))
            .output()
            .unwrap()
            .stdout,
    );
    assert!(findings_of(&report, "impostor-commit").is_empty());

    let work = one_workflow("acme/gone@v1");
    let config = work.path().join("config.yml");
    std::fs::write(
        &config,
        "policy:\n  rules:\n    unresolvable-ref:\n      severity: low\n",
    )
    .unwrap();
    let report = json(
        &audit(&server)
            .arg(work.path().join("ci.yml"))
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap()
            .stdout,
    );
    let missing = findings_of(&report, "unresolvable-ref");
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].1, "low");
}

/// docs/policy.md, with the online rules' sections between their markers.
#[test]
fn docs_policy_md_has_the_online_rules() {
    let path = crate_dir().join("../../docs/policy.md");
    let committed = std::fs::read_to_string(&path).unwrap();
    let begin = "<!-- online-rules:begin (generated from the online rules' doc comments; UPDATE_DOCS=1 cargo test -p ci-intel-policy --test audit_online) -->";
    let end = "<!-- online-rules:end -->";
    let mut generated = String::new();
    for rule in ONLINE_RULES {
        let persona = match rule.persona {
            Persona::Regular => String::new(),
            other => format!(", {} persona", other.as_str()),
        };
        generated.push_str(&format!(
            "\n## `{}`\n\n{} (online; default severity: {}{persona}; fixtures: `crates/policy/tests/fixtures/{}/`, run against a local forge)\n\n",
            rule.id, rule.title, rule.default_severity, rule.id
        ));
        for line in rule_doc(rule.id).lines() {
            match line.strip_prefix("## ") {
                Some(rest) => generated.push_str(&format!("### {rest}\n")),
                None => {
                    generated.push_str(line);
                    generated.push('\n');
                }
            }
        }
    }
    let expected = match (committed.find(begin), committed.find(end)) {
        (Some(b), Some(e)) if b < e => format!(
            "{}{begin}\n{generated}\n{end}{}",
            &committed[..b],
            &committed[e + end.len()..]
        ),
        _ => format!("{committed}\n# Online rules\n\n{begin}\n{generated}\n{end}\n"),
    };
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    assert!(
        committed == expected,
        "docs/policy.md is stale: run UPDATE_DOCS=1 cargo test -p ci-intel-policy --test audit_online"
    );
}
