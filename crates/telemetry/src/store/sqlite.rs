//! SQLite, the default store: `rusqlite` with its bundled C library (static
//! under musl), one file, WAL journal.

use std::path::Path;

use ci_intel_core::Failure;
use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use rusqlite::{Connection, OptionalExtension, ToSql};

use super::tables::{LOADS, RECORD_TABLES, RUNS, SCHEMA_VERSION, Val, rows_of};
use super::{Backend, Conflict, Dialect, FileSource, LoadOutcome, Loaded};

#[derive(Debug)]
pub struct Sqlite {
    conn: Connection,
    name: String,
}

impl ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Val::Null => ToSqlOutput::Owned(SqlValue::Null),
            Val::Int(i) => ToSqlOutput::Owned(SqlValue::Integer(*i)),
            Val::Real(f) => ToSqlOutput::Owned(SqlValue::Real(*f)),
            Val::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
        })
    }
}

fn from_ref(value: ValueRef<'_>) -> Val {
    match value {
        ValueRef::Null => Val::Null,
        ValueRef::Integer(i) => Val::Int(i),
        ValueRef::Real(f) => Val::Real(f),
        ValueRef::Text(t) | ValueRef::Blob(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
    }
}

impl Sqlite {
    /// Open (or create) the database file, creating its directory.
    pub fn open(path: &Path) -> Result<Sqlite, Failure> {
        let name = path.display().to_string();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| Failure::infra(format!("cannot create {}: {e}", parent.display())))?;
        }
        let conn = Connection::open(path)
            .map_err(|e| Failure::infra(format!("cannot open SQLite store {name}: {e}")))?;
        conn.execute_batch(
            // A 64 MiB page cache: a file of a million records is one
                // transaction, and the index pages it touches stay in memory
                // instead of being spilled to the WAL again and again.
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -65536;",
        )
        .map_err(|e| Failure::infra(format!("{name}: {e}")))?;
        Ok(Sqlite { conn, name })
    }

    fn err(&self, what: &str, e: &rusqlite::Error) -> Failure {
        Failure::infra(format!("SQLite store {}: {what}: {e}", self.name))
    }
}

impl Backend for Sqlite {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn migrate(&mut self) -> Result<(), Failure> {
        let has_meta: bool = self
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .map_err(|e| self.err("reading the schema", &e))?;
        let version = if has_meta {
            self.conn
                .query_row(
                    "SELECT meta_value FROM meta WHERE meta_key = 'schema_version'",
                    [],
                    |r| r.get::<_, String>(0),
                )
                .optional()
                .map_err(|e| self.err("reading the schema version", &e))?
                .and_then(|v| v.parse().ok())
        } else {
            None
        };
        if !super::check_version(version, &self.name)? {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction()
            .map_err(|e| Failure::infra(format!("SQLite store: {e}")))?;
        for statement in super::schema_statements(Dialect::Sqlite) {
            tx.execute(&statement, [])
                .map_err(|e| Failure::infra(format!("SQLite store: {statement}: {e}")))?;
        }
        tx.execute(
            "INSERT INTO meta (meta_key, meta_value) VALUES ('schema_version', ?1) ON CONFLICT (meta_key) DO UPDATE SET meta_value = excluded.meta_value",
            [SCHEMA_VERSION.to_string()],
        )
        .map_err(|e| Failure::infra(format!("SQLite store: {e}")))?;
        tx.commit()
            .map_err(|e| Failure::infra(format!("SQLite store: {e}")))
    }

