//! The NDJSON reader `ingest` uses: one file's bytes in, its records out, or
//! the first reason the whole file is rejected (file:line and JSON pointer).
//!
//! [`read_ndjson`] is a plain function over bytes (no I/O, no store), so a
//! fuzz target can call it as it is. It never panics: every input is either
//! records or a [`Rejection`].

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::record::Record;
use crate::{migrate, schema};

/// Why a file is rejected. Nothing of the file is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub file: String,
    /// 1-based line of the offending record (0: the file as a whole).
    pub line: usize,
    /// RFC 6901 pointer into the record (`""` is the record itself).
    pub pointer: String,
    pub message: String,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(
            f,
            "{}:{}: {pointer}: {}; nothing of this file was loaded: fix the record (`ci-intel-telemetry validate {}` lists every defect) and ingest the file again",
            self.file, self.line, self.message, self.file
        )
    }
}

/// One record read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadRecord {
    /// 1-based line in the file.
    pub line: usize,
    /// Whether it came in as v1.1 and was migrated to v1.2.
    pub migrated: bool,
    /// sha256 of the canonical JSON of the (migrated) record.
    pub sha256: String,
    pub started_ms: i64,
    pub ended_ms: i64,
    pub record: Record,
}

/// Read one NDJSON file: blank lines are skipped, v1.1 records are migrated,
/// every record must validate against the embedded v1.2 schema. The first
/// defect rejects the whole file.
pub fn read_ndjson(file: &str, bytes: &[u8]) -> Result<Vec<ReadRecord>, Rejection> {
    Reader::new(file, bytes).collect()
}

/// The streaming form of [`read_ndjson`] over any buffered input: records
/// one by one, ending after the first rejection. `ingest` uses it so a file
/// of a million records is never held in memory.
#[derive(Debug)]
pub struct Reader<R> {
    file: String,
    input: R,
    line: usize,
    buf: Vec<u8>,
    done: bool,
}

impl<R: std::io::BufRead> Reader<R> {
    pub fn new(file: &str, input: R) -> Reader<R> {
        Reader {
            file: file.to_owned(),
            input,
            line: 0,
            buf: Vec::with_capacity(4096),
            done: false,
        }
    }

    /// The input, to read what is left (e.g. to finish a digest).
    pub fn into_inner(self) -> R {
        self.input
    }

    fn reject(&mut self, pointer: &str, message: String) -> Rejection {
        self.done = true;
        Rejection {
            file: self.file.clone(),
            line: self.line,
            pointer: pointer.to_owned(),
            message,
        }
    }
}

impl<R: std::io::BufRead> Iterator for Reader<R> {
    type Item = Result<ReadRecord, Rejection>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.buf.clear();
            match self.input.read_until(b'\n', &mut self.buf) {
                Ok(0) => {
                    self.done = true;
                    return None;
                }
                Ok(_) => {}
                Err(e) => {
                    self.line += 1;
                    return Some(Err(self.reject("", format!("cannot read: {e}"))));
                }
            }
            self.line += 1;
            let raw = match std::str::from_utf8(&self.buf) {
                Ok(text) => text,
                Err(e) => {
                    let at = e.valid_up_to();
                    return Some(Err(self.reject(
                        "",
                        format!(
                            "invalid UTF-8 at byte {} of the line: NDJSON must be UTF-8",
                            at + 1
                        ),
                    )));
                }
            };
            let raw = raw.strip_suffix('\n').unwrap_or(raw);
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if raw.trim().is_empty() {
                continue;
            }
            let result = read_line(self.line, raw);
            return Some(match result {
                Ok(record) => Ok(record),
                Err((pointer, message)) => Err(self.reject(&pointer, message)),
            });
        }
        None
    }
}

fn read_line(line: usize, raw: &str) -> Result<ReadRecord, (String, String)> {
    let mut value: Value = serde_json::from_str(raw).map_err(|e| {
        (
            String::new(),
            format!(
                "invalid JSON at column {}: {e}; expected one JSON object per line",
                e.column()
            ),
        )
    })?;
    let migrated =
        migrate::migrate_record(&mut value).map_err(|e| (e.pointer.clone(), e.message))?;
    let validator = schema::RecordSchema::embedded();
    if let Some(defect) = validator.defects(&value).into_iter().next() {
        return Err((defect.pointer, defect.message));
    }
    let sha256 = ci_intel_core::canonical::sha256_hex(&ci_intel_core::canonical::to_vec(&value));
    let record: Record = serde_path_to_error::deserialize(&value).map_err(|e| {
        (
            json_pointer(&e.path().to_string()),
            format!("{}; the store holds integers up to 2^63-1", e.inner()),
        )
    })?;
    let started_ms = epoch_ms(&record.started_at).ok_or_else(|| {
        (
            "/started_at".to_owned(),
            format!("`{}` is not an RFC 3339 time", record.started_at),
        )
    })?;
    let ended_ms = epoch_ms(&record.ended_at).ok_or_else(|| {
        (
            "/ended_at".to_owned(),
            format!("`{}` is not an RFC 3339 time", record.ended_at),
        )
    })?;
    Ok(ReadRecord {
        line,
        migrated,
        sha256,
        started_ms,
        ended_ms,
        record,
    })
}

/// Milliseconds since the Unix epoch of an RFC 3339 time.
pub fn epoch_ms(text: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc).timestamp_millis())
}

