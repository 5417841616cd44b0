//! Test helpers every ci-intel crate shares (a dev-dependency only).
//!
//! Tests that read `../shared/corpus` or run a real peer program (zizmor,
//! trivy, diffoscope, PostgreSQL...) must skip with a printed reason when it
//! is absent, so a plain clone passes `cargo test`; `.ci/run` sets
//! `CI_INTEL_REQUIRE_CORPUS=1` and `CI_INTEL_REQUIRE_TOOLS=1`, and then a
//! missing input fails the test instead of skipping it.

use std::path::{Path, PathBuf};

/// The workspace root (the directory holding the top-level Cargo.toml).
pub fn workspace_root() -> PathBuf {
    // CARGO_MANIFEST_DIR of this crate is <root>/crates/testkit.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// `../shared/corpus` beside the workspace, if present.
pub fn corpus_root() -> Option<PathBuf> {
    let root = workspace_root().join("../shared/corpus");
    root.is_dir().then_some(root)
}

/// A path inside the corpus, or `None` after printing why the test skips.
/// Panics when `CI_INTEL_REQUIRE_CORPUS` is set and the path is missing: in
/// CI a wrong path must fail, not pass as a skip.
pub fn corpus(relative: &str) -> Option<PathBuf> {
    let path = corpus_root().map(|root| root.join(relative));
    match path {
        Some(path) if path.exists() => Some(path),
        _ => {
            let why = format!("../shared/corpus/{relative} is absent");
            if std::env::var_os("CI_INTEL_REQUIRE_CORPUS").is_some() {
                panic!("CI_INTEL_REQUIRE_CORPUS is set but {why}");
            }
            eprintln!("SKIPPED: {why}");
            None
        }
    }
}

/// The bytes of `tests/fixtures/fuzz/NAME` of the crate whose test calls
/// this: an input a fuzz target (fuzz/, docs/fuzzing.md) found, kept as a
/// regression test next to the parser it broke. The crate is the one cargo
/// runs the test for (`CARGO_MANIFEST_DIR`, which cargo sets when it runs
/// a test, else the working directory, which cargo sets to the crate).
/// Panics naming the path when the file cannot be read: a regression input
/// is part of the repository, never skipped.
pub fn fuzz_fixture(name: &str) -> Vec<u8> {
    let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let path = crate_dir.join("tests/fixtures/fuzz").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fuzz regression input {}: {e}", path.display()))
}

/// A peer program: the path in `$env_var` when set, else `name` on PATH;
/// `None` after printing why the test skips. Panics when
/// `CI_INTEL_REQUIRE_TOOLS` is set and the program is missing.
pub fn tool(env_var: &str, name: &str) -> Option<PathBuf> {
    let found = match std::env::var_os(env_var) {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)).filter(|p| p.is_file()),
        _ => find_on_path(name),
    };
    if found.is_none() {
        skip_or_fail(&format!(
            "{name} not found (set {env_var} or put it on PATH)"
        ));
    }
    found
}

/// `name` on PATH, if it is there.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Print why a test skips, or panic when `CI_INTEL_REQUIRE_TOOLS` says the
/// thing must be there.
pub fn skip_or_fail(why: &str) {
    if std::env::var_os("CI_INTEL_REQUIRE_TOOLS").is_some() {
        panic!("CI_INTEL_REQUIRE_TOOLS is set but {why}");
    }
    eprintln!("SKIPPED: {why}");
}

/// A generated section of a committed document (a table between `begin`
/// and `end` markers, with `content` between them): with `UPDATE_DOCS` set
/// it is rewritten in place, otherwise the committed text must equal what
/// the test generated, so a document cannot claim figures the code no
/// longer produces. `refresh` is the command that rewrites it, for the
/// failure message.
pub fn generated_section(doc: &Path, begin: &str, end: &str, content: &str, refresh: &str) {
    let committed = std::fs::read_to_string(doc).unwrap_or_default();
    let (head, tail) = match (committed.find(begin), committed.find(end)) {
        (Some(b), Some(e)) if b < e => (&committed[..b], &committed[e + end.len()..]),
        _ => panic!("{} lacks the markers {begin} and {end}", doc.display()),
    };
    let expected = format!("{head}{begin}\n{content}\n{end}{tail}");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        if let Err(e) = std::fs::write(doc, &expected) {
            panic!("cannot write {}: {e}", doc.display());
        }
    } else {
        assert!(
            committed == expected,
            "{}'s generated section ({begin}) is stale: run {refresh}",
            doc.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_root_holds_the_workspace_manifest() {
        let manifest =
            std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap_or_default();
        assert!(manifest.contains("[workspace]"));
    }

    #[test]
    #[should_panic(expected = "tests/fixtures/fuzz/no-such-input")]
    fn a_missing_fuzz_regression_input_fails_naming_its_path() {
        let _ = fuzz_fixture("no-such-input");
    }

    #[test]
    fn cargo_names_the_crate_under_test_at_run_time() {
        // `fuzz_fixture` finds the calling crate's inputs through it.
        let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
        assert_eq!(
            crate_dir.map(|d| d.join("src/lib.rs").is_file()),
            Some(true),
            "cargo does not set CARGO_MANIFEST_DIR when it runs a test"
        );
    }

    #[test]
    fn a_program_that_is_not_anywhere_is_not_found() {
        assert_eq!(find_on_path("ci-intel-no-such-program-anywhere"), None);
    }
}
