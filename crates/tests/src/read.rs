//! Every reader of untrusted input as a plain function over bytes: what a
//! fuzz target (or a property test) calls. None of them panics; each
//! returns a value or an error naming the file and the field.

use crate::mutation::{MutationReport, ReadError};

/// A Stryker mutation-testing-report-schema document.
pub fn stryker(bytes: &[u8]) -> Result<MutationReport, ReadError> {
    crate::mutation::stryker::parse(bytes, "input")
}

/// cargo-mutants' `outcomes.json`.
pub fn cargo_mutants(bytes: &[u8]) -> Result<MutationReport, ReadError> {
    crate::mutation::cargo_mutants::parse_outcomes(bytes, "input")
}

/// cargo-mutants' `mutants.json` (how many mutants it lists).
pub fn cargo_mutants_list(bytes: &[u8]) -> Result<usize, ReadError> {
    crate::mutation::cargo_mutants::count_listed(bytes, "input")
}

/// A mutmut `.meta` file.
pub fn mutmut_meta(bytes: &[u8]) -> Result<MutationReport, ReadError> {
    let file = crate::mutation::mutmut::parse_meta(bytes, "input", "mutants/input.py.meta")?;
    Ok(crate::mutation::mutmut::report(vec![file], "input", None))
}

/// A mutmut end-to-end snapshot.
pub fn mutmut_snapshot(bytes: &[u8]) -> Result<MutationReport, ReadError> {
    let files = crate::mutation::mutmut::parse_snapshot(bytes, "input")?;
    Ok(crate::mutation::mutmut::report(files, "input", None))
}

/// PIT's `mutations.xml`.
pub fn pit(bytes: &[u8]) -> Result<MutationReport, ReadError> {
    crate::mutation::pit::parse(bytes, "input")
}

/// A JUnit XML report, read into one run of a history.
pub fn junit_run(bytes: &[u8]) -> Result<crate::flake::Run, ci_intel_core::junit::JunitError> {
    let report = ci_intel_core::junit::read(bytes)?;
    Ok(crate::flake::Run::from_cases("input", &report.cases))
}

/// A quarantine list.
pub fn quarantine(text: &str) -> Result<crate::flake::Quarantine, ci_intel_core::Failure> {
    crate::flake::Quarantine::parse("input", text)
}

/// PyTorch's `test-times.json` for one test config.
pub fn pytorch_times(bytes: &[u8], config: &str) -> Result<Vec<crate::shard::RunTimes>, ReadError> {
    crate::shard::timings::parse(bytes, "input", config)
}
