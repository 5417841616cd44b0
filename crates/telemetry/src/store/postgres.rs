//! PostgreSQL: the `postgres` client (tokio-postgres underneath) with TLS by
//! rustls (ring; the platform's roots). Each file is one transaction: its
//! rows are `COPY`ed into temporary stage tables, then moved with
//! `INSERT ... ON CONFLICT (run_id) DO NOTHING`, children only for the runs
//! that were new.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::Arc;

use ci_intel_core::Failure;
use postgres::types::{ToSql, Type};
use postgres::{Client, Config};

use super::tables::{LOADS, RECORD_TABLES, SCHEMA_VERSION, Val, rows_of};
use super::{Backend, Conflict, Dialect, FileSource, LoadOutcome, Loaded, redact_password};

/// Records per COPY into the stage tables.
const COPY_CHUNK: usize = 10_000;

pub struct Postgres {
    client: Client,
    name: String,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("name", &self.name)
            .finish()
    }
}

fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect, Failure> {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    for cert in found.certs {
        // A platform certificate rustls cannot parse is skipped, as browsers do.
        let _ = roots.add(cert);
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| Failure::infra(format!("TLS configuration: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

impl Postgres {
    pub fn connect(url: &str) -> Result<Postgres, Failure> {
        let name = redact_password(url);
        let mut config: Config = url
            .parse()
            .map_err(|e| Failure::usage(format!("--store {name}: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(15));
        }
        let mut client = config
            .connect(tls()?)
            .map_err(|e| Failure::infra(format!("cannot connect to {name}: {e}")))?;
        // The metric queries are a few long scans: compiling each with
        // LLVM first (JIT, on by default since PostgreSQL 12) cost more
        // than it saved (about 0.1 s a query over a million runs).
        // A server without JIT (before 11) does not know the setting: fine.
        let _ = client.batch_execute("SET jit = off");
        Ok(Postgres { client, name })
    }

    fn fail(&self, what: &str, e: &postgres::Error) -> Failure {
        Failure::infra(format!("PostgreSQL store {}: {what}: {e}", self.name))
    }
}

/// A value in COPY's text format.
fn copy_field(out: &mut Vec<u8>, value: &Val) {
    match value {
        Val::Null => out.extend_from_slice(b"\\N"),
        Val::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Val::Real(f) => out.extend_from_slice(f.to_string().as_bytes()),
        Val::Text(t) => {
            for b in t.bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    other => out.push(other),
                }
            }
        }
    }
}

fn params(values: &[Val]) -> Vec<Box<dyn ToSql + Sync>> {
    values
        .iter()
        .map(|v| -> Box<dyn ToSql + Sync> {
            match v {
                Val::Null => Box::new(None::<String>),
                Val::Int(i) => Box::new(*i),
                Val::Real(f) => Box::new(*f),
                Val::Text(t) => Box::new(t.clone()),
            }
        })
        .collect()
}

fn value_of(row: &postgres::Row, index: usize) -> Result<Val, String> {
    let ty = row.columns()[index].type_().clone();
    let err = |e: postgres::Error| format!("column {index}: {e}");
    Ok(match ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(index).map_err(err)?.into(),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(index)
            .map_err(err)?
            .map(i64::from)
            .into(),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(index)
            .map_err(err)?
            .map(i64::from)
            .into(),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(index).map_err(err)?.into(),
        Type::FLOAT4 => row
            .try_get::<_, Option<f32>>(index)
            .map_err(err)?
            .map(f64::from)
            .into(),
        Type::BOOL => row.try_get::<_, Option<bool>>(index).map_err(err)?.into(),
        Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR => {
            row.try_get::<_, Option<String>>(index).map_err(err)?.into()
        }
        other => {
            return Err(format!(
                "column {index} has type {other}; cast it to BIGINT, DOUBLE PRECISION or TEXT"
            ));
        }
    })
}

impl Backend for Postgres {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn migrate(&mut self) -> Result<(), Failure> {
        let has_meta = self
            .client
            .query_one("SELECT to_regclass('meta') IS NOT NULL", &[])
            .map_err(|e| self.fail("reading the schema", &e))?
            .get::<_, bool>(0);
        let version = if has_meta {
            self.client
                .query_opt(
                    "SELECT meta_value FROM meta WHERE meta_key = 'schema_version'",
                    &[],
                )
                .map_err(|e| self.fail("reading the schema version", &e))?
                .and_then(|r| r.get::<_, Option<String>>(0))
                .and_then(|v| v.parse().ok())
        } else {
            None
        };
        if !super::check_version(version, &self.name)? {
            return Ok(());
        }
        let name = self.name.clone();
        let mut tx = self
            .client
            .transaction()
            .map_err(|e| Failure::infra(format!("{name}: {e}")))?;
        for statement in super::schema_statements(Dialect::Postgres) {
            tx.batch_execute(&statement)
                .map_err(|e| Failure::infra(format!("{name}: {statement}: {e}")))?;
        }
        tx.execute(
            "INSERT INTO meta (meta_key, meta_value) VALUES ('schema_version', $1) ON CONFLICT (meta_key) DO UPDATE SET meta_value = excluded.meta_value",
            &[&SCHEMA_VERSION.to_string()],
        )
        .map_err(|e| Failure::infra(format!("{name}: {e}")))?;
        tx.commit()
            .map_err(|e| Failure::infra(format!("{name}: {e}")))
    }

    fn load(
        &mut self,
        load_id: &str,
        loaded_at: &str,
        file: &FileSource,
    ) -> Result<Loaded, Failure> {
        let name = self.name.clone();
        let fail = |e: postgres::Error| {
            Failure::infra(format!(
                "PostgreSQL store {name}: loading {}: {e}; nothing of the file was written",
                file.name
            ))
        };
        let io_fail = |e: std::io::Error| {
            Failure::infra(format!(
                "PostgreSQL store {name}: loading {}: {e}; nothing of the file was written",
                file.name
            ))
        };
        let mut stream = file.stream()?;
        // Dropping the transaction without commit rolls it back.
        let mut tx = self.client.transaction().map_err(fail)?;
        for table in &RECORD_TABLES {
            tx.batch_execute(&format!(
                "CREATE TEMP TABLE stage_{0} (LIKE {0}) ON COMMIT DROP",
                table.name
            ))
            .map_err(fail)?;
        }
        let mut lines: HashMap<String, usize> = HashMap::new();
        let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); RECORD_TABLES.len()];
        let mut pending = 0usize;
        loop {
            let item = stream.next_record();
            let end = item.is_none();
            if let Some(item) = item {
                let read = match item {
                    Ok(read) => read,
                    Err(rejection) => return Ok(Loaded::Rejected(rejection)),
                };
                lines.insert(read.record.run_id.clone(), read.line);
                for (buffer, table_rows) in buffers.iter_mut().zip(rows_of(load_id, &read).iter()) {
                    for row in table_rows {
                        for (i, value) in row.iter().enumerate() {
                            if i > 0 {
                                buffer.push(b'\t');
                            }
                            copy_field(buffer, value);
                        }
                        buffer.push(b'\n');
                    }
                }
                pending += 1;
            }
            // COPY a chunk at a time: memory stays bounded whatever the file's size.
            if pending >= COPY_CHUNK || (end && pending > 0) {
                for (table, buffer) in RECORD_TABLES.iter().zip(buffers.iter_mut()) {
                    let mut writer = tx
                        .copy_in(&format!(
                            "COPY stage_{} ({}) FROM STDIN",
                            table.name,
                            table.column_list()
                        ))
                        .map_err(fail)?;
                    writer.write_all(buffer).map_err(io_fail)?;
                    writer.finish().map_err(fail)?;
                    buffer.clear();
                }
                pending = 0;
            }
            if end {
                break;
            }
        }
        tx.batch_execute(
            "CREATE TEMP TABLE stage_new (run_id TEXT PRIMARY KEY) ON COMMIT DROP;
             WITH ins AS (INSERT INTO runs SELECT * FROM stage_runs ON CONFLICT (run_id) DO NOTHING RETURNING run_id)
             INSERT INTO stage_new SELECT run_id FROM ins",
        )
        .map_err(fail)?;
        for table in &RECORD_TABLES[1..] {
            tx.batch_execute(&format!(
                "INSERT INTO {0} SELECT s.* FROM stage_{0} s JOIN stage_new n ON n.run_id = s.run_id",
                table.name
            ))
            .map_err(fail)?;
        }
        let inserted = tx
            .query_one("SELECT count(*) FROM stage_new", &[])
            .map_err(fail)?
            .get::<_, i64>(0) as usize;
        let old = tx
            .query(
                "SELECT s.run_id, s.record_sha256 = r.record_sha256, r.load_id
                 FROM stage_runs s JOIN runs r ON r.run_id = s.run_id
                 WHERE NOT EXISTS (SELECT 1 FROM stage_new n WHERE n.run_id = s.run_id)",
                &[],
            )
            .map_err(fail)?;
        let mut outcome = LoadOutcome {
            inserted,
            ..LoadOutcome::default()
        };
        for row in old {
            let run_id: String = row.get(0);
            if row.get::<_, bool>(1) {
                outcome.duplicates += 1;
            } else {
                outcome.conflicts.push(Conflict {
                    line: lines.get(run_id.as_str()).copied().unwrap_or(0),
                    run_id,
                    kept_load_id: row.get::<_, Option<String>>(2).unwrap_or_default(),
                });
            }
        }
        outcome.conflicts.sort_by_key(|c| c.line);
        let (sha, stats) = stream.finish()?;
        let loads_row = super::loads_row(load_id, loaded_at, &file.name, &sha, stats, &outcome);
        let boxed = params(&loads_row);
        let refs: Vec<&(dyn ToSql + Sync)> = boxed.iter().map(AsRef::as_ref).collect();
        tx.execute(&super::insert_sql(&LOADS, true), &refs)
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(Loaded::Done { outcome, stats })
    }

    fn query(&mut self, sql: &str, values: &[Val]) -> Result<Vec<Vec<Val>>, Failure> {
        let boxed = params(values);
        let refs: Vec<&(dyn ToSql + Sync)> = boxed.iter().map(AsRef::as_ref).collect();
        let rows = self
            .client
            .query(sql, &refs)
            .map_err(|e| self.fail(&format!("query {sql}"), &e))?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| value_of(row, i))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| Failure::infra(format!("PostgreSQL query {sql}: {e}")))
            })
            .collect()
    }

    fn for_each_row(
        &mut self,
        sql: &str,
        values: &[Val],
        each: &mut dyn FnMut(&[Val]),
    ) -> Result<(), Failure> {
        use postgres::fallible_iterator::FallibleIterator as _;
        let name = self.name.clone();
        let fail = |e: postgres::Error| {
            Failure::infra(format!("PostgreSQL store {name}: query {sql}: {e}"))
        };
        let boxed = params(values);
        let mut rows = self.client.query_raw(sql, boxed).map_err(fail)?;
        // One row buffer for every row: text is copied into the string of
        // the row before (see the SQLite store).
        let mut out: Vec<Val> = Vec::new();
        while let Some(row) = rows.next().map_err(fail)? {
            out.resize(row.len(), Val::Null);
            for (i, slot) in out.iter_mut().enumerate() {
                let text = matches!(
                    *row.columns()[i].type_(),
                    Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR
                );
                match (text, &mut *slot) {
                    (true, Val::Text(s)) => {
                        match row.try_get::<_, Option<&str>>(i).map_err(fail)? {
                            Some(t) => {
                                s.clear();
                                s.push_str(t);
                            }
                            None => *slot = Val::Null,
                        }
                    }
                    _ => {
                        *slot = value_of(&row, i)
                            .map_err(|e| Failure::infra(format!("PostgreSQL query {sql}: {e}")))?;
                    }
                }
            }
            each(&out);
        }
        Ok(())
    }
}
