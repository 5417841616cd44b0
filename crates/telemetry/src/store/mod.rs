//! The telemetry store: one normalised schema ([`tables`]) in SQLite (the
//! default, embedded), PostgreSQL or ClickHouse, created and migrated by the
//! tool, loaded exactly once per `run_id`, and read with the same SQL where
//! the dialects allow.

pub mod clickhouse;
pub mod postgres;
pub mod sqlite;
pub mod tables;

use std::collections::HashSet;
use std::path::PathBuf;

use ci_intel_core::Failure;

use crate::read::{ReadRecord, Reader, Rejection};
use tables::{LOADS, RECORD_TABLES, SCHEMA_VERSION, Table, Ty, Val};

/// Where the default store lives, relative to the working directory.
pub const DEFAULT_SQLITE: &str = ".ci-intel/telemetry.db";

/// The SQL dialect of a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
    ClickHouse,
}

/// A `--store` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// A SQLite file: a plain path, `sqlite:PATH` or `sqlite://PATH`.
    Sqlite(PathBuf),
    /// `postgres://` or `postgresql://` (libpq URL syntax; TLS by rustls
    /// when the server offers it, required with `sslmode=require`).
    Postgres(String),
    /// `clickhouse+http://[user[:password]@]host:port/database` (or
    /// `clickhouse+https://`): ClickHouse's HTTP interface.
    ClickHouse(clickhouse::Endpoint),
}

impl StoreUrl {
    pub fn parse(text: &str) -> Result<StoreUrl, Failure> {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(StoreUrl::Postgres(text.to_owned()));
        }
        if text.starts_with("clickhouse+http://") || text.starts_with("clickhouse+https://") {
            return clickhouse::Endpoint::parse(text).map(StoreUrl::ClickHouse);
        }
        if let Some(path) = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
        {
            return Ok(StoreUrl::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = text.split_once("://") {
            return Err(Failure::usage(format!(
                "--store {text}: unknown scheme `{scheme}`; expected a SQLite path, sqlite:PATH, postgres://..., or clickhouse+http(s)://host:port/database"
            )));
        }
        if text.is_empty() {
            return Err(Failure::usage(
                "--store is empty; give a SQLite path or a postgres:// or clickhouse+http:// URL",
            ));
        }
        Ok(StoreUrl::Sqlite(PathBuf::from(text)))
    }

    /// The URL with any password replaced, for messages.
    pub fn redacted(&self) -> String {
        match self {
            StoreUrl::Sqlite(path) => path.display().to_string(),
            StoreUrl::Postgres(url) => redact_password(url),
            StoreUrl::ClickHouse(endpoint) => endpoint.redacted(),
        }
    }
}

impl Default for StoreUrl {
    fn default() -> Self {
        StoreUrl::Sqlite(PathBuf::from(DEFAULT_SQLITE))
    }
}

/// `scheme://user:secret@host` -> `scheme://user:***@host`.
pub fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((auth, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// A file to load: its name (as reported) and where to read it.
#[derive(Debug, Clone)]
pub struct FileSource {
    pub name: String,
    pub path: PathBuf,
}

impl FileSource {
    /// Start reading the file (a backend may read it twice).
    pub fn stream(&self) -> Result<FileStream, Failure> {
        let file = std::fs::File::open(&self.path)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", self.name)))?;
        Ok(FileStream {
            reader: Reader::new(
                &self.name,
                std::io::BufReader::with_capacity(1 << 20, Hashing::new(file)),
            ),
            seen: HashSet::new(),
            stats: FileStats::default(),
        })
    }
}

/// Counts of one file's records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileStats {
    pub records: usize,
    /// Lines whose run_id appeared earlier in the same file (the first wins).
    pub repeated: usize,
    pub migrated: usize,
}

/// A file's records, one at a time, without the repeats of a run_id.
#[derive(Debug)]
pub struct FileStream {
    reader: Reader<std::io::BufReader<Hashing<std::fs::File>>>,
    seen: HashSet<String>,
    stats: FileStats,
}

impl FileStream {
    /// The next record to load, or the rejection of the whole file.
    pub fn next_record(&mut self) -> Option<Result<ReadRecord, Rejection>> {
        loop {
            let record = match self.reader.next()? {
                Ok(record) => record,
                Err(rejection) => return Some(Err(rejection)),
            };
            self.stats.records += 1;
            if !self.seen.insert(record.record.run_id.clone()) {
                self.stats.repeated += 1;
                continue;
            }
            self.stats.migrated += usize::from(record.migrated);
            return Some(Ok(record));
        }
    }

    /// After the last record: the sha256 of the whole file and the counts.
    pub fn finish(self) -> Result<(String, FileStats), Failure> {
        let mut rest = self.reader.into_inner();
        std::io::copy(&mut rest, &mut std::io::sink())
            .map_err(|e| Failure::infra(format!("cannot read: {e}")))?;
        Ok((rest.into_inner().hex(), self.stats))
    }
}

/// A reader that hashes what passes through it.
#[derive(Debug)]
pub struct Hashing<R> {
    inner: R,
    hasher: sha2::Sha256,
}

impl<R> Hashing<R> {
    pub fn new(inner: R) -> Hashing<R> {
        use sha2::Digest as _;
        Hashing {
            inner,
            hasher: sha2::Sha256::new(),
        }
    }
    pub fn hex(self) -> String {
        use sha2::Digest as _;
        ci_intel_core::canonical::hex(&self.hasher.finalize())
    }
}

impl<R: std::io::Read> std::io::Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest as _;
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// What loading one file came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    Done {
        outcome: LoadOutcome,
        stats: FileStats,
    },
    /// An invalid record: nothing of the file was written.
    Rejected(Rejection),
}

