//! Inputs the fuzz targets (fuzz/, docs/fuzzing.md) found, kept under
//! tests/fixtures/fuzz/: each once broke an invariant of the log scanner.
//! The planted secret is the value of an `--env-name` variable, as in the
//! `autopsy_log` target.

use ci_intel_autopsy::redact::Redactor;
use ci_intel_autopsy::scan::{LogAnalysis, ScanOptions, Scanner};
use ci_intel_secrets::redact::masker::Literal;
use ci_intel_testkit::fuzz_fixture;

const SECRET: &str = "pl4nted-Secret-VALUE-7d1e90";

fn analyse(name: &str) -> LogAnalysis {
    let log = fuzz_fixture(name);
    assert!(
        String::from_utf8_lossy(&log).contains(SECRET),
        "{name} does not hold the planted value"
    );
    let redactor = Redactor::new(vec![Literal {
        name: "FUZZ_PLANTED".to_owned(),
        value: SECRET.as_bytes().to_vec(),
    }]);
    let Some((set, _)) = ci_intel_autopsy::defaults() else {
        panic!("the built-in rules do not compile");
    };
    let analysis = Scanner::new(set, &redactor, &ScanOptions::default()).scan_slice(&log);
    let rendered = format!("{analysis:?}");
    assert!(
        !rendered.contains(SECRET),
        "{name}: the secret is in the analysis:\n{rendered}"
    );
    analysis
}

/// Found by `autopsy_log` (second campaign): the step title
/// (`##[group]Run ...`) went into every cause of the step unredacted, so an
/// `--env-name` value on the `Run` line reached the report and the issue.
#[test]
fn a_secret_in_a_step_title_is_redacted_in_the_causes() {
    let analysis = analyse("step-title-with-secret.log");
    let step = analysis
        .causes
        .iter()
        .find_map(|c| c.step.clone())
        .expect("a cause inside the step");
    assert!(step.contains("./deploy.sh --token"), "{step}");
    assert!(step.contains("REDACTED"), "{step}");
}

/// Found by `autopsy_log`: a cause's file was read from an unredacted line
/// before the matched one (a Python traceback's `File "..."` line), while
/// the same line shown as context was redacted.
#[test]
fn a_secret_in_a_location_before_the_match_is_redacted() {
    let analysis = analyse("location-before-with-secret.log");
    let file = analysis
        .causes
        .iter()
        .find_map(|c| c.file.clone())
        .expect("the traceback's file");
    assert!(
        file.contains("REDACTED") && file.ends_with("main.py"),
        "{file}"
    );
}

/// The same for a location after the match (rustc's `--> file:line:col`):
/// it is read from the redacted line, so a path holding a secret gives no
/// location rather than the secret.
#[test]
fn a_secret_in_a_location_after_the_match_is_redacted() {
    let analysis = analyse("location-after-with-secret.log");
    assert!(!analysis.causes.is_empty(), "the rustc error is a cause");
}
