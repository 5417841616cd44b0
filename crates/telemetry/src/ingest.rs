//! `ingest`: NDJSON files into a store, exactly once.
//!
//! - Each ingest has a `load_id` (a fresh UUID); every run it inserts
//!   carries it, and `loads` keeps one row per file (records, inserted,
//!   duplicates, conflicts).
//! - A run_id already in the store is skipped: re-ingesting a file changes
//!   no record table. The same run_id with other content is a conflict: the
//!   first load is kept and the conflict is reported (exit 1).
//! - Each file is read completely first ([`crate::read::read_ndjson`]); an
//!   invalid record rejects the whole file (file:line and JSON pointer) and
//!   nothing of it is written. Each file is loaded in one transaction.

use std::path::PathBuf;

use ci_intel_core::Failure;

use crate::read::Rejection;
use crate::store::{Backend, FileSource, LoadOutcome, Loaded};

/// What happened to one file.
#[derive(Debug)]
pub enum FileResult {
    Loaded {
        file: String,
        records: usize,
        /// Lines whose run_id appeared earlier in the same file.
        repeated_in_file: usize,
        migrated: usize,
        outcome: LoadOutcome,
    },
    Rejected(Rejection),
}

/// The whole ingest.
#[derive(Debug)]
pub struct IngestReport {
    pub load_id: String,
    pub files: Vec<FileResult>,
}

impl IngestReport {
    pub fn inserted(&self) -> usize {
        self.loaded().map(|(_, o)| o.inserted).sum()
    }
    pub fn rejected(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f, FileResult::Rejected(_)))
            .count()
    }
    pub fn conflicts(&self) -> usize {
        self.loaded().map(|(_, o)| o.conflicts.len()).sum()
    }
    fn loaded(&self) -> impl Iterator<Item = (&str, &LoadOutcome)> {
        self.files.iter().filter_map(|f| match f {
            FileResult::Loaded { file, outcome, .. } => Some((file.as_str(), outcome)),
            FileResult::Rejected(_) => None,
        })
    }
}

/// Ingest `files` into a migrated store.
pub fn ingest(
    store: &mut dyn Backend,
    files: &[PathBuf],
    load_id: &str,
) -> Result<IngestReport, Failure> {
    let loaded_at = crate::emit::rfc3339(chrono::Utc::now());
    let mut report = IngestReport {
        load_id: load_id.to_owned(),
        files: Vec::new(),
    };
    for path in files {
        let source = FileSource {
            name: path.display().to_string(),
            path: path.clone(),
        };
        match store.load(load_id, &loaded_at, &source)? {
            Loaded::Done { outcome, stats } => report.files.push(FileResult::Loaded {
                file: source.name,
                records: stats.records,
                repeated_in_file: stats.repeated,
                migrated: stats.migrated,
                outcome,
            }),
            Loaded::Rejected(rejection) => report.files.push(FileResult::Rejected(rejection)),
        }
    }
    Ok(report)
}
