//! Mutation reports: one model, four readers, one score.
//!
//! Every reader turns a tool's own report into [`MutationReport`]: a list
//! of [`Mutant`]s whose [`MutantStatus`] is the Stryker
//! mutation-testing-report-schema's (the one status vocabulary several
//! tools already share), with the tool's own word kept beside it. The
//! mapping of each tool's statuses is documented in its reader and in
//! docs/tests.md.
//!
//! The score is Stryker's: detected (killed and timed out) over valid
//! (detected, survived, no coverage); compile errors, runtime errors,
//! ignored and pending mutants are left out, since no test can kill them.
//! In pipeline_run terms (`tests.resilience`): `killed` is the detected
//! count, `equiv` the mutants left out, and `score = killed / max(1,
//! mutants_total - equiv)`.
//!
//! Every reader's entry point is a plain function over bytes
//! (`stryker::parse`, `cargo_mutants::parse_outcomes`, `mutmut::parse_meta`,
//! `pit::parse`...) that never panics, for property tests and fuzzing.

pub mod analysis;
pub mod cargo_mutants;
pub mod diff;
pub mod load;
pub mod mutmut;
pub mod pit;
pub mod stryker;

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

pub use load::load;

/// A mutant's fate, in the Stryker schema's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum MutantStatus {
    /// A test failed: the mutant was detected.
    Killed,
    /// Every test passed: the mutant was not detected.
    Survived,
    /// No test covers the mutant's code: not detected.
    NoCoverage,
    /// The tests ran past the time limit: counted as detected.
    Timeout,
    /// The mutant does not compile (or does not type-check): left out.
    CompileError,
    /// The mutant made the run fail in a way that is not a test failure
    /// (a crash, an out-of-memory): left out.
    RuntimeError,
    /// Excluded by configuration: left out.
    Ignored,
    /// Not (yet) tested: left out.
    Pending,
}

impl MutantStatus {
    pub const ALL: [MutantStatus; 8] = [
        MutantStatus::Killed,
        MutantStatus::Survived,
        MutantStatus::NoCoverage,
        MutantStatus::Timeout,
        MutantStatus::CompileError,
        MutantStatus::RuntimeError,
        MutantStatus::Ignored,
        MutantStatus::Pending,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MutantStatus::Killed => "Killed",
            MutantStatus::Survived => "Survived",
            MutantStatus::NoCoverage => "NoCoverage",
            MutantStatus::Timeout => "Timeout",
            MutantStatus::CompileError => "CompileError",
            MutantStatus::RuntimeError => "RuntimeError",
            MutantStatus::Ignored => "Ignored",
            MutantStatus::Pending => "Pending",
        }
    }

    /// Killed or timed out.
    pub fn is_detected(self) -> bool {
        matches!(self, MutantStatus::Killed | MutantStatus::Timeout)
    }

    /// Survived or not covered: the mutants a PR is judged by.
    pub fn is_undetected(self) -> bool {
        matches!(self, MutantStatus::Survived | MutantStatus::NoCoverage)
    }

    /// In the score's denominator.
    pub fn is_valid(self) -> bool {
        self.is_detected() || self.is_undetected()
    }
}

impl fmt::Display for MutantStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The tool that wrote a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    /// The Stryker mutation-testing-report-schema (StrykerJS, Stryker.NET,
    /// Stryker4s, Infection, cargo-mutants' converter...).
    Stryker,
    CargoMutants,
    Mutmut,
    Pit,
}

impl ReportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Stryker => "stryker",
            ReportKind::CargoMutants => "cargo-mutants",
            ReportKind::Mutmut => "mutmut",
            ReportKind::Pit => "pit",
        }
    }
}

/// One mutant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mutant {
    /// The tool's id, or one we make from the position when it has none.
    pub id: String,
    /// The mutated file, `/`-separated, as the report names it.
    pub file: String,
    /// First line of the mutation (1-based); 0 when the report does not say.
    pub line: u32,
    /// Last line of the mutation (at least `line`).
    pub end_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// The mutator (`ConditionalExpression`, `BinaryOperator`, PIT's mutator
    /// class...).
    pub mutator: String,
    /// What the mutation does, in words (`replace + with -`).
    pub description: String,
    pub status: MutantStatus,
    /// The tool's own word for the status (`MissedMutant`, `SURVIVED`, `33`).
    pub tool_status: String,
}

/// A run that did not test every mutant it listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Partial {
    /// Mutants the tool listed.
    pub listed: usize,
    /// Mutants with an outcome.
    pub tested: usize,
}

