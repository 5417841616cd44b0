//! ci-intel-secrets' readers of what git and other processes hand it:
//! `git diff -U0` output (`scan::diff::parse_unified`), `git log -p`
//! output (`parse_log`), and `/proc/PID/environ` blocks
//! (`sweep::procfs::parse_environ`), all from the same bytes. Invariants:
//! each added file has one line number per added line, and every added
//! line is a `+` line of the diff; an environ block re-rendered
//! (`NAME=value\0`...) reads back to the same variables.
#![no_main]

use ci_intel_secrets::scan::diff::{parse_log, parse_unified};
use ci_intel_secrets::sweep::procfs::parse_environ;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let added = parse_unified(data);
    for file in &added.files {
        assert_eq!(
            file.text.matches('\n').count(),
            file.lines.len(),
            "{}: {} line numbers for the text {:?}",
            file.path,
            file.lines.len(),
            file.text
        );
        assert!(
            !file.lines.is_empty(),
            "a file with no added line is listed"
        );
    }
    let plus_lines = data
        .split(|b| *b == b'\n')
        .filter(|l| l.first() == Some(&b'+'))
        .count();
    let added_lines: usize = added.files.iter().map(|f| f.lines.len()).sum();
    assert!(
        added_lines <= plus_lines,
        "{added_lines} added lines from {plus_lines} `+` lines"
    );
    assert_eq!(added, parse_unified(data));

    for commit in parse_log(data) {
        assert!(!commit.id.is_empty());
        for file in &commit.added.files {
            assert_eq!(file.text.matches('\n').count(), file.lines.len());
        }
    }

    let vars = parse_environ(data);
    let mut block = Vec::new();
    for v in &vars {
        assert!(
            !v.name.contains(&b'='),
            "a variable name holds `=`: {:?}",
            v.name
        );
        assert!(!v.name.contains(&0) && !v.value.contains(&0));
        block.extend_from_slice(&v.name);
        block.push(b'=');
        block.extend_from_slice(&v.value);
        block.push(0);
    }
    assert_eq!(parse_environ(&block), vars, "environ block round trip");
});
