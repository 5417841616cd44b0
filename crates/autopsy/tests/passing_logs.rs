//! No false cause on a log that passed. `tests/fixtures/passing/` holds
//! real output of passing runs of the tools the rules know (pytest with a
//! logged and handled exception and `-rA`'s PASSES section, unittest,
//! cargo test with a `should_panic` test, Jest, Mocha, tsc, ESLint, go
//! test, make, CMake, Ansible, pip, git): classify reports no cause for
//! them, and no rule of severity `error` fires on them even when it is told
//! the job failed.

#![allow(clippy::unwrap_used)]

mod support;

use ci_intel_autopsy::rules::CauseSeverity;

#[test]
fn passing_logs_have_no_cause() {
    let set = support::builtin_set();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/passing");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    for path in files {
        let raw = std::fs::read_to_string(&path).unwrap();
        assert!(raw.starts_with("#=SOURCE=# "), "{}", path.display());
        let (text, _) = support::unmark(&raw);
        let auto = support::classify(&set, "passing.log", text.as_bytes(), false);
        assert!(
            auto.root_causes.is_empty(),
            "{}: a passing log got causes: {:?}",
            path.display(),
            auto.root_causes
                .iter()
                .map(|c| (&c.rule, c.log_line, &c.matched))
                .collect::<Vec<_>>()
        );
        assert!(!auto.logs[0].failed, "{}", path.display());
        assert!(auto.logs[0].unclassified.is_none());
        // Even when told the job failed, nothing of severity `error` fires.
        let forced = support::classify(&set, "passing.log", text.as_bytes(), true);
        let errors: Vec<_> = forced
            .root_causes
            .iter()
            .filter(|c| c.severity == CauseSeverity::Error)
            .map(|c| (&c.rule, c.log_line, &c.matched))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
}
