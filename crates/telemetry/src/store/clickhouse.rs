//! ClickHouse over its HTTP interface: `INSERT ... FORMAT JSONEachRow` to
//! load, `FORMAT JSONCompact` to read. No native protocol, no driver.
//!
//! ClickHouse has no multi-statement transactions. Exactly-once is kept by
//! asking which of a file's run_ids are already in `runs` before loading, and
//! by writing the child tables first and `runs` last: a run is visible to the
//! metrics (which all start from `runs`) only once everything it carries is
//! in. Every table is a `ReplacingMergeTree` ordered by its key, so child rows
//! written again after an interrupted load collapse into one on merge.

use std::collections::HashMap;
use std::time::Duration;

use ci_intel_core::Failure;
use serde_json::Value;

use super::tables::{LOADS, RECORD_TABLES, RUNS, SCHEMA_VERSION, Table, Val, rows_of};
use super::{Backend, Conflict, Dialect, FileSource, LoadOutcome, Loaded};
use crate::read::ReadRecord;

/// Records per round of INSERTs.
const INSERT_CHUNK: usize = 5_000;

/// `clickhouse+http(s)://[user[:password]@]host:port/database`.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `http(s)://host:port`.
    pub base: String,
    pub database: String,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Endpoint {
    pub fn parse(text: &str) -> Result<Endpoint, Failure> {
        let bad = |why: &str| {
            Failure::usage(format!(
                "--store {}: {why}; expected clickhouse+http://[user[:password]@]host:port/database",
                super::redact_password(text)
            ))
        };
        let (scheme, rest) = text
            .strip_prefix("clickhouse+")
            .and_then(|t| t.split_once("://"))
            .ok_or_else(|| bad("not a clickhouse+http(s) URL"))?;
        if scheme != "http" && scheme != "https" {
            return Err(bad(
                "the scheme must be clickhouse+http or clickhouse+https",
            ));
        }
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (auth, host) = match authority.rsplit_once('@') {
            Some((auth, host)) => (Some(auth), host),
            None => (None, authority),
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let (user, password) = match auth {
            Some(auth) => match auth.split_once(':') {
                Some((u, p)) => (Some(u.to_owned()), Some(p.to_owned())),
                None => (Some(auth.to_owned()), None),
            },
            None => (None, None),
        };
        let database = path.split('?').next().unwrap_or("").trim_end_matches('/');
        let database = if database.is_empty() {
            "default"
        } else {
            database
        };
        if !database
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(bad("the database name may hold letters, digits and _ only"));
        }
        Ok(Endpoint {
            base: format!("{scheme}://{host}"),
            database: database.to_owned(),
            user,
            password,
        })
    }

    pub fn redacted(&self) -> String {
        let scheme_host = self.base.replacen("://", "", 1);
        let (scheme, host) = self
            .base
            .split_once("://")
            .unwrap_or(("http", &scheme_host));
        match (&self.user, &self.password) {
            (Some(u), Some(_)) => format!("clickhouse+{scheme}://{u}:***@{host}/{}", self.database),
            (Some(u), None) => format!("clickhouse+{scheme}://{u}@{host}/{}", self.database),
            _ => format!("clickhouse+{scheme}://{host}/{}", self.database),
        }
    }
}

#[derive(Debug)]
pub struct ClickHouse {
    endpoint: Endpoint,
    http: reqwest::blocking::Client,
}

/// A SQL string literal for ClickHouse.
pub fn literal(value: &Val) -> String {
    match value {
        Val::Null => "NULL".to_owned(),
        Val::Int(i) => i.to_string(),
        Val::Real(f) => format!("{f:?}"),
        Val::Text(t) => format!("'{}'", t.replace('\\', "\\\\").replace('\'', "\\'")),
    }
}

/// Replace `$N` placeholders with literals (ClickHouse 18 has no server-side parameters).
pub fn bind(sql: &str, params: &[Val]) -> Result<String, Failure> {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            let mut digits = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(*d);
                chars.next();
            }
            let index: usize = digits.parse().unwrap_or(0);
            let value = index
                .checked_sub(1)
                .and_then(|i| params.get(i))
                .ok_or_else(|| {
                    Failure::infra(format!(
                        "query has ${index} but {} parameter(s)",
                        params.len()
                    ))
                })?;
            out.push_str(&literal(value));
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

fn json_of(value: &Val) -> Value {
    match value {
        Val::Null => Value::Null,
        Val::Int(i) => Value::from(*i),
        Val::Real(f) => Value::from(*f),
        Val::Text(t) => Value::from(t.as_str()),
    }
}

