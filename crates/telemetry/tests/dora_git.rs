#![allow(clippy::unwrap_used)]
//! `dora` with commit times from `git log` of a real checkout, and with
//! incidents from a file: the figures a small, hand-checked history must give.

mod common;

use std::path::Path;
use std::process::Command;

use ci_intel_telemetry::ingest::ingest;
use ci_intel_telemetry::query::{self, Window};
use common::*;
use serde_json::Value;

const EXAMPLE: &str = include_str!("../../../schemas/examples/pipeline_run.v1.2.example.json");
const H: i64 = 3_600_000;
/// 2025-06-01T00:00:00Z.
const T0: i64 = 1_748_736_000_000;

fn git(dir: &Path, args: &[&str], when_h: i64) -> String {
    let date = format!("@{} +0000", (T0 + when_h * H) / 1000);
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn commit(dir: &Path, name: &str, when_h: i64) -> String {
    std::fs::write(dir.join(name), name).unwrap();
    git(dir, &["add", name], when_h);
    git(dir, &["commit", "-q", "-m", name], when_h);
    git(dir, &["rev-parse", "HEAD"], when_h)
}

fn time(h: i64) -> String {
    query::ms_to_rfc3339(T0 + h * H)
}

/// A production deployment record of `sha` from hour `start` to `end`.
fn deployment(id: &str, sha: &str, status: &str, start: i64, end: i64) -> String {
    let mut r: Value = serde_json::from_str(EXAMPLE).unwrap();
    let o = r.as_object_mut().unwrap();
    o.remove("canary");
    o.remove("rollback_reason");
    r["run_id"] = format!("00000000-0000-4000-8000-{id:0>12}").into();
    r["repo"] = "acme/app".into();
    r["branch"] = "main".into();
    r["commit_sha"] = sha.into();
    r["environment"] = "prod".into();
    r["deployment_id"] = format!("deploy-{id}").into();
    r["status"] = status.into();
    r["started_at"] = time(start).into();
    r["ended_at"] = time(end).into();
    r.to_string()
}

#[test]
fn lead_time_from_git_log_and_failures_from_incidents() {
    if ci_intel_testkit::find_on_path("git").is_none() {
        ci_intel_testkit::skip_or_fail("git not found");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"], 0);
    let c1 = commit(&repo, "a", 0);
    // c2 is delivered by d3 through `git log c1..c4`.
    commit(&repo, "b", 10);
    let c3 = commit(&repo, "c", 20);
    let c4 = commit(&repo, "d", 30);
    // d1 ships c1 (first: its own commit); d2 fails with c3; d3 ships c2..c4.
    let lines = [
        deployment("1", &c1, "success", 1, 2),
        deployment("2", &c3, "failed", 21, 22),
        deployment("3", &c4, "success", 40, 42),
    ];
    let records = write(
        dir.path(),
        "deploys.ndjson",
        (lines.join("\n") + "\n").as_bytes(),
    );
    let mut store = sqlite(dir.path());
    ingest(store.as_mut(), &[records], "l").unwrap();
    let window = Window {
        since_ms: T0,
        until_ms: T0 + 100 * H,
        repo: None,
    };
    let report = query::dora_report(store.as_mut(), &window, "prod", &[], Some(&repo)).unwrap();
    let o = &report.overall;
    assert_eq!(report.commit_times, "git");
    assert_eq!((o.deployments, o.successful_deployments), (3, 2));
    // Lead times: c1 2 h; c2 32 h, c3 22 h, c4 12 h -> median (12 + 22) / 2 = 17 h.
    assert_eq!(o.changes, 4);
    assert_eq!(o.lead_time_hours, Some(17.0));
    // d2 failed at 22 h, d3 finished at 42 h: recovered in 20 h.
    assert_eq!(o.change_failure_rate, Some(0.3333));
    assert_eq!(o.recovery_hours, Some(20.0));

    // Without the checkout: commit times from the records, where only the
    // deployed commits were ever seen: d1 c1 (1 h), d3 c3 and c4 (21 h, 2 h).
    let from_records = query::dora_report(store.as_mut(), &window, "prod", &[], None).unwrap();
    assert_eq!(from_records.commit_times, "records");
    assert_eq!(from_records.overall.changes, 3);
    assert_eq!(from_records.overall.lead_time_hours, Some(2.0));

    // An incident 3 h after d3, resolved 90 min later: d3 is a change failure too.
    let incidents = write(
        dir.path(),
        "incidents.ndjson",
        format!(
            "{{\"id\": \"INC-1\", \"repo\": \"acme/app\", \"created_at\": \"{}\", \"resolved_at\": \"{}\"}}\n",
            time(45),
            query::ms_to_rfc3339(T0 + 45 * H + 90 * 60_000)
        )
        .as_bytes(),
    );
    let incidents = query::read_incidents(&incidents).unwrap();
    let with =
        query::dora_report(store.as_mut(), &window, "prod", &incidents, Some(&repo)).unwrap();
    assert_eq!(with.incidents, 1);
    assert_eq!(with.overall.change_failures, 2);
    assert_eq!(with.overall.change_failure_rate, Some(0.6667));
    // Recoveries 20 h and 1.5 h: median 10.75 h.
    assert_eq!(with.overall.recovery_hours, Some(10.75));

    // A malformed incident names its file and line.
    let bad = write(dir.path(), "bad.ndjson", b"\n{\"id\": \"x\"}\n");
    let err = query::read_incidents(&bad).unwrap_err();
    assert!(err.message.contains("bad.ndjson:2:"), "{}", err.message);
}