/// A mutation report, read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MutationReport {
    /// Where it was read from, for messages.
    pub source: String,
    pub kind: ReportKind,
    /// The framework's own name, when the report gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework: Option<String>,
    pub mutants: Vec<Mutant>,
    /// Set when the run stopped before testing every mutant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<Partial>,
    /// The tool's own summary counts, when the report carries them
    /// (cargo-mutants' `outcomes.json` header, mutmut's CI/CD stats), keyed
    /// by the tool's words. Readers check them against the mutants.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tool_summary: BTreeMap<String, u64>,
    /// The files it was read from (for evidence).
    #[serde(skip)]
    pub files: Vec<std::path::PathBuf>,
}

impl MutationReport {
    pub fn counts(&self) -> Counts {
        Counts::of(self.mutants.iter())
    }

    /// Counts per tool word, as the tool would print them.
    pub fn tool_counts(&self) -> BTreeMap<String, u64> {
        let mut counts = BTreeMap::new();
        for mutant in &self.mutants {
            *counts.entry(mutant.tool_status.clone()).or_default() += 1;
        }
        counts
    }

    /// Several reports as one (a monorepo's per-package reports).
    pub fn merge(reports: Vec<MutationReport>) -> Option<MutationReport> {
        let mut iter = reports.into_iter();
        let mut first = iter.next()?;
        for next in iter {
            first.source = format!("{}, {}", first.source, next.source);
            if first.kind != next.kind {
                first.framework = Some("several".to_owned());
            }
            first.mutants.extend(next.mutants);
            first.partial = match (first.partial, next.partial) {
                (None, None) => None,
                (a, b) => {
                    let a = a.unwrap_or(Partial {
                        listed: 0,
                        tested: 0,
                    });
                    let b = b.unwrap_or(Partial {
                        listed: 0,
                        tested: 0,
                    });
                    Some(Partial {
                        listed: a.listed + b.listed,
                        tested: a.tested + b.tested,
                    })
                }
            };
            for (k, v) in next.tool_summary {
                *first.tool_summary.entry(k).or_default() += v;
            }
            first.files.extend(next.files);
        }
        Some(first)
    }
}

/// Mutants per status, and the score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub killed: u64,
    pub survived: u64,
    pub no_coverage: u64,
    pub timeout: u64,
    pub compile_error: u64,
    pub runtime_error: u64,
    pub ignored: u64,
    pub pending: u64,
}

impl Counts {
    pub fn of<'a>(mutants: impl IntoIterator<Item = &'a Mutant>) -> Counts {
        let mut counts = Counts::default();
        for mutant in mutants {
            counts.add(mutant.status);
        }
        counts
    }

    pub fn add(&mut self, status: MutantStatus) {
        let slot = match status {
            MutantStatus::Killed => &mut self.killed,
            MutantStatus::Survived => &mut self.survived,
            MutantStatus::NoCoverage => &mut self.no_coverage,
            MutantStatus::Timeout => &mut self.timeout,
            MutantStatus::CompileError => &mut self.compile_error,
            MutantStatus::RuntimeError => &mut self.runtime_error,
            MutantStatus::Ignored => &mut self.ignored,
            MutantStatus::Pending => &mut self.pending,
        };
        *slot += 1;
    }

    pub fn get(&self, status: MutantStatus) -> u64 {
        match status {
            MutantStatus::Killed => self.killed,
            MutantStatus::Survived => self.survived,
            MutantStatus::NoCoverage => self.no_coverage,
            MutantStatus::Timeout => self.timeout,
            MutantStatus::CompileError => self.compile_error,
            MutantStatus::RuntimeError => self.runtime_error,
            MutantStatus::Ignored => self.ignored,
            MutantStatus::Pending => self.pending,
        }
    }

    pub fn total(&self) -> u64 {
        MutantStatus::ALL.iter().map(|s| self.get(*s)).sum()
    }

    /// Killed and timed out.
    pub fn detected(&self) -> u64 {
        self.killed + self.timeout
    }

    /// Survived and not covered.
    pub fn undetected(&self) -> u64 {
        self.survived + self.no_coverage
    }

    /// The score's denominator.
    pub fn valid(&self) -> u64 {
        self.detected() + self.undetected()
    }

    /// Left out of the score: not viable, errored, ignored or not tested.
    pub fn excluded(&self) -> u64 {
        self.total() - self.valid()
    }

    /// Detected over valid, in percent; `None` when no mutant was tested
    /// (a score of an empty or check-only run is not 0 %, it is unknown).
    pub fn score_percent(&self) -> Option<f64> {
        (self.valid() > 0).then(|| 100.0 * self.detected() as f64 / self.valid() as f64)
    }

    /// pipeline_run `tests.resilience`.
    pub fn resilience(
        &self,
        delta_vs_main: Option<f64>,
    ) -> ci_intel_core::pipeline_run::Resilience {
        use ci_intel_core::pipeline_run::Resilience;
        let (total, killed, equiv) = (self.total(), self.detected(), self.excluded());
        Resilience {
            mutants_total: total,
            killed,
            equiv,
            timeout: self.timeout,
            score: Resilience::score_of(killed, total, equiv),
            delta_vs_main: delta_vs_main.map(|d| d.clamp(-1.0, 1.0)),
            equivalent_mutants_dropped: Some(equiv > 0),
        }
    }
}