impl ClickHouse {
    pub fn new(endpoint: Endpoint) -> Result<ClickHouse, Failure> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(300))
            .connect_timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| Failure::infra(format!("HTTP client: {e}")))?;
        Ok(ClickHouse { endpoint, http })
    }

    /// POST a statement (and optional data after it) to the HTTP interface.
    fn post(&self, query: &str, body: Vec<u8>) -> Result<String, Failure> {
        // The database may not exist yet when it is being created or dropped.
        let head = query.trim_start().to_ascii_uppercase();
        let database = if head.starts_with("CREATE DATABASE") || head.starts_with("DROP DATABASE") {
            "default"
        } else {
            self.endpoint.database.as_str()
        };
        // With data (INSERT), the statement goes in the URL and the rows in
        // the body; otherwise the statement is the body (no URL length limit).
        let mut params = vec![
            ("database", database),
            ("output_format_json_quote_64bit_integers", "0"),
        ];
        let body = if body.is_empty() {
            query.as_bytes().to_vec()
        } else {
            params.push(("query", query));
            body
        };
        let url = reqwest::Url::parse_with_params(&format!("{}/", self.endpoint.base), &params)
            .map_err(|e| Failure::usage(format!("ClickHouse {}: {e}", self.endpoint.redacted())))?;
        let mut request = self.http.post(url).body(body);
        if let Some(user) = &self.endpoint.user {
            request = request.basic_auth(user, self.endpoint.password.as_deref());
        }
        let response = request
            .send()
            .map_err(|e| Failure::infra(format!("ClickHouse {}: {e}", self.endpoint.redacted())))?;
        let status = response.status();
        let text = response
            .text()
            .map_err(|e| Failure::infra(format!("ClickHouse {}: {e}", self.endpoint.redacted())))?;
        if !status.is_success() {
            return Err(Failure::infra(format!(
                "ClickHouse {} answered {status} to `{}`: {}",
                self.endpoint.redacted(),
                query.chars().take(200).collect::<String>(),
                text.trim()
            )));
        }
        Ok(text)
    }

    fn table(&self, table: &Table) -> String {
        format!("{}.{}", self.endpoint.database, table.name)
    }

    /// Load some records: skip the run_ids already there, children first, runs last.
    fn load_chunk(
        &mut self,
        load_id: &str,
        chunk: &[ReadRecord],
        outcome: &mut LoadOutcome,
    ) -> Result<(), Failure> {
        let ids: Vec<String> = chunk
            .iter()
            .map(|r| literal(&Val::from(r.record.run_id.as_str())))
            .collect();
        let sql = format!(
            "SELECT run_id, record_sha256, load_id FROM {} WHERE run_id IN ({})",
            self.table(&RUNS),
            ids.join(", ")
        );
        let mut existing: HashMap<String, (String, String)> = HashMap::new();
        for row in self.query(&sql, &[])? {
            existing.insert(
                row[0].text(),
                (row[1].text(), row.get(2).map(Val::text).unwrap_or_default()),
            );
        }
        let mut tables: Vec<Vec<Vec<Val>>> = vec![Vec::new(); RECORD_TABLES.len()];
        for read in chunk {
            if let Some((sha, kept)) = existing.get(&read.record.run_id) {
                if *sha == read.sha256 {
                    outcome.duplicates += 1;
                } else {
                    outcome.conflicts.push(Conflict {
                        run_id: read.record.run_id.clone(),
                        line: read.line,
                        kept_load_id: kept.clone(),
                    });
                }
                continue;
            }
            outcome.inserted += 1;
            for (all, rows) in tables.iter_mut().zip(rows_of(load_id, read)) {
                all.extend(rows);
            }
        }
        for (table, rows) in RECORD_TABLES.iter().zip(tables.iter()).skip(1) {
            self.insert(table, &rows.iter().collect::<Vec<_>>())?;
        }
        self.insert(&RUNS, &tables[0].iter().collect::<Vec<_>>())
    }

    fn insert(&self, table: &Table, rows: &[&Vec<Val>]) -> Result<(), Failure> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut body = Vec::new();
        for row in rows {
            let object: serde_json::Map<String, Value> = table
                .columns
                .iter()
                .zip(row.iter())
                .map(|(c, v)| (c.name.to_owned(), json_of(v)))
                .collect();
            serde_json::to_writer(&mut body, &object)
                .map_err(|e| Failure::infra(format!("JSON: {e}")))?;
            body.push(b'\n');
        }
        self.post(
            &format!("INSERT INTO {} FORMAT JSONEachRow", self.table(table)),
            body,
        )
        .map(drop)
    }
}

fn decode(value: &Value, ty: &str) -> Val {
    let base = ty
        .strip_prefix("Nullable(")
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(ty);
    match value {
        Value::Null => Val::Null,
        Value::Bool(b) => Val::Int(i64::from(*b)),
        Value::Number(n) => {
            if base.starts_with("Int") || base.starts_with("UInt") {
                n.as_i64()
                    .map_or_else(|| Val::Real(n.as_f64().unwrap_or(0.0)), Val::Int)
            } else {
                Val::Real(n.as_f64().unwrap_or(0.0))
            }
        }
        Value::String(s) => {
            if base.starts_with("Int") || base.starts_with("UInt") {
                s.parse().map_or_else(|_| Val::Text(s.clone()), Val::Int)
            } else if base.starts_with("Float") {
                s.parse().map_or_else(|_| Val::Text(s.clone()), Val::Real)
            } else {
                Val::Text(s.clone())
            }
        }
        other => Val::Text(other.to_string()),
    }
}

impl Backend for ClickHouse {
    fn dialect(&self) -> Dialect {
        Dialect::ClickHouse
    }

