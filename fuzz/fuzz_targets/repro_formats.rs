//! The repro tool's input parsers (ci-intel-repro): `formats::explain`,
//! which reads two builds of one file as ELF, static archive, zip/jar,
//! tar, gzip or text (`formats::sniff`, `formats::gzip_header`), and
//! `variations::parse_spec` (`--variations`).
//!
//! Four header bytes: the mode and file name, a position (2 bytes) and a
//! byte. The rest is the first build `a`; the second build `b` is `a` with
//! the byte at the position changed (mode 0), `a` cut at the position
//! (mode 1), or the rest is a `--variations` spec (mode 2): two builds
//! that differ a little, as real ones do, so the readers get past their
//! headers. Invariants: identical builds have no details and no diff;
//! different builds have at least one detail or a diff, at most 200
//! details; the explanation is deterministic. A spec reads to a sorted set
//! without duplicates that re-reads from its names to itself.
#![no_main]

use ci_intel_repro::formats::{explain, gzip_header, sniff};
use ci_intel_repro::variations::parse_spec;
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 8] = [
    "target/release/tool",
    "libfoo.a",
    "app.jar",
    "dist.tar",
    "dist.tar.gz",
    "NOTES.txt",
    "pkg.whl",
    "out.bin",
];

fuzz_target!(|data: &[u8]| {
    let Some((header, a)) = data.split_first_chunk::<4>() else {
        return;
    };
    let [mode, hi, lo, byte] = *header;
    if mode % 3 == 2 {
        spec(&String::from_utf8_lossy(a));
        return;
    }
    let name = NAMES[usize::from(mode / 3) % NAMES.len()];
    let position = usize::from(u16::from_be_bytes([hi, lo]));
    let mut b = a.to_vec();
    if mode % 3 == 0 {
        if b.is_empty() {
            b.push(byte);
        } else {
            let at = position % b.len();
            b[at] ^= byte.max(1);
        }
    } else {
        b.truncate(position % (a.len() + 1));
        if b.len() == a.len() {
            b.push(byte);
        }
    }
    let _ = sniff(name, a);
    let _ = gzip_header(a);

    let same = explain(name, a, a);
    assert!(
        same.details.is_empty(),
        "identical builds have details: {:?}",
        same.details
    );
    assert!(same.text_diff.is_none());
    assert!(!same.ordering_only);

    let first = explain(name, a, &b);
    let again = explain(name, a, &b);
    let render = |e: &ci_intel_repro::formats::Explanation| {
        serde_json::to_string(e).expect("an explanation always renders")
    };
    assert_eq!(
        render(&first),
        render(&again),
        "the same builds explained twice differ"
    );
    assert!(
        first.details.len() <= 200,
        "{} details",
        first.details.len()
    );
    assert!(
        !first.details.is_empty() || first.text_diff.is_some(),
        "two different builds of {name} ({} and {} bytes) are explained as no difference ({})",
        a.len(),
        b.len(),
        first.format
    );
});

fn spec(text: &str) {
    let Ok(set) = parse_spec(text) else {
        return;
    };
    assert!(
        set.windows(2).all(|w| w[0] < w[1]),
        "not sorted and unique: {set:?}"
    );
    let names: Vec<&str> = set.iter().map(|v| v.name()).collect();
    let again = if names.is_empty() {
        parse_spec("none")
    } else {
        parse_spec(&names.join(","))
    };
    match again {
        Ok(again) => assert_eq!(again, set, "a spec does not re-read from its names"),
        Err(e) => panic!("the names {names:?} of a spec are refused: {}", e.message),
    }
}
