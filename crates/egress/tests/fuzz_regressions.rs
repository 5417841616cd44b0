//! Inputs the fuzz targets (fuzz/, docs/fuzzing.md) found, kept under
//! tests/fixtures/fuzz/: each once broke an invariant of its reader.

use ci_intel_egress::events::{markdown, parse_log, summarize};
use ci_intel_testkit::fuzz_fixture;

/// Found by `egress_allowlist` (second session): a table cell turned `\n`
/// into a space but kept a lone `\r`, which CommonMark also reads as a line
/// break, so a process name (the job's to choose) ended its row of the
/// step summary and started text of its own.
#[test]
fn a_carriage_return_in_a_process_name_stays_in_its_table_row() {
    let text =
        String::from_utf8(fuzz_fixture("events-comm-with-carriage-return.ndjson")).expect("UTF-8");
    let (events, bad) = parse_log(&text);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(events[0].comm.as_deref(), Some("x\r| injected | row |"));
    let md = markdown(&summarize(&events), "egress");
    assert!(!md.contains('\r'), "{md:?}");
    let row = md
        .lines()
        .find(|l| l.starts_with("| blocked |"))
        .expect("the connection's row");
    assert!(row.contains(r"x \| injected \| row \|"), "{row}");
    assert!(row.ends_with("| 1 |"), "{row}");
}