    fn migrate(&mut self) -> Result<(), Failure> {
        self.post(
            &format!("CREATE DATABASE IF NOT EXISTS {}", self.endpoint.database),
            Vec::new(),
        )?;
        let meta = format!("{}.meta", self.endpoint.database);
        self.post(
            &format!("CREATE TABLE IF NOT EXISTS {meta} (meta_key String, meta_value String) ENGINE = ReplacingMergeTree ORDER BY meta_key"),
            Vec::new(),
        )?;
        let found = self.query(
            &format!("SELECT meta_value FROM {meta} FINAL WHERE meta_key = 'schema_version'"),
            &[],
        )?;
        let version = found.first().and_then(|r| r.first()).and_then(Val::as_i64);
        if !super::check_version(version, &self.endpoint.redacted())? {
            return Ok(());
        }
        let prefix = format!("{}.", self.endpoint.database);
        for table in RECORD_TABLES.iter().chain(std::iter::once(&&LOADS)) {
            self.post(
                &super::create_table(Dialect::ClickHouse, table, &prefix),
                Vec::new(),
            )?;
        }
        self.post(
            &format!("INSERT INTO {meta} (meta_key, meta_value) VALUES ('schema_version', '{SCHEMA_VERSION}')"),
            Vec::new(),
        )
        .map(drop)
    }

    fn load(
        &mut self,
        load_id: &str,
        loaded_at: &str,
        file: &FileSource,
    ) -> Result<Loaded, Failure> {
        // No transactions: read the whole file once first, so an invalid
        // record rejects it before anything is written.
        let mut check = file.stream()?;
        while let Some(item) = check.next_record() {
            if let Err(rejection) = item {
                return Ok(Loaded::Rejected(rejection));
            }
        }
        drop(check);
        let mut stream = file.stream()?;
        let mut outcome = LoadOutcome::default();
        let mut chunk = Vec::with_capacity(INSERT_CHUNK);
        loop {
            let item = stream.next_record();
            let end = item.is_none();
            match item {
                Some(Ok(read)) => chunk.push(read),
                Some(Err(rejection)) => return Ok(Loaded::Rejected(rejection)),
                None => {}
            }
            if chunk.len() >= INSERT_CHUNK || (end && !chunk.is_empty()) {
                self.load_chunk(load_id, &chunk, &mut outcome)?;
                chunk.clear();
            }
            if end {
                break;
            }
        }
        let (sha, stats) = stream.finish()?;
        let row = super::loads_row(load_id, loaded_at, &file.name, &sha, stats, &outcome);
        self.insert(&LOADS, &[&row])?;
        Ok(Loaded::Done { outcome, stats })
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Vec<Val>>, Failure> {
        let bound = bind(sql, params)?;
        let head = bound.trim_start().to_ascii_uppercase();
        if !(head.starts_with("SELECT") || head.starts_with("WITH")) {
            // A statement without a result set (DDL).
            self.post(&bound, Vec::new())?;
            return Ok(Vec::new());
        }
        let text = self.post(&format!("{bound} FORMAT JSONCompact"), Vec::new())?;
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            Failure::infra(format!(
                "ClickHouse answered something that is not JSONCompact: {e}"
            ))
        })?;
        let types: Vec<String> = value["meta"]
            .as_array()
            .map(|m| {
                m.iter()
                    .map(|c| c["type"].as_str().unwrap_or("String").to_owned())
                    .collect()
            })
            .unwrap_or_default();
        let rows = value["data"].as_array().cloned().unwrap_or_default();
        Ok(rows
            .iter()
            .map(|row| {
                row.as_array()
                    .map(|cells| {
                        cells
                            .iter()
                            .enumerate()
                            .map(|(i, cell)| {
                                decode(cell, types.get(i).map_or("String", String::as_str))
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_and_passwords_never_print() {
        let e = Endpoint::parse("clickhouse+http://ci:s3cret@127.0.0.1:8123/telemetry").unwrap();
        assert_eq!(e.base, "http://127.0.0.1:8123");
        assert_eq!(e.database, "telemetry");
        assert_eq!(e.password.as_deref(), Some("s3cret"));
        assert!(!format!("{e:?}").contains("s3cret"));
        let d = Endpoint::parse("clickhouse+https://host:8443").unwrap();
        assert_eq!(
            (d.base.as_str(), d.database.as_str()),
            ("https://host:8443", "default")
        );
        assert!(Endpoint::parse("clickhouse+ftp://h/x").is_err());
        assert!(Endpoint::parse("clickhouse+http://h/x;drop").is_err());
    }

    #[test]
    fn parameters_become_escaped_literals() {
        let sql = bind(
            "SELECT $1, $2, $10",
            &[
                Val::from("it's \\ here"),
                Val::Int(5),
                Val::Null,
                Val::Null,
                Val::Null,
                Val::Null,
                Val::Null,
                Val::Null,
                Val::Null,
                Val::Real(0.5),
            ],
        )
        .unwrap();
        assert_eq!(sql, "SELECT 'it\\'s \\\\ here', 5, 0.5");
        assert!(bind("SELECT $3", &[]).is_err());
    }
}
