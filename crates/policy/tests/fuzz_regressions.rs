//! Inputs the fuzz targets (fuzz/, docs/fuzzing.md) found, kept under
//! tests/fixtures/fuzz/: each once broke an invariant of the audit.

use ci_intel_testkit::fuzz_fixture;

use ci_intel_policy::audit::model::DocKind;
use ci_intel_policy::audit::{Options, audit_bytes};
use ci_intel_policy::config::Persona;

/// Found by `policy_audit`: YAML that fails at the very end of the input
/// (`%#`, a one-line file without a newline) had its `parse-error` finding
/// on line 2, a line the file does not have.
#[test]
fn a_parse_error_at_the_end_of_the_file_points_at_its_last_line() {
    let bytes = fuzz_fixture("directive-error-at-end.yml");
    for kind in [None, Some(DocKind::Workflow), Some(DocKind::Action)] {
        let outcome = audit_bytes(
            "directive-error-at-end.yml",
            &bytes,
            kind,
            &Options::defaults(Persona::Pedantic),
        );
        let [finding] = outcome.findings.as_slice() else {
            panic!("{kind:?}: {:?}", outcome.findings);
        };
        assert_eq!(finding.rule_id, "parse-error");
        let location = finding.location.as_ref().expect("a location");
        assert_eq!(location.line, Some(1), "{kind:?}: {location:?}");
    }
}

/// Found by `policy_audit`: a `# ci-intel: ignore[parse-error]` (or
/// zizmor's) comment on the line a YAML error points at silenced the
/// `parse-error` finding, so a file that does not even load passed the
/// audit. The rule's documentation says such a file cannot carry a
/// trusted ignore comment; now it cannot.
#[test]
fn an_ignore_comment_does_not_silence_a_parse_error() {
    let bytes = fuzz_fixture("parse-error-with-ignore-comment.yml");
    let outcome = audit_bytes(
        "parse-error-with-ignore-comment.yml",
        &bytes,
        None,
        &Options::defaults(Persona::Pedantic),
    );
    assert!(outcome.suppressed.is_empty(), "{:?}", outcome.suppressed);
    let [finding] = outcome.findings.as_slice() else {
        panic!("{:?}", outcome.findings);
    };
    assert_eq!(finding.rule_id, "parse-error");
    let location = finding.location.as_ref().expect("a location");
    assert_eq!(location.line, Some(2), "{location:?}");
    // zizmor's form of the comment does not silence it either.
    let zizmor = String::from_utf8_lossy(&bytes).replace("ci-intel:", "zizmor:");
    let outcome = audit_bytes(
        "z.yml",
        zizmor.as_bytes(),
        None,
        &Options::defaults(Persona::Pedantic),
    );
    assert!(outcome.suppressed.is_empty(), "{:?}", outcome.suppressed);
    assert_eq!(outcome.findings.len(), 1, "{:?}", outcome.findings);
}

/// Found by `policy_audit` (the CI smoke run): YAML counts a lone `\r` as a
/// line break, so the end-of-input clamp must count lines the same way.
#[test]
fn a_parse_error_after_a_lone_carriage_return_points_at_the_last_line() {
    let bytes = fuzz_fixture("directive-error-after-cr.yml");
    let outcome = audit_bytes(
        "directive-error-after-cr.yml",
        &bytes,
        None,
        &Options::defaults(Persona::Pedantic),
    );
    let [finding] = outcome.findings.as_slice() else {
        panic!("{:?}", outcome.findings);
    };
    assert_eq!(finding.rule_id, "parse-error");
    let line = finding.location.as_ref().and_then(|l| l.line);
    assert_eq!(line, Some(2), "{:?}", finding.location);
}