    fn load(
        &mut self,
        load_id: &str,
        loaded_at: &str,
        file: &FileSource,
    ) -> Result<Loaded, Failure> {
        let name = self.name.clone();
        let fail = |e: rusqlite::Error| {
            Failure::infra(format!(
                "SQLite store {name}: loading {}: {e}; nothing of the file was written",
                file.name
            ))
        };
        let mut stream = file.stream()?;
        // Dropping the transaction without commit rolls it back.
        let tx = self.conn.transaction().map_err(fail)?;
        let mut outcome = LoadOutcome::default();
        let stats = {
            let insert_run = format!(
                "{} ON CONFLICT (run_id) DO NOTHING",
                super::insert_sql(&RUNS, false)
            );
            let mut run_stmt = tx.prepare_cached(&insert_run).map_err(fail)?;
            let mut child_stmts = Vec::new();
            for table in &RECORD_TABLES[1..] {
                child_stmts.push(
                    tx.prepare_cached(&super::insert_sql(table, false))
                        .map_err(fail)?,
                );
            }
            let mut existing = tx
                .prepare_cached("SELECT record_sha256, load_id FROM runs WHERE run_id = ?1")
                .map_err(fail)?;
            while let Some(item) = stream.next_record() {
                let read = match item {
                    Ok(read) => read,
                    Err(rejection) => return Ok(Loaded::Rejected(rejection)),
                };
                let rows = rows_of(load_id, &read);
                let run = &rows[0][0];
                let changed = run_stmt
                    .execute(rusqlite::params_from_iter(run.iter()))
                    .map_err(fail)?;
                if changed == 0 {
                    let (sha, kept): (String, String) = existing
                        .query_row([&read.record.run_id], |r| Ok((r.get(0)?, r.get(1)?)))
                        .map_err(fail)?;
                    if sha == read.sha256 {
                        outcome.duplicates += 1;
                    } else {
                        outcome.conflicts.push(Conflict {
                            run_id: read.record.run_id.clone(),
                            line: read.line,
                            kept_load_id: kept,
                        });
                    }
                    continue;
                }
                outcome.inserted += 1;
                for (stmt, table_rows) in child_stmts.iter_mut().zip(rows[1..].iter()) {
                    for row in table_rows {
                        stmt.execute(rusqlite::params_from_iter(row.iter()))
                            .map_err(fail)?;
                    }
                }
            }
            let (sha, stats) = stream.finish()?;
            let row = super::loads_row(load_id, loaded_at, &file.name, &sha, stats, &outcome);
            tx.execute(
                &super::insert_sql(&LOADS, false),
                rusqlite::params_from_iter(row.iter()),
            )
            .map_err(fail)?;
            stats
        };
        tx.commit().map_err(fail)?;
        Ok(Loaded::Done { outcome, stats })
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Vec<Val>>, Failure> {
        // The streaming reader, collected: one place reads SQLite rows.
        let mut out = Vec::new();
        self.for_each_row(sql, params, &mut |row| out.push(row.to_vec()))?;
        Ok(out)
    }

    fn for_each_row(
        &mut self,
        sql: &str,
        params: &[Val],
        each: &mut dyn FnMut(&[Val]),
    ) -> Result<(), Failure> {
        let sql = dollar_to_question(sql);
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(|e| self.err(&format!("preparing {sql}"), &e))?;
        let columns = stmt.column_count();
        let fail = |e: rusqlite::Error| Failure::infra(format!("SQLite query {sql}: {e}"));
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(fail)?;
        // One row buffer for every row: a text value is copied into the
        // string of the row before, so a million rows are not a million
        // allocations.
        let mut values = vec![Val::Null; columns];
        while let Some(row) = rows.next().map_err(fail)? {
            for (i, slot) in values.iter_mut().enumerate() {
                match row.get_ref(i).map_err(fail)? {
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        let text = String::from_utf8_lossy(t);
                        match slot {
                            Val::Text(s) => {
                                s.clear();
                                s.push_str(&text);
                            }
                            other => *other = Val::Text(text.into_owned()),
                        }
                    }
                    other => *slot = from_ref(other),
                }
            }
            each(&values);
        }
        Ok(())
    }
}

/// `$1` (PostgreSQL's placeholders, which the shared SQL uses) to SQLite's `?1`.
pub fn dollar_to_question(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}