/// The text of a JSON report that a reader deserialises typed. serde_json
/// does not check the UTF-8 of the members a typed read ignores, so the
/// whole report is checked here first: JSON is UTF-8 (RFC 8259).
pub(crate) fn json_text<'a>(
    bytes: &'a [u8],
    name: &str,
    expected: &str,
) -> Result<&'a str, ReadError> {
    std::str::from_utf8(bytes).map_err(|e| {
        ReadError::new(
            name,
            format!("byte {}", e.valid_up_to() + 1),
            expected,
            "bytes that are not UTF-8 (JSON is UTF-8)",
        )
    })
}

/// After a typed read: nothing but whitespace may follow the report.
pub(crate) fn json_end(
    de: &mut serde_json::Deserializer<serde_json::de::StrRead<'_>>,
    name: &str,
    expected: &str,
) -> Result<(), ReadError> {
    de.end().map_err(|e| {
        ReadError::new(
            name,
            format!("line {} column {}", e.line(), e.column()),
            expected,
            format!("more text after the document ({e})"),
        )
    })
}

/// Why a report cannot be read: the file, the field (a JSON pointer or an
/// XML element path), what was expected and what was there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub file: String,
    pub field: String,
    pub expected: String,
    pub found: String,
}

impl ReadError {
    pub fn new(
        file: &str,
        field: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> ReadError {
        ReadError {
            file: file.to_owned(),
            field: field.into(),
            expected: expected.into(),
            found: found.into(),
        }
    }

    pub fn into_failure(self) -> ci_intel_core::Failure {
        ci_intel_core::Failure::usage(self.to_string())
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = if self.field.is_empty() {
            "(top level)"
        } else {
            &self.field
        };
        write!(
            f,
            "{}: field `{field}`: expected {}, found {}; pass the report as the mutation tool wrote it (docs/tests.md lists the formats read)",
            self.file, self.expected, self.found
        )
    }
}

impl std::error::Error for ReadError {}

/// A short description of a JSON value for error messages.
pub(crate) fn describe(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// Escape a key for a JSON pointer (RFC 6901).
pub(crate) fn pointer_key(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mutant(status: MutantStatus) -> Mutant {
        Mutant {
            id: "1".into(),
            file: "a.rs".into(),
            line: 1,
            end_line: 1,
            column: None,
            mutator: "m".into(),
            description: "d".into(),
            status,
            tool_status: status.as_str().into(),
        }
    }

    #[test]
    fn the_score_is_strykers_detected_over_valid() {
        use MutantStatus::*;
        let mutants: Vec<Mutant> = [
            Killed,
            Killed,
            Timeout,
            Survived,
            NoCoverage,
            CompileError,
            RuntimeError,
            Ignored,
            Pending,
        ]
        .into_iter()
        .map(mutant)
        .collect();
        let counts = Counts::of(&mutants);
        assert_eq!(counts.total(), 9);
        assert_eq!(counts.detected(), 3);
        assert_eq!(counts.valid(), 5);
        assert_eq!(counts.excluded(), 4);
        assert_eq!(counts.score_percent(), Some(60.0));
        let r = counts.resilience(Some(-0.05));
        assert_eq!(
            (r.mutants_total, r.killed, r.equiv, r.timeout),
            (9, 3, 4, 1)
        );
        assert!((r.score - 0.6).abs() < 1e-9);
        assert_eq!(r.delta_vs_main, Some(-0.05));
    }

    #[test]
    fn no_tested_mutant_is_an_unknown_score_not_zero() {
        let counts = Counts::of(&[mutant(MutantStatus::Pending)]);
        assert_eq!(counts.score_percent(), None);
        assert_eq!(Counts::default().score_percent(), None);
    }
}