/// The `loads` row of a file.
pub fn loads_row(
    load_id: &str,
    loaded_at: &str,
    file: &str,
    sha256: &str,
    stats: FileStats,
    outcome: &LoadOutcome,
) -> Vec<Val> {
    vec![
        load_id.into(),
        file.into(),
        sha256.into(),
        (stats.records as i64).into(),
        (outcome.inserted as i64).into(),
        (outcome.duplicates as i64).into(),
        (outcome.conflicts.len() as i64).into(),
        loaded_at.into(),
    ]
}

/// A run_id that was already loaded with other content: the first load is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub run_id: String,
    pub line: usize,
    pub kept_load_id: String,
}

/// What loading one file did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOutcome {
    pub inserted: usize,
    /// Records whose run_id was already there with the same content.
    pub duplicates: usize,
    pub conflicts: Vec<Conflict>,
}

/// A store connection.
pub trait Backend: std::fmt::Debug {
    fn dialect(&self) -> Dialect;
    /// Create the schema, or bring it up to [`SCHEMA_VERSION`].
    fn migrate(&mut self) -> Result<(), Failure>;
    /// Load one file in one transaction (where the store has transactions):
    /// runs whose run_id is new, with their child rows, and a `loads` row.
    /// An invalid record rolls everything of the file back.
    fn load(
        &mut self,
        load_id: &str,
        loaded_at: &str,
        file: &FileSource,
    ) -> Result<Loaded, Failure>;
    /// Run a query with `$1`-style parameters; every value comes back as a [`Val`].
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Vec<Val>>, Failure>;
    /// Run a query and hand each row to `each` as it is read, so memory stays
    /// flat however many rows match (the per-row inputs of the percentiles).
    /// The default collects the rows with [`Backend::query`] first.
    fn for_each_row(
        &mut self,
        sql: &str,
        params: &[Val],
        each: &mut dyn FnMut(&[Val]),
    ) -> Result<(), Failure> {
        for row in self.query(sql, params)? {
            each(&row);
        }
        Ok(())
    }
}

/// Connect to a store (it is not migrated yet).
pub fn open(url: &StoreUrl) -> Result<Box<dyn Backend>, Failure> {
    Ok(match url {
        StoreUrl::Sqlite(path) => Box::new(sqlite::Sqlite::open(path)?),
        StoreUrl::Postgres(url) => Box::new(postgres::Postgres::connect(url)?),
        StoreUrl::ClickHouse(endpoint) => Box::new(clickhouse::ClickHouse::new(endpoint.clone())?),
    })
}

/// Connect and migrate.
pub fn open_migrated(url: &StoreUrl) -> Result<Box<dyn Backend>, Failure> {
    let mut store = open(url)?;
    store.migrate()?;
    Ok(store)
}

fn type_name(dialect: Dialect, ty: Ty, nullable: bool) -> String {
    match dialect {
        Dialect::Sqlite => match ty {
            Ty::Text => "TEXT",
            Ty::Int => "INTEGER",
            Ty::Real => "REAL",
        }
        .to_owned(),
        Dialect::Postgres => match ty {
            Ty::Text => "TEXT",
            Ty::Int => "BIGINT",
            Ty::Real => "DOUBLE PRECISION",
        }
        .to_owned(),
        Dialect::ClickHouse => {
            let base = match ty {
                Ty::Text => "String",
                Ty::Int => "Int64",
                Ty::Real => "Float64",
            };
            if nullable {
                format!("Nullable({base})")
            } else {
                base.to_owned()
            }
        }
    }
}

