#![allow(clippy::unwrap_used)]
//! The ClickHouse HTTP path against a loopback server that checks every
//! request as ClickHouse's HTTP interface would receive it: the database
//! parameter, basic auth, `INSERT ... FORMAT JSONEachRow` bodies whose
//! objects carry exactly the table's columns, child tables before `runs`.
//! (`tests/store.rs` runs the same path against a real clickhouse-server
//! when `.ci/run` started one.)

mod common;

use std::sync::{Arc, Mutex};

use ci_intel_telemetry::ingest::{FileResult, ingest};
use ci_intel_telemetry::store::tables::{LOADS, RECORD_TABLES};
use ci_intel_telemetry::store::{self, StoreUrl};
use common::*;
use serde_json::Value;

#[derive(Debug, Clone)]
struct Seen {
    query: String,
    database: String,
    auth: Option<String>,
    body: String,
}

fn serve(
    seen: Arc<Mutex<Vec<Seen>>>,
) -> (String, std::thread::JoinHandle<()>, Arc<tiny_http::Server>) {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let port = server.server_addr().to_ip().unwrap().port();
    let s = server.clone();
    let handle = std::thread::spawn(move || {
        for mut request in s.incoming_requests() {
            let url = url_params(request.url());
            let mut body = String::new();
            let _ = request.as_reader().read_to_string(&mut body);
            let auth = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Authorization"))
                .map(|h| h.value.to_string());
            // INSERT: the statement in the URL, rows in the body; else the body is the statement.
            let (query, body) = match url.get("query") {
                Some(q) => (q.clone(), body),
                None => (body, String::new()),
            };
            seen.lock().unwrap().push(Seen {
                query: query.clone(),
                database: url.get("database").cloned().unwrap_or_default(),
                auth,
                body,
            });
            let answer = if query.contains("FORMAT JSONCompact") {
                // No schema version yet, no run_id loaded yet.
                r#"{"meta":[{"name":"x","type":"String"}],"data":[]}"#.to_owned()
            } else {
                String::new()
            };
            let _ = request.respond(tiny_http::Response::from_string(answer));
        }
    });
    (format!("127.0.0.1:{port}"), handle, server)
}

fn url_params(url: &str) -> std::collections::HashMap<String, String> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), decode(v)))
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn ingest_speaks_clickhouse_http_with_json_each_row() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (addr, handle, server) = serve(seen.clone());
    let url = StoreUrl::parse(&format!("clickhouse+http://ci:pw@{addr}/telemetry")).unwrap();
    assert!(!url.redacted().contains("pw"));
    let mut backend = store::open_migrated(&url).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "r.ndjson", &synth_bytes(2, 20, 2));
    let report = ingest(backend.as_mut(), &[file], "load-x").unwrap();
    let FileResult::Loaded { outcome, .. } = &report.files[0] else {
        panic!("{:?}", report.files[0]);
    };
    assert_eq!(outcome.inserted, 20);
    server.unblock();
    drop(backend);
    handle.join().unwrap();

    let seen = seen.lock().unwrap().clone();
    // The database parameter names ours, except while creating it.
    for s in &seen {
        let expected = if s.query.starts_with("CREATE DATABASE") {
            "default"
        } else {
            "telemetry"
        };
        assert_eq!(s.database, expected, "database parameter of {}", s.query);
    }
    // Basic auth "ci:pw".
    assert!(
        seen.iter()
            .all(|s| s.auth.as_deref() == Some("Basic Y2k6cHc="))
    );
    assert!(
        seen[0]
            .query
            .starts_with("CREATE DATABASE IF NOT EXISTS telemetry")
    );
    for table in RECORD_TABLES.iter().chain([&&LOADS]) {
        assert!(
            seen.iter().any(|s| s.query.starts_with(&format!(
                "CREATE TABLE IF NOT EXISTS telemetry.{} ",
                table.name
            )) && s.query.contains("ReplacingMergeTree")),
            "no CREATE TABLE for {}",
            table.name
        );
    }
    let inserts: Vec<&Seen> = seen
        .iter()
        .filter(|s| {
            s.query.starts_with("INSERT INTO telemetry.") && s.query.ends_with("FORMAT JSONEachRow")
        })
        .collect();
    let order: Vec<&str> = inserts
        .iter()
        .map(|s| {
            s.query
                .trim_start_matches("INSERT INTO telemetry.")
                .split(' ')
                .next()
                .unwrap()
        })
        .collect();
    let runs_at = order.iter().position(|t| *t == "runs").unwrap();
    let jobs_at = order.iter().position(|t| *t == "jobs").unwrap();
    assert!(jobs_at < runs_at, "children before runs: {order:?}");
    assert_eq!(order.last(), Some(&"loads"));
    for insert in inserts {
        let name = insert
            .query
            .trim_start_matches("INSERT INTO telemetry.")
            .split(' ')
            .next()
            .unwrap();
        let table = RECORD_TABLES
            .iter()
            .chain([&&LOADS])
            .find(|t| t.name == name)
            .unwrap();
        let columns: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
        for line in insert.body.lines() {
            let object: Value = serde_json::from_str(line).unwrap();
            let keys: Vec<&str> = object
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(
                keys, columns,
                "{name}: one JSON object per row with the table's columns"
            );
        }
        if name == "runs" {
            assert_eq!(insert.body.lines().count(), 20);
        }
    }
    // Before loading, the run_ids are looked up.
    assert!(seen.iter().any(|s| s.query.starts_with(
        "SELECT run_id, record_sha256, load_id FROM telemetry.runs WHERE run_id IN ("
    )));
}

#[test]
fn a_server_error_is_an_infrastructure_failure_naming_the_store() {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let handle = std::thread::spawn(move || {
        if let Ok(request) = server.recv() {
            let _ = request.respond(
                tiny_http::Response::from_string("Code: 516. DB::Exception: Authentication failed")
                    .with_status_code(401),
            );
        }
    });
    let url = StoreUrl::parse(&format!("clickhouse+http://ci:secret@127.0.0.1:{port}/t")).unwrap();
    let err = store::open_migrated(&url).unwrap_err();
    handle.join().unwrap();
    assert_eq!(err.code, ci_intel_core::ExitCode::Infra);
    assert!(err.message.contains("401") && err.message.contains("Authentication failed"));
    assert!(!err.message.contains("secret"));
}
