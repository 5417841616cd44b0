//! Inputs the fuzz targets (fuzz/, docs/fuzzing.md) found, kept under
//! tests/fixtures/fuzz/: each once broke an invariant of its reader.

use ci_intel_egress::events::{markdown, parse_log, summarize};
use ci_intel_egress::packet::socket_inode;
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

/// Found by `egress_allowlist` (fourth session's campaign): a
/// `/proc/net/tcp6`-shaped line whose local address is 32 bytes but not
/// ASCII was cut into 8-byte words inside a multi-byte character, a
/// panic. Now such an address matches nothing, and the well-formed line
/// after it is still read.
#[test]
fn a_non_ascii_ipv6_address_in_proc_net_is_no_match_not_a_panic() {
    let text =
        String::from_utf8_lossy(&fuzz_fixture("proc-net-non-ascii-v6-address.txt")).into_owned();
    let v6: std::net::IpAddr = "2001:db8::2".parse().unwrap();
    assert_eq!(socket_inode(&text, v6, 53), None);
    // The same table with a real tcp6 line for [2001:db8::2]:53 (inode 4242).
    let with_real = format!(
        "{text}   2: B80D0120000000000000000002000000:0035 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n"
    );
    assert_eq!(socket_inode(&with_real, v6, 53), Some(4242));
}