/// serde_path_to_error's `a.b[2].c` as an RFC 6901 pointer `/a/b/2/c`.
fn json_pointer(path: &str) -> String {
    if path == "." || path.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    for part in path.split('.') {
        let mut rest = part;
        while let Some(open) = rest.find('[') {
            let (name, tail) = rest.split_at(open);
            if !name.is_empty() {
                out.push('/');
                out.push_str(&name.replace('~', "~0").replace('/', "~1"));
            }
            let close = tail.find(']').unwrap_or(tail.len());
            out.push('/');
            out.push_str(tail.get(1..close).unwrap_or(""));
            rest = tail.get(close + 1..).unwrap_or("");
        }
        if !rest.is_empty() {
            out.push('/');
            out.push_str(&rest.replace('~', "~0").replace('/', "~1"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../../schemas/examples/pipeline_run.v1.2.example.json");

    fn example_line() -> String {
        let value: Value = serde_json::from_str(EXAMPLE).unwrap();
        value.to_string()
    }

    #[test]
    fn the_contract_example_reads_with_every_field() {
        let text = format!("\n{}\n\n", example_line());
        let records = read_ndjson("x.ndjson", text.as_bytes()).unwrap();
        assert_eq!(records.len(), 1);
        let r = &records[0];
        assert_eq!(r.line, 2);
        assert!(!r.migrated);
        assert_eq!(r.record.jobs.len(), 2);
        assert_eq!(r.ended_ms - r.started_ms, 250_000);
        assert_eq!(r.record.chaos.as_ref().unwrap()[0].seed, 42);
        assert!(r.record.canary.is_some());
    }

    #[test]
    fn an_invalid_record_names_file_line_and_pointer() {
        let mut bad: Value = serde_json::from_str(EXAMPLE).unwrap();
        bad["jobs"][1]["duration_ms"] = Value::from(-5);
        let text = format!("{}\n{}\n", example_line(), bad);
        let err = read_ndjson("runs.ndjson", text.as_bytes()).unwrap_err();
        assert_eq!(
            (err.file.as_str(), err.line, err.pointer.as_str()),
            ("runs.ndjson", 2, "/jobs/1/duration_ms")
        );
        assert!(
            err.to_string()
                .starts_with("runs.ndjson:2: /jobs/1/duration_ms: ")
        );
    }

    #[test]
    fn v1_1_records_are_migrated_on_the_way_in() {
        let mut old: Value = serde_json::from_str(EXAMPLE).unwrap();
        old["schema"] = "pipeline_run.v1.1".into();
        let flaky = old
            .as_object_mut()
            .unwrap()
            .remove("flakiness_index")
            .unwrap();
        old["tests"]["resilience"]["flakiness_index"] = flaky;
        let records = read_ndjson("old.ndjson", old.to_string().as_bytes()).unwrap();
        assert!(records[0].migrated);
        assert_eq!(records[0].record.flakiness_index, Some(0.02));
        assert_eq!(records[0].record.schema, "pipeline_run.v1.2");
    }

    #[test]
    fn integers_past_i64_are_rejected_with_their_pointer() {
        let mut big: Value = serde_json::from_str(EXAMPLE).unwrap();
        big["policies"][0]["time_ns"] = Value::from(u64::MAX);
        let err = read_ndjson("big.ndjson", big.to_string().as_bytes()).unwrap_err();
        assert_eq!(err.pointer, "/policies/0/time_ns");
    }

    #[test]
    fn bad_utf8_and_bad_json_are_located() {
        let err = read_ndjson("u.ndjson", b"\n\n\xff{}").unwrap_err();
        assert_eq!(err.line, 3);
        let err = read_ndjson("j.ndjson", b"{\"a\":").unwrap_err();
        assert_eq!((err.line, err.pointer.as_str()), (1, ""));
    }

    #[test]
    fn the_streaming_reader_reads_what_read_ndjson_reads() {
        let mut bytes = Vec::new();
        crate::synth::synth(
            &crate::synth::SynthOptions {
                runs: 50,
                ..crate::synth::SynthOptions::default()
            },
            &mut bytes,
        )
        .unwrap();
        bytes.extend_from_slice(b"\r\n\n");
        let whole = read_ndjson("s.ndjson", &bytes).unwrap();
        // A tiny buffer: every line crosses buffer boundaries.
        let small = std::io::BufReader::with_capacity(7, bytes.as_slice());
        let streamed: Vec<ReadRecord> = Reader::new("s.ndjson", small)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(whole.len(), 50);
        assert_eq!(whole, streamed);
        // It stops at the first rejection.
        let mut broken = bytes.clone();
        broken.extend_from_slice(b"{}\n");
        broken.extend_from_slice(&bytes);
        let items: Vec<_> = Reader::new("b.ndjson", broken.as_slice()).collect();
        assert_eq!(items.len(), 51);
        assert_eq!(items[50].as_ref().unwrap_err().line, 53);
    }

    #[test]
    fn pointers_from_serde_paths() {
        assert_eq!(json_pointer("jobs[1].duration_ms"), "/jobs/1/duration_ms");
        assert_eq!(json_pointer("."), "");
        assert_eq!(json_pointer("tests.resilience"), "/tests/resilience");
    }

    proptest::proptest! {
        /// Any bytes: records or a rejection naming a line in the file, never a panic.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            match read_ndjson("f.ndjson", &bytes) {
                Ok(records) => proptest::prop_assert!(records.iter().all(|r| r.line >= 1)),
                Err(e) => {
                    let lines = bytes.iter().filter(|b| **b == b'\n').count() + 1;
                    proptest::prop_assert!(e.line >= 1 && e.line <= lines);
                }
            }
        }

        /// A valid record with one field replaced by arbitrary JSON: read or
        /// rejected with a pointer, never a panic.
        #[test]
        fn mutated_records_never_panic(key in "[a-z_]{1,16}", value in arbitrary_json()) {
            let mut record: Value = serde_json::from_str(EXAMPLE).unwrap();
            record[key.as_str()] = value;
            let _ = read_ndjson("m.ndjson", record.to_string().as_bytes());
        }
    }

    fn arbitrary_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            ".{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