/// `CREATE TABLE` for one table in one dialect.
pub fn create_table(dialect: Dialect, table: &Table, prefix: &str) -> String {
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            let ty = type_name(dialect, c.ty, !c.key);
            if c.key && dialect != Dialect::ClickHouse {
                format!("{} {ty} NOT NULL", c.name)
            } else {
                format!("{} {ty}", c.name)
            }
        })
        .collect();
    let key = table.key().join(", ");
    match dialect {
        Dialect::ClickHouse => format!(
            "CREATE TABLE IF NOT EXISTS {prefix}{} ({}) ENGINE = ReplacingMergeTree ORDER BY ({key})",
            table.name,
            columns.join(", ")
        ),
        _ => format!(
            "CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY ({key}))",
            table.name,
            columns.join(", ")
        ),
    }
}

/// The indexes the metric queries use (SQLite and PostgreSQL).
///
/// Schema v2 added the last five: `health` reads the runs of its window by
/// start time and joins each to its cost, tests, policy decisions and jobs.
/// Without them every one of its queries scanned the whole `runs` table and
/// the child tables; with them a window is one range of `runs_by_start` and
/// one look-up per child, all answered from the indexes (covering: they hold
/// every column the queries read, so the table rows are never visited).
pub const INDEXES: &[&str] = &[
    "CREATE INDEX IF NOT EXISTS runs_by_end ON runs (ended_ms)",
    "CREATE INDEX IF NOT EXISTS runs_by_env ON runs (environment, repo, ended_ms)",
    "CREATE INDEX IF NOT EXISTS runs_by_commit ON runs (repo, branch, commit_sha, started_ms)",
    "CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started_ms, repo, day, status, duration_ms, queue_ms, flakiness_index, run_id)",
    "CREATE INDEX IF NOT EXISTS cost_by_run ON cost (run_id, usd, carbon_g_co2e)",
    "CREATE INDEX IF NOT EXISTS tests_by_run ON tests (run_id, mutants_total, score)",
    "CREATE INDEX IF NOT EXISTS policies_by_run ON policies (run_id, policy_id, result)",
    "CREATE INDEX IF NOT EXISTS jobs_by_run ON jobs (run_id, name, status, duration_ms, queue_ms)",
];

/// Every statement that creates the schema (SQLite and PostgreSQL). Each is
/// idempotent (`IF NOT EXISTS`), so running them all over a store of an
/// older version brings it up to date in place: v1 to v2 adds indexes only.
pub fn schema_statements(dialect: Dialect) -> Vec<String> {
    let mut out: Vec<String> = RECORD_TABLES
        .iter()
        .chain(std::iter::once(&&LOADS))
        .map(|t| create_table(dialect, t, ""))
        .collect();
    out.extend(INDEXES.iter().map(|s| (*s).to_owned()));
    out.push(
        "CREATE TABLE IF NOT EXISTS meta (meta_key TEXT NOT NULL PRIMARY KEY, meta_value TEXT)"
            .to_owned(),
    );
    out
}

/// Decide what to do with the version a store reports.
pub fn check_version(found: Option<i64>, store: &str) -> Result<bool, Failure> {
    match found {
        None => Ok(true),
        Some(v) if v == SCHEMA_VERSION => Ok(false),
        Some(v) if v > SCHEMA_VERSION => Err(Failure::usage(format!(
            "{store} holds telemetry schema v{v}, newer than this ci-intel-telemetry's v{SCHEMA_VERSION}; use a newer ci-intel-telemetry"
        ))),
        // v1 lacked the indexes of `health`: the idempotent schema
        // statements add them to the existing tables. Each future step
        // goes here, in order.
        Some(1) => {
            eprintln!(
                "note: {store}: upgrading the telemetry schema v1 to v{SCHEMA_VERSION} in place (adds the indexes of `health`; once: about half a minute for a million runs on SQLite)"
            );
            Ok(true)
        }
        Some(v) => Err(Failure::infra(format!(
            "{store} holds telemetry schema v{v}, for which no migration exists"
        ))),
    }
}

/// `INSERT INTO table (...) VALUES (...)` with `?N` or `$N` placeholders.
pub fn insert_sql(table: &Table, dollar: bool) -> String {
    let marks: Vec<String> = (1..=table.columns.len())
        .map(|i| {
            if dollar {
                format!("${i}")
            } else {
                format!("?{i}")
            }
        })
        .collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({})",
        table.name,
        table.column_list(),
        marks.join(", ")
    )
}
